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

std::string DeliveryTracker::add_batch(std::vector<std::int64_t> ids, Clock::time_point now) {
  auto barrier_id = std::string(k_barrier_prefix) + std::to_string(m_next_barrier++);
  m_batches.push_back({barrier_id, std::move(ids), now});
  return barrier_id;
}

bool DeliveryTracker::bounce(std::string_view stanza_id) {
  const auto id = parse_message_stanza_id(stanza_id);
  if (!id) return false;
  const bool in_flight = std::any_of(m_batches.begin(), m_batches.end(), [&](const Batch& batch) {
    return std::find(batch.ids.begin(), batch.ids.end(), *id) != batch.ids.end();
  });
  if (in_flight) m_bounced.insert(*id);
  return in_flight;
}

std::optional<DeliveryReport> DeliveryTracker::complete(std::string_view barrier_id) {
  const auto batch = std::find_if(m_batches.begin(), m_batches.end(),
                                  [&](const Batch& b) { return b.barrier_id == barrier_id; });
  if (batch == m_batches.end()) return std::nullopt;
  DeliveryReport report;
  for (const auto id : batch->ids) {
    if (m_bounced.erase(id) > 0) {
      report.bounced.push_back(id);
    } else {
      report.delivered.push_back(id);
    }
  }
  m_batches.erase(batch);
  return report;
}

void DeliveryTracker::clear() {
  m_batches.clear();
  m_bounced.clear();
}

std::optional<DeliveryTracker::Clock::time_point> DeliveryTracker::oldest_pending() const {
  if (m_batches.empty()) return std::nullopt;
  return m_batches.front().sent_at;
}

}  // namespace seshat::xmpp
