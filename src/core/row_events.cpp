#include "core/row_events.hpp"

namespace seshat::core {

std::int64_t gone_after_ms(const Timeouts& timeouts) {
  const auto grace = timeouts.visitor_grace_ms;
  const auto timeout = timeouts.visitor_timeout_ms;
  return grace > 0 && (timeout == 0 || grace < timeout) ? grace : timeout;
}

std::optional<Event> changed_chat_event(const Chat& row, bool broker_seen, bool known) {
  if (!broker_seen && row.state == ChatState::waiting) return ChatOpened{row};
  if (row.state == ChatState::closed && known) return VisitorClosed{row.id};
  return std::nullopt;
}

bool visitor_wrote(const Chat& row, Seq relayed_seq) {
  return !row.opening_message.empty() || row.told_held || relayed_seq > 0;
}

std::optional<Event> overdue_event(const Chat& chat, std::int64_t away_for_ms, std::int64_t age_ms,
                                   bool wrote, const Timeouts& timeouts) {
  // Kept until an operator takes or finishes it (see VisitorVanished).
  const bool kept = chat.left_message || (chat.state == ChatState::open && !chat.email.empty());
  if (timeouts.visitor_timeout_ms > 0 && away_for_ms > timeouts.visitor_timeout_ms && !kept)
    return VisitorVanished{chat.id, wrote};
  if (timeouts.visitor_grace_ms > 0 && away_for_ms > timeouts.visitor_grace_ms &&
      !chat.visitor_away)
    return VisitorAway{chat.id};
  if (timeouts.accept_timeout_ms > 0 && is_request(chat.state) && !chat.left_message &&
      age_ms > timeouts.accept_timeout_ms)
    return AcceptTimedOut{chat.id};
  return std::nullopt;
}

}  // namespace seshat::core
