#pragma once
// Delivery bookkeeping for one connection, without any XMPP library: which message ids were
// written before which ping barrier, and which of them the server bounced.
//
// A server handles one stream's stanzas in order (RFC 6120 section 10.1), so when a barrier's
// answer arrives every message written before it was routed, stored offline, or bounced with a
// <message type="error"> carrying its id (which arrived before the answer).

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace seshat::xmpp {

// "seshat-<id>": the stable stanza id of an outgoing message.
[[nodiscard]] std::string message_stanza_id(std::int64_t id);
[[nodiscard]] std::optional<std::int64_t> parse_message_stanza_id(std::string_view stanza_id);

struct DeliveryReport {
  std::vector<std::int64_t> delivered;
  std::vector<std::int64_t> bounced;
};

class DeliveryTracker {
 public:
  using Clock = std::chrono::steady_clock;

  // Records the ids written just before a barrier; returns the barrier's stanza id.
  [[nodiscard]] std::string add_batch(std::vector<std::int64_t> ids, Clock::time_point now);
  // A message error came back. Returns false if the id is not one in flight (logged by caller).
  bool bounce(std::string_view stanza_id);
  // The barrier's result or error arrived: its batch, split. nullopt for an unknown barrier id.
  [[nodiscard]] std::optional<DeliveryReport> complete(std::string_view barrier_id);
  // The connection was lost: nothing in flight will be reported.
  void clear();
  // When the oldest unanswered barrier was written (to detect a dead connection).
  [[nodiscard]] std::optional<Clock::time_point> oldest_pending() const;

 private:
  struct Batch {
    std::string barrier_id;
    std::vector<std::int64_t> ids;
    Clock::time_point sent_at;
  };
  std::deque<Batch> m_batches;
  std::set<std::int64_t> m_bounced;
  std::uint64_t m_next_barrier = 1;  // never reused, so a late answer cannot match a new batch
};

}  // namespace seshat::xmpp
