#pragma once
// The life cycle of a chat as data (the model: Prosody's util/fsm.lua): one table of the
// moves a chat may make, each named by what happens. The core checks every SetState it decides
// against it (Switchboard::handle), and the store's guarded updates check it too, so a move the
// table does not allow is refused with a precise message wherever it comes from. Final states
// (closed, canceled, failed, abandoned) have no way out.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/chat.hpp"

namespace seshat::core {

struct Transition {
  std::string_view name;  // what happens: "accept", "close", ...
  ChatState from;
  ChatState to;
};

// clang-format off
inline constexpr std::array<Transition, 18> k_transitions{{
    // An available operator was told about the request.
    {"notify",   ChatState::waiting,  ChatState::notified},
    // An offer moved on (routing) and nobody is told about the request now.
    {"unoffer",  ChatState::notified, ChatState::waiting},
    // An operator accepted it.
    {"accept",   ChatState::waiting,  ChatState::open},
    {"accept",   ChatState::notified, ChatState::open},
    // Another operator accepted a chat handed to them (the operator changes, the state not).
    {"transfer", ChatState::open,     ChatState::open},
    // An operator canceled the request.
    {"cancel",   ChatState::waiting,  ChatState::canceled},
    {"cancel",   ChatState::notified, ChatState::canceled},
    // The handling operator went offline (or gave it back): it is offered again.
    {"requeue",  ChatState::open,     ChatState::waiting},
    {"requeue",  ChatState::open,     ChatState::notified},
    // Operator !FINISH, or the visitor closed it (also before anyone accepted).
    {"close",    ChatState::waiting,  ChatState::closed},
    {"close",    ChatState::notified, ChatState::closed},
    {"close",    ChatState::open,     ChatState::closed},
    // The visitor vanished for longer than visitor_timeout.
    {"abandon",  ChatState::waiting,  ChatState::abandoned},
    {"abandon",  ChatState::notified, ChatState::abandoned},
    {"abandon",  ChatState::open,     ChatState::abandoned},
    // Nobody could carry it (e.g. it waited past accept_timeout).
    {"fail",     ChatState::waiting,  ChatState::failed},
    {"fail",     ChatState::notified, ChatState::failed},
    {"fail",     ChatState::open,     ChatState::failed},
}};
// clang-format on

// The table's row for this move, or nullopt when the table does not allow it.
[[nodiscard]] std::optional<Transition> find_transition(ChatState from, ChatState to);
[[nodiscard]] bool is_allowed(ChatState from, ChatState to);

// nullopt when allowed; else why not, e.g. "chat 42 cannot go from closed to open: closed is
// final" or "chat 42 cannot go from waiting to waiting: no such transition".
[[nodiscard]] std::optional<std::string> refuse_transition(ChatId chat, ChatState from,
                                                           ChatState to);

}  // namespace seshat::core
