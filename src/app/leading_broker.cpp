#include "app/leading_broker.hpp"

#include <spdlog/spdlog.h>

namespace seshat::app {

using namespace std::chrono_literals;

LeadingBroker::LeadingBroker(const Config& config, store::ChangeFeed& feed)
    : m_config(config), m_feed(feed), m_leadership(config.database, leadership_holder()) {}

LeadingBroker::~LeadingBroker() {
  stop();
}

void LeadingBroker::start() {
  m_leadership.start();
  m_thread = std::thread([this] { run(); });
}

void LeadingBroker::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
  m_leadership.stop();
}

bool LeadingBroker::stopping() {
  std::unique_lock lock(m_mutex);
  // leading() changes by the clock too: look again every 100 ms (in memory, no query).
  m_wake.wait_for(lock, 100ms, [this] { return m_stopping; });
  return m_stopping;
}

void LeadingBroker::run() {
  while (!stopping()) {
    if (!m_leadership.leading()) continue;
    const auto epoch = m_leadership.epoch();
    spdlog::info("broker: starting as the leader (epoch {})", epoch);
    try {
      const auto leading = [this] { return m_leadership.leading(); };
      auto broker = std::make_unique<Broker>(
          m_config, m_feed, store::open_store(m_config.store_location()),
          [this, leading](xmpp::Listener& listener) {
            return connect_xmpp(m_config, listener, leading);
          },
          Fencing{epoch, leading});
      std::unique_ptr<Mailer> mailer;
      if (Mailer::needed(m_config)) {
        mailer = std::make_unique<Mailer>(m_config);
        mailer->fence(epoch);
      }
      broker->start();
      if (mailer) mailer->start();
      {
        std::lock_guard lock(m_mutex);
        m_broker = std::move(broker);
        m_mailer = std::move(mailer);
      }
      while (!stopping() && m_leadership.leading()) {
      }
    } catch (const std::exception& error) {
      spdlog::error("broker: {}", error.what());
    }
    std::unique_ptr<Broker> broker;
    std::unique_ptr<Mailer> mailer;
    {
      std::lock_guard lock(m_mutex);
      broker = std::move(m_broker);
      mailer = std::move(m_mailer);
    }
    if (!m_leadership.leading())
      spdlog::warn("broker: leadership lost (epoch {}): stopping", epoch);
    if (broker) broker->stop();
    if (mailer) mailer->stop();
  }
}

bool LeadingBroker::xmpp_connected() const {
  std::lock_guard lock(m_mutex);
  return m_broker && m_broker->xmpp_connected();
}

std::string LeadingBroker::metrics() const {
  std::string text = m_leadership.metrics();
  std::lock_guard lock(m_mutex);
  if (m_broker) text += m_broker->metrics();
  if (m_mailer) text += m_mailer->metrics();
  return text;
}

}  // namespace seshat::app
