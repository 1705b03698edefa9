#pragma once
// The change feed across processes on PostgreSQL: a dedicated connection LISTENs on the
// channel every committing write transaction NOTIFYs (pg_store.cpp), and publishes the chats
// named to this process's ChangeFeed within milliseconds of the commit, without polling.
// A lost connection is connected again (with backoff), then any_chat is published: every
// waiter reads again, so a notification sent while nobody listened is never missed.

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "store/change_feed.hpp"

namespace seshat::store {

class PgListener {
 public:
  // Connects and LISTENs before returning (throws StoreError if it cannot), so that a commit
  // made after construction is never missed. `skip_own`: notifications sent by this process's
  // own stores are not published again (its writers publish on the feed themselves).
  PgListener(std::string uri, ChangeFeed& feed, bool skip_own = true);
  ~PgListener();  // stops and joins
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;

  [[nodiscard]] bool connected() const { return m_connected.load(); }
  // Prometheus text lines: notifications, reconnects, the last commit-to-wake lag.
  [[nodiscard]] std::string metrics() const;

 private:
  void run();

  std::string m_uri;
  ChangeFeed& m_feed;
  bool m_skip_own = true;
  void* m_conn = nullptr;    // the PGconn, owned by the thread once it runs
  int m_wake[2] = {-1, -1};  // a pipe: the destructor wakes the thread's poll()
  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_connected{false};
  std::atomic<std::uint64_t> m_notifications{0};  // from other processes
  std::atomic<std::uint64_t> m_reconnects{0};
  std::atomic<std::int64_t> m_last_lag_ms{0};
  std::atomic<std::int64_t> m_lag_sum_ms{0};
  std::thread m_thread;
};

}  // namespace seshat::store
