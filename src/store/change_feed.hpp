#pragma once
// The in-process event channel between the writers and the waiters of the store: whoever
// commits a change to a chat publishes its id; the broker, the HTTP gateway's long-polls and
// SSE streams, and Client::fetch waits are listeners. A DataVersionWatcher publishes the
// commits made by other processes sharing the same SQLite file.
//
// A new line (a visitor's, from the gateway's commit; an operator's, from the broker's) may be
// published with the line itself (publish_line): a listener that takes lines gets it instead of
// the chat's id, and can hand it on without reading it back (an event stream echoes it, the
// broker may relay it: app/relayed_seqs.hpp); every other listener sees an ordinary change of
// the chat. A visitor's line names the event stream of the page that sent it, if the page said
// (`sender_stream`): that page has it from its answer.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace seshat::store {

// Chat id 0 means "some chat may have changed" (a commit from another process).
inline constexpr ChatId any_chat = 0;

class ChangeFeed {
 public:
  // Runs on the publishing thread, outside the feed's lock: it must be quick (post or notify).
  using Listener = std::function<void(ChatId)>;
  using LineListener = std::function<void(ChatId, const Message&, std::string_view sender_stream)>;

  class Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&& other) noexcept;
    Subscription& operator=(Subscription&& other) noexcept;
    ~Subscription() { reset(); }
    void reset();

   private:
    friend class ChangeFeed;
    Subscription(ChangeFeed* feed, std::uint64_t id) : m_feed(feed), m_id(id) {}
    ChangeFeed* m_feed = nullptr;
    std::uint64_t m_id = 0;
  };

  // The feed must outlive its subscriptions.
  [[nodiscard]] Subscription subscribe(Listener listener, LineListener lines = {});
  void publish(ChatId chat);
  // `line` was committed in `chat`: line listeners get it, the others `chat`.
  void publish_line(ChatId chat, const Message& line, std::string_view sender_stream = {});
  // Publishes each chat of `chats` once (a commit's worth of changes, gathered while it was
  // not yet durable), then empties it.
  void publish_all(std::vector<ChatId>& chats);

 private:
  void unsubscribe(std::uint64_t id);

  std::mutex m_mutex;
  std::uint64_t m_next_id = 1;
  struct Entry {
    std::uint64_t id;
    std::shared_ptr<const Listener> listener;
    std::shared_ptr<const LineListener> lines;  // null: takes lines as changes
  };
  [[nodiscard]] std::vector<Entry> listeners();
  std::vector<Entry> m_listeners;
};

// Reads `store.data_version()` on its own thread; when another connection committed, publishes
// the chats it changed, read from the database's log of them (Store::log_chat_changes, which
// this starts), or any_chat when the log lost some (pruned unread, too many at once,
// unreadable). Keeps the log short. Stops and joins in its destructor.
//
// It reads every `period`. Given the database's write-ahead log (`wal_file`), it reads that
// often only while the log is being written (and k_busy_window after): at rest it sleeps until
// the file is written (inotify), so an idle gateway does not wake 500 times a second. A commit's
// frames are written before it becomes visible, hence the polling after each write.
class DataVersionWatcher {
 public:
  DataVersionWatcher(std::unique_ptr<Store> store, ChangeFeed& feed,
                     std::chrono::milliseconds period, const std::string& wal_file = {});
  ~DataVersionWatcher();
  DataVersionWatcher(const DataVersionWatcher&) = delete;
  DataVersionWatcher& operator=(const DataVersionWatcher&) = delete;

 private:
  static constexpr int k_changes_per_read = 10'000;
  static constexpr int k_changes_kept = 100'000;  // a watcher further behind reads any_chat
  static constexpr std::chrono::seconds k_prune_period{10};
  static constexpr std::chrono::milliseconds k_busy_window{20};
  static constexpr std::chrono::seconds k_rest_check{1};  // at rest, should a write go unseen

  std::unique_ptr<Store> m_store;
  ChangeFeed& m_feed;
  std::chrono::milliseconds m_period;
  std::atomic<bool> m_stop{false};
  int m_writes = -1;  // inotify on the write-ahead log; -1: poll every period
  int m_wake = -1;    // eventfd: the destructor ends a wait at rest
  std::thread m_thread;
};

}  // namespace seshat::store
