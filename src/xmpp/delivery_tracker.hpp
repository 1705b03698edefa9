#pragma once
// Delivery bookkeeping for one connection, without any XMPP library: which message ids were
// written before which ping barrier, and which of them the server bounced.
//
// A server handles one stream's stanzas in order (RFC 6120 section 10.1), so when a barrier's
// answer arrives every message written before it was routed, stored offline, or bounced with a
// <message type="error"> carrying its id (which arrived before the answer). One barrier is in
// flight at a time: what is written meanwhile goes out at once and waits for the next barrier,
// sent when the answer comes. At rest every write still gets its own; in a burst the server
// answers one ping a round trip instead of one a write (each cost it about what a message does:
// bench/rounds.md).

#include <chrono>
#include <cstdint>
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

  // Records the ids of messages just written.
  void written(const std::vector<std::int64_t>& ids, Clock::time_point now);
  // The id of the barrier to write now, behind everything written so far; nullopt while the
  // last one is unanswered (ask again once complete() took its answer), or when nothing was
  // written since it and this is not a `keepalive`.
  [[nodiscard]] std::optional<std::string> barrier(Clock::time_point now, bool keepalive = false);
  // A message error came back. Returns false if the id is not one in flight (logged by caller).
  bool bounce(std::string_view stanza_id);
  // The barrier's result or error arrived: its batch, split. nullopt for an unknown barrier id.
  [[nodiscard]] std::optional<DeliveryReport> complete(std::string_view barrier_id);
  // The connection was lost: nothing in flight will be reported.
  void clear();
  // When the oldest message or barrier still unanswered was written (to detect a dead
  // connection); nullopt when nothing waits for an answer.
  [[nodiscard]] std::optional<Clock::time_point> oldest_pending() const;

 private:
  struct Batch {
    std::string barrier_id;
    std::vector<std::int64_t> ids;
    Clock::time_point since;  // when its first message (or the barrier alone) was written
  };
  std::optional<Batch> m_in_flight;
  std::vector<std::int64_t> m_written;            // written since the barrier in flight
  std::optional<Clock::time_point> m_written_at;  // when the first of those was
  std::set<std::int64_t> m_bounced;
  std::uint64_t m_next_barrier = 1;  // never reused, so a late answer cannot match a new batch
};

}  // namespace seshat::xmpp
