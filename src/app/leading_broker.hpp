#pragma once
// The broker side of a process on PostgreSQL, where several brokers share one database: it
// stands by until it leads (app/leadership.hpp), then runs a Broker (and the Mailer) fenced by
// its epoch, and stops them as soon as the lead is lost; it may lead again later.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/broker.hpp"
#include "app/config.hpp"
#include "app/leadership.hpp"
#include "app/mailer.hpp"
#include "store/change_feed.hpp"

namespace seshat::app {

class LeadingBroker {
 public:
  // `feed` must outlive it.
  LeadingBroker(const Config& config, store::ChangeFeed& feed);
  ~LeadingBroker();
  LeadingBroker(const LeadingBroker&) = delete;
  LeadingBroker& operator=(const LeadingBroker&) = delete;

  void start();
  // Stops the broker first, then gives up the lease, so a standby takes over at once.
  void stop();

  // Thread-safe.
  [[nodiscard]] bool leading() const { return m_leadership.leading(); }
  [[nodiscard]] bool xmpp_connected() const;
  [[nodiscard]] std::string metrics() const;

 private:
  void run();
  [[nodiscard]] bool stopping();

  Config m_config;
  store::ChangeFeed& m_feed;
  Leadership m_leadership;
  mutable std::mutex m_mutex;  // guards m_broker and m_mailer (pointers) and m_stopping
  std::condition_variable m_wake;
  bool m_stopping = false;
  std::unique_ptr<Broker> m_broker;
  std::unique_ptr<Mailer> m_mailer;
  std::thread m_thread;
};

}  // namespace seshat::app
