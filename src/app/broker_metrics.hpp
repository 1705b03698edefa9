#pragma once
// What the broker counts, for GET /metrics: atomics bumped on the XMPP thread, read anywhere.

#include <atomic>
#include <cstdint>
#include <string>

#include "base/histogram.hpp"
#include "core/action.hpp"
#include "core/event.hpp"

namespace seshat::app {

struct BrokerMetrics {
  std::atomic<std::uint64_t> chats_opened{0};
  std::atomic<std::uint64_t> to_operators{0};  // visitor messages relayed to an operator
  std::atomic<std::uint64_t> to_visitors{0};   // operator messages posted to a chat
  std::atomic<std::uint64_t> delivered{0};     // outbox rows confirmed by the XMPP server
  std::atomic<std::uint64_t> bounced{0};
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<std::int64_t> chats_waiting{0};  // live chats by state, as the broker sees them
  std::atomic<std::int64_t> chats_notified{0};
  std::atomic<std::int64_t> chats_open{0};
  std::atomic<std::int64_t> operators_available{0};
  std::atomic<std::int64_t> operators_free{0};
  std::atomic<int> xmpp_connected{0};
  std::atomic<int> component_connected{-1};  // component mode: 0 or 1; -1: not configured
  // Visitor message stored -> sent to XMPP (millisecond resolution: the store's clock), and
  // operator message received -> stored for the visitor.
  base::Histogram to_operator_latency;
  base::Histogram to_visitor_latency;

  // Counts what one committed event and its actions did.
  void count(const core::Event& event, const core::Actions& actions);
};

// Whether the actions post an operator's message to a visitor.
[[nodiscard]] bool relays_to_visitor(const core::Actions& actions);
// Whether `event` is a visitor's message that the actions send on to an operator (a message held
// back before an accept is not relayed yet).
[[nodiscard]] bool relays_to_operator(const core::Event& event, const core::Actions& actions);

// Prometheus text format, names prefixed "seshat_".
[[nodiscard]] std::string render_prometheus(const BrokerMetrics& metrics);

}  // namespace seshat::app
