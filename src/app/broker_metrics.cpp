#include "app/broker_metrics.hpp"

#include <sstream>
#include <variant>

namespace seshat::app {

void BrokerMetrics::count(const core::Event& event, const core::Actions& actions) {
  const bool from_visitor = std::holds_alternative<core::VisitorMessage>(event);
  if (std::holds_alternative<core::ChatOpened>(event)) ++chats_opened;
  for (const auto& action : actions) {
    if (const auto* post = std::get_if<core::PostToChat>(&action)) {
      if (post->from == core::Author::operator_) ++to_visitors;
    } else if (from_visitor && std::holds_alternative<core::SendToOperator>(action)) {
      ++to_operators;
    } else if (const auto* availability = std::get_if<core::SetOperatorAvailable>(&action)) {
      operators_available += availability->available ? 1 : -1;
    } else if (const auto* free = std::get_if<core::SetOperatorFree>(&action)) {
      operators_free += free->free ? 1 : -1;
    }
  }
}

bool relays_to_visitor(const core::Actions& actions) {
  for (const auto& action : actions) {
    const auto* post = std::get_if<core::PostToChat>(&action);
    if (post != nullptr && post->from == core::Author::operator_) return true;
  }
  return false;
}

bool relays_to_operator(const core::Event& event, const core::Actions& actions) {
  if (!std::holds_alternative<core::VisitorMessage>(event)) return false;
  for (const auto& action : actions) {
    if (std::holds_alternative<core::SendToOperator>(action)) return true;
  }
  return false;
}

namespace {

template <class Atomic>
void line(std::ostringstream& out, const char* name, const char* type, const char* help,
          const Atomic& value, const char* labels = "") {
  out << "# HELP seshat_" << name << ' ' << help << '\n'
      << "# TYPE seshat_" << name << ' ' << type << '\n'
      << "seshat_" << name << labels << ' ' << value.load(std::memory_order_relaxed) << '\n';
}

}  // namespace

std::string render_prometheus(const BrokerMetrics& m) {
  std::ostringstream out;
  line(out, "chats_opened_total", "counter", "Chats the broker offered to operators.",
       m.chats_opened);
  out << "# HELP seshat_messages_relayed_total Chat messages relayed, by direction.\n"
      << "# TYPE seshat_messages_relayed_total counter\n"
      << "seshat_messages_relayed_total{direction=\"to_operator\"} " << m.to_operators.load()
      << '\n'
      << "seshat_messages_relayed_total{direction=\"to_visitor\"} " << m.to_visitors.load() << '\n';
  line(out, "xmpp_delivered_total", "counter", "Outbox messages confirmed by the XMPP server.",
       m.delivered);
  line(out, "xmpp_bounced_total", "counter", "Outbox messages bounced by the XMPP server.",
       m.bounced);
  line(out, "xmpp_reconnects_total", "counter", "XMPP connections established after the first.",
       m.reconnects);
  line(out, "xmpp_connected", "gauge", "1 while the XMPP session is up.", m.xmpp_connected);
  if (m.component_connected.load() >= 0)
    line(out, "xmpp_component_connected", "gauge", "1 while the XEP-0114 component stream is up.",
         m.component_connected);
  line(out, "operators_available", "gauge", "Operators online and not away.",
       m.operators_available);
  line(out, "operators_free", "gauge", "Available operators with room for another chat.",
       m.operators_free);
  out << "# HELP seshat_chats Live chats by state.\n# TYPE seshat_chats gauge\n"
      << "seshat_chats{state=\"waiting\"} " << m.chats_waiting.load() << '\n'
      << "seshat_chats{state=\"notified\"} " << m.chats_notified.load() << '\n'
      << "seshat_chats{state=\"open\"} " << m.chats_open.load() << '\n';
  out << "# HELP seshat_relay_latency_seconds Time a message spends in the broker, by direction.\n"
      << "# TYPE seshat_relay_latency_seconds histogram\n";
  m.to_operator_latency.render(out, "seshat_relay_latency_seconds", "direction=\"to_operator\"");
  m.to_visitor_latency.render(out, "seshat_relay_latency_seconds", "direction=\"to_visitor\"");
  return out.str();
}

}  // namespace seshat::app
