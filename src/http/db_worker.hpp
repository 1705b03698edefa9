#pragma once
// The gateway's database thread: it owns the gateway's Store and the Visitors around it, and
// runs jobs from a bounded queue in order, so no io thread waits for a database lock. A job returns
// a reply that hands its result back to whoever asked (a session's strand); the worker knows
// nothing of HTTP.
//
// Group commit: the jobs queued while the previous ones ran go into one store batch, one commit
// for all; their replies and change notices go out only once it is durable. Should the batch
// fail, each of its jobs runs again on its own, so one failing write fails only its own request.
// A checkpoint that a commit made due runs after the replies went out.
//
// Under load the worker waits for company (BatchPace): after a batch of `busy` jobs or more
// (requests are queueing), the next one gathers for up to `gather` until `full` jobs wait. Each
// batch costs a commit and wakes the threads it answers, whatever its size: in bursts of 4,000
// relayed lines, waiting so cut seshat's CPU by a fifth (bench/rounds.md, "a batch waits for
// company"). A quiet desk never waits: its batches hold a job or two. PostgreSQL's commit_delay
// trades the same latency under load for the same saving.
//
// At rest, a job runs on the caller's thread instead: when nothing is queued or running and
// the last job came or ended at least `rest` ago (1 ms), it runs there in a batch of its own,
// if that batch can start without waiting (Store::try_begin_batch: no other writer, SQLite);
// else it queues. Handing it to a sleeping thread means waking an idle virtual CPU, which on a
// busy host took 3-5 ms (bench/rounds.md, "A request at rest"). Jobs that come close together
// queue and share commits.
//
// Presence: the event streams open here count their chats (hold, let_go); the worker writes the
// changes and refreshes the gateway's row (visitors::HeldPresence) between batches, and lets go
// of everything when it stops.
//
// Lifetime: the Store comes from the factory in the constructor (so a broken database fails
// there, on the caller's thread); the thread starts then. stop() (or the destructor) runs the
// jobs already queued, then joins. The ChangeFeed must outlive the worker.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "store/change_feed.hpp"
#include "store/store.hpp"
#include "visitors/held_presence.hpp"
#include "visitors/visitors.hpp"

namespace seshat::http {

// When the database thread's batch waits for more jobs (DbWorker, group commit).
// `full` at 16, not 32: a client holding 50 requests in flight (bench d) has few more to send while
// 32 wait, and the wait ran out; 16 took 2-12% more 202s in d, e's batches no costlier.
struct BatchPace {
  std::size_t busy = 8;   // a batch this large says requests queue
  std::size_t full = 16;  // the next one then waits for this many
  std::chrono::microseconds gather = std::chrono::milliseconds(1);  // at most
};

class DbWorker {
 public:
  using Reply = std::function<void()>;  // may be empty
  using Job = std::function<Reply(visitors::Visitors&, store::Store&)>;
  using StoreFactory = std::function<std::unique_ptr<store::Store>()>;

  // Changes are published on `feed` once committed. `texts`: the bot's texts in the visitors'
  // languages (none: as stored, in English).
  DbWorker(const StoreFactory& open_store, store::ChangeFeed& feed, visitors::Limits limits,
           std::size_t max_queue, std::shared_ptr<const core::texts::VisitorTexts> texts = nullptr,
           std::chrono::milliseconds rest = std::chrono::milliseconds(1), BatchPace pace = {});
  ~DbWorker();
  DbWorker(const DbWorker&) = delete;
  DbWorker& operator=(const DbWorker&) = delete;

  // Queues `job` (or runs it now, at rest); false when the queue is full or the worker stopped
  // (answer 503).
  [[nodiscard]] bool submit(Job job);
  [[nodiscard]] std::size_t queued() const;
  // A stream of `chat` opened here, or ended. Never refused (a stream that ends must let go),
  // and written without delaying the jobs' answers.
  void hold(core::ChatId chat) { count_streams(chat, 1); }
  void let_go(core::ChatId chat) { count_streams(chat, -1); }
  void stop();

 private:
  void run();
  void gather(std::unique_lock<std::mutex>& lock);
  void run_batch(std::deque<Job>& jobs);
  [[nodiscard]] bool try_batch(std::deque<Job>& jobs);
  [[nodiscard]] bool run_at_rest(Job& job);
  [[nodiscard]] bool commit_together(std::unique_ptr<store::Batch> batch, std::deque<Job>& jobs);
  [[nodiscard]] Reply run_one(Job& job);
  void publish_changes();
  void count_streams(core::ChatId chat, int streams);
  void keep_presence(std::vector<std::pair<core::ChatId, int>>& counts);

  store::ChangeFeed& m_feed;
  store::ChangeFeed m_uncommitted;  // what the Visitors publish, held until the commit
  store::ChangeFeed::Subscription m_collect;
  std::vector<core::ChatId> m_changed;
  struct NewLine {
    core::ChatId chat;
    store::Message line;
    std::string sender_stream;
  };
  std::vector<NewLine> m_lines;  // visitors' new lines
  std::unique_ptr<store::Store> m_store;
  visitors::Visitors m_visitors;
  visitors::HeldPresence m_presence;
  std::size_t m_max_queue;
  // Held by whoever uses m_store, m_visitors and m_presence: the database thread, or a caller
  // running a job at rest.
  std::mutex m_store_use;
  mutable std::mutex m_mutex;
  std::condition_variable m_ready;
  std::deque<Job> m_jobs;
  std::vector<std::pair<core::ChatId, int>> m_counts;  // streams opened (+1) and ended (-1)
  std::chrono::steady_clock::time_point m_refresh_at;  // of the gateway's row
  std::chrono::milliseconds m_rest;
  std::optional<std::chrono::steady_clock::time_point> m_last_job;  // came, or ended at rest
  BatchPace m_pace;
  std::size_t m_last_batch = 0;  // jobs the thread took last time
  bool m_gathering = false;      // it waits for `full` jobs: a submit wakes it only then
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace seshat::http
