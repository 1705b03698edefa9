#pragma once
// Leadership among the brokers of one PostgreSQL database (design.md "Leadership"): a lease.
// The leader renews a row's expiry every renew period; a standby takes the row once the expiry
// passed (the database's clock), with a new epoch. A process frozen with its connection open
// (SIGSTOP) stops renewing and so loses the lead, which a session lock would not do.
//
// Fencing, three ways: leading() is false as soon as the lease may have ended by this
// process's own monotonic clock (which runs on while the process is stopped), so a leader
// woken from a freeze sends nothing before it renewed; every write of its store checks the
// epoch in the database (Store::fence); and it logs into XMPP only while leading().
//
// One thread ("seshat-lead") does the electing and renewing on its own store connection.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/store.hpp"

namespace seshat::app {

struct LeaseTiming {
  std::chrono::milliseconds lease{3000};  // how long a renewal holds
  std::chrono::milliseconds renew{500};   // the leader renews this often
  std::chrono::milliseconds retry{500};   // a standby tries this often
  std::chrono::milliseconds margin{500};  // leading() ends this much before the lease may
};

class Leadership {
 public:
  // `location`: the database (store::open_store); `holder`: this process's name in the row.
  Leadership(std::string location, std::string holder, LeaseTiming timing = {});
  ~Leadership();  // stops; a lease held is released so that a standby takes over at once
  Leadership(const Leadership&) = delete;
  Leadership& operator=(const Leadership&) = delete;

  void start();
  // Blocks until this process leads (its epoch) or stop() was called (0).
  [[nodiscard]] std::int64_t wait_for_lead();
  // Blocks until the lead is lost, for at most `at_most`; true when it is (or stop() was called).
  [[nodiscard]] bool wait_lost(std::chrono::milliseconds at_most);
  void stop();

  // Thread-safe and cheap: this process leads, and its lease surely still runs.
  [[nodiscard]] bool leading() const;
  [[nodiscard]] std::int64_t epoch() const { return m_epoch.load(); }
  [[nodiscard]] const std::string& holder() const { return m_holder; }
  [[nodiscard]] std::string metrics() const;  // Prometheus text lines

 private:
  void run();
  void set_leading(bool leading);

  std::string m_location;
  std::string m_holder;
  LeaseTiming m_timing;
  std::atomic<std::int64_t> m_epoch{0};
  std::atomic<std::int64_t> m_valid_until_ns{0};  // steady clock
  std::atomic<bool> m_leader{false};
  std::atomic<std::uint64_t> m_leads{0};   // times this process became leader
  std::atomic<std::uint64_t> m_losses{0};  // times it lost the lead
  std::mutex m_mutex;
  std::condition_variable m_changed;
  bool m_stopping = false;
  std::thread m_thread;
};

// This process's name as a holder: host, pid and a random part (a restarted pid differs).
[[nodiscard]] std::string leadership_holder();

}  // namespace seshat::app
