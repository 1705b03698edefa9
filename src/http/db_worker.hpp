#pragma once
// The gateway's database thread: it alone owns the gateway's Store and the Visitors around it,
// and runs jobs from a bounded queue in order, so SQLite never blocks an io thread. A job posts
// its result back to whoever asked (a session's strand); the worker knows nothing of HTTP.
//
// Lifetime: the Store comes from the factory in the constructor (so a broken database fails
// there, on the caller's thread); the thread starts then. stop() (or the destructor) runs the
// jobs already queued, then joins. The ChangeFeed must outlive the worker.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "client/visitors.hpp"
#include "store/change_feed.hpp"
#include "store/store.hpp"

namespace seshat::http {

class DbWorker {
 public:
  using Job = std::function<void(client::Visitors&, store::Store&)>;
  using StoreFactory = std::function<std::unique_ptr<store::Store>()>;

  // Visitors publish their writes on `feed`.
  DbWorker(const StoreFactory& open_store, store::ChangeFeed& feed, client::Limits limits,
           std::size_t max_queue);
  ~DbWorker();
  DbWorker(const DbWorker&) = delete;
  DbWorker& operator=(const DbWorker&) = delete;

  // Queues `job`; false when the queue is full or the worker stopped (answer 503).
  [[nodiscard]] bool submit(Job job);
  [[nodiscard]] std::size_t queued() const;
  void stop();

 private:
  void run();

  std::unique_ptr<store::Store> m_store;
  client::Visitors m_visitors;
  std::size_t m_max_queue;
  mutable std::mutex m_mutex;
  std::condition_variable m_ready;
  std::deque<Job> m_jobs;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace seshat::http
