#include "xmpp/delivery_tracker.hpp"

#include <algorithm>
#include <charconv>

namespace seshat::xmpp {
namespace {
constexpr std::string_view k_message_prefix = "seshat-";
constexpr std::string_view k_barrier_prefix = "seshat-barrier-";
}  // namespace

std::string message_stanza_id(std::int64_t id) {
  return std::string(k_message_prefix) + std::to_string(id);
}

std::optional<std::int64_t> parse_message_stanza_id(std::string_view stanza_id) {
  if (!stanza_id.starts_with(k_message_prefix)) return std::nullopt;
  const auto digits = stanza_id.substr(k_message_prefix.size());
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return id;
}

void DeliveryTracker::written(const std::vector<std::int64_t>& ids, Clock::time_point now) {
  if (ids.empty()) return;
  if (!m_written_at) m_written_at = now;
  m_written.insert(m_written.end(), ids.begin(), ids.end());
}

std::optional<std::string> DeliveryTracker::barrier(Clock::time_point now, bool keepalive) {
  if (m_in_flight || (m_written.empty() && !keepalive)) return std::nullopt;
  auto barrier_id = std::string(k_barrier_prefix) + std::to_string(m_next_barrier++);
  m_in_flight = Batch{barrier_id, std::move(m_written), m_written_at.value_or(now)};
  m_written.clear();
  m_written_at.reset();
  return barrier_id;
}

bool DeliveryTracker::bounce(std::string_view stanza_id) {
  const auto id = parse_message_stanza_id(stanza_id);
  if (!id) return false;
  const auto among = [&](const std::vector<std::int64_t>& ids) {
    return std::find(ids.begin(), ids.end(), *id) != ids.end();
  };
  const bool in_flight = (m_in_flight && among(m_in_flight->ids)) || among(m_written);
  if (in_flight) m_bounced.insert(*id);
  return in_flight;
}

std::optional<DeliveryReport> DeliveryTracker::complete(std::string_view barrier_id) {
  if (!m_in_flight || m_in_flight->barrier_id != barrier_id) return std::nullopt;
  DeliveryReport report;
  for (const auto id : m_in_flight->ids) {
    if (m_bounced.erase(id) > 0) {
      report.bounced.push_back(id);
    } else {
      report.delivered.push_back(id);
    }
  }
  m_in_flight.reset();
  return report;
}

void DeliveryTracker::clear() {
  m_in_flight.reset();
  m_written.clear();
  m_written_at.reset();
  m_bounced.clear();
}

std::optional<DeliveryTracker::Clock::time_point> DeliveryTracker::oldest_pending() const {
  if (m_in_flight) return m_in_flight->since;
  return m_written_at;
}

}  // namespace seshat::xmpp
