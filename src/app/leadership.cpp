#include "app/leadership.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <random>

namespace seshat::app {
namespace {

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string leadership_holder() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::random_device random;
  return std::string(host) + "/" + std::to_string(::getpid()) + "/" +
         std::to_string(random() % 100000);
}

Leadership::Leadership(std::string location, std::string holder, LeaseTiming timing)
    : m_location(std::move(location)), m_holder(std::move(holder)), m_timing(timing) {}

Leadership::~Leadership() {
  stop();
}

void Leadership::start() {
  m_thread = std::thread([this] { run(); });
}

void Leadership::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_changed.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

bool Leadership::leading() const {
  return m_leader.load() && steady_ns() < m_valid_until_ns.load();
}

std::int64_t Leadership::wait_for_lead() {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [this] { return m_stopping || leading(); });
  return m_stopping ? 0 : m_epoch.load();
}

bool Leadership::wait_lost(std::chrono::milliseconds at_most) {
  std::unique_lock lock(m_mutex);
  // leading() also ends by the clock alone: wait_for wakes on time.
  return m_changed.wait_for(lock, at_most, [this] { return m_stopping || !leading(); });
}

void Leadership::set_leading(bool leading) {
  {
    std::lock_guard lock(m_mutex);
    m_leader = leading;
  }
  m_changed.notify_all();
}

void Leadership::run() {
  pthread_setname_np(pthread_self(), "seshat-lead");
  std::unique_ptr<store::Store> store;
  const auto lease_ms = m_timing.lease.count();
  const auto pause = [this](std::chrono::milliseconds period) {
    std::unique_lock lock(m_mutex);
    return !m_changed.wait_for(lock, period, [this] { return m_stopping; });
  };
  bool logged_standby = false;
  while (true) {
    try {
      if (!store) store = store::open_store(m_location);
      if (!m_leader.load()) {
        const auto started = steady_ns();
        if (const auto epoch = store->try_lead(m_holder, lease_ms)) {
          m_epoch = *epoch;
          m_valid_until_ns =
              started + std::chrono::nanoseconds(m_timing.lease - m_timing.margin).count();
          ++m_leads;
          logged_standby = false;
          spdlog::info("leadership: leading as {} (epoch {})", m_holder, *epoch);
          set_leading(true);
        } else if (!logged_standby) {
          logged_standby = true;
          const auto leader = store->leader();
          spdlog::info("leadership: standby; {} leads (epoch {})",
                       leader ? leader->holder : std::string("nobody"), leader ? leader->epoch : 0);
        }
      } else {
        const auto started = steady_ns();
        if (store->renew_lead(m_epoch.load(), lease_ms)) {
          // Only if the lease had not already run out by our clock: a renewal after a freeze
          // keeps nothing that was lost meanwhile (the broker has been told to stop).
          if (steady_ns() - started <
                  std::chrono::nanoseconds(m_timing.lease - m_timing.margin).count() &&
              leading()) {
            m_valid_until_ns =
                started + std::chrono::nanoseconds(m_timing.lease - m_timing.margin).count();
          }
        } else {
          spdlog::warn("leadership: lost (epoch {} is no longer the newest)", m_epoch.load());
          m_valid_until_ns = 0;
        }
      }
    } catch (const store::StoreError& error) {
      spdlog::error("leadership: {}", error.what());
      store.reset();  // connect again next time; the lease runs out by itself meanwhile
    }
    if (m_leader.load() && !leading()) {
      ++m_losses;
      spdlog::warn("leadership: no longer leading (epoch {}); standing by", m_epoch.load());
      set_leading(false);
    }
    if (!pause(m_leader.load() ? m_timing.renew : m_timing.retry)) break;
  }
  if (m_leader.load() && store) {
    try {
      store->release_lead(m_epoch.load());
      spdlog::info("leadership: released (epoch {})", m_epoch.load());
    } catch (const store::StoreError& error) {
      spdlog::warn("leadership: cannot release: {}", error.what());
    }
  }
  set_leading(false);
}

std::string Leadership::metrics() const {
  std::string text;
  text += "# HELP seshat_broker_leader Whether this broker leads (1) or stands by (0).\n";
  text += "# TYPE seshat_broker_leader gauge\n";
  text += std::string("seshat_broker_leader ") + (leading() ? "1" : "0") + "\n";
  text += "# HELP seshat_broker_leadership_epoch The epoch this broker last led in.\n";
  text += "# TYPE seshat_broker_leadership_epoch gauge\n";
  text += "seshat_broker_leadership_epoch " + std::to_string(m_epoch.load()) + "\n";
  text += "# HELP seshat_broker_leadership_gained_total Times this broker became the leader.\n";
  text += "# TYPE seshat_broker_leadership_gained_total counter\n";
  text += "seshat_broker_leadership_gained_total " + std::to_string(m_leads.load()) + "\n";
  text += "# HELP seshat_broker_leadership_lost_total Times this broker lost the lead.\n";
  text += "# TYPE seshat_broker_leadership_lost_total counter\n";
  text += "seshat_broker_leadership_lost_total " + std::to_string(m_losses.load()) + "\n";
  return text;
}

}  // namespace seshat::app
