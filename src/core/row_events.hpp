#pragma once
// What the store's rows mean to the switchboard: the broker reads rows (pending changes,
// overdue chats) and hands them here to learn which core event, if any, they are. Pure.

#include <cstdint>
#include <optional>

#include "core/chat.hpp"
#include "core/event.hpp"

namespace seshat::core {

// The configured limits on a visitor's absence and a request's wait, in milliseconds; 0: off.
struct Timeouts {
  std::int64_t visitor_grace_ms = 0;    // the page gone this long: the visitor is away
  std::int64_t visitor_timeout_ms = 0;  // gone this long: the visitor vanished
  std::int64_t accept_timeout_ms = 0;   // a request not accepted this long fails
};

// After how long without a sign of the page a chat is overdue: the shorter of grace and
// timeout that is on; 0 when both are off.
[[nodiscard]] std::int64_t gone_after_ms(const Timeouts& timeouts);

// A changed chat row (`row`: as the store has it; `broker_seen`: the broker took it in before;
// `known`: the switchboard holds the chat). ChatOpened for a new request, VisitorClosed for a
// chat the board holds that the visitor closed; nullopt: the board takes the row as it is.
[[nodiscard]] std::optional<Event> changed_chat_event(const Chat& row, bool broker_seen,
                                                      bool known);

// Whether the visitor of `row` wrote anything: an opening message, a message held for the
// operator, or one already relayed (`relayed_seq` > 0).
[[nodiscard]] bool visitor_wrote(const Chat& row, Seq relayed_seq);

// An overdue chat: `chat` as the switchboard has it, its page gone `away_for_ms`, created
// `age_ms` ago. VisitorVanished past visitor_timeout (unless kept: a left message, an open
// chat whose visitor gave an email), else VisitorAway past visitor_grace (once), else
// AcceptTimedOut for a request past accept_timeout (never a left message); nullopt otherwise.
[[nodiscard]] std::optional<Event> overdue_event(const Chat& chat, std::int64_t away_for_ms,
                                                 std::int64_t age_ms, bool wrote,
                                                 const Timeouts& timeouts);

}  // namespace seshat::core
