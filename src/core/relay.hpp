#pragma once
// A visitor's line to the operator who holds its chat: what the Switchboard sends for it
// (VisitorMessage), and what the gateway writes in the line's own transaction when the broker
// holds the chat open and every earlier line went already (Store::relay_open_lines), so that
// the broker only sends it.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/action.hpp"
#include "core/chat.hpp"

namespace seshat::core {

// How operators tell chats apart: one bot account, with "[#42 customer] " before visitor lines
// when they hold several; or (XEP-0114 component) each chat its own address, no prefixes, and
// every SendToOperator about a chat carries its id.
enum class Addressing { account, component };

// What goes before each visitor line of `chat` to an operator who holds `holding` open chats.
[[nodiscard]] std::string line_prefix(Addressing addressing, ChatId chat,
                                      std::string_view visitor_name, std::size_t holding);

// Visitor line `text` of open chat `chat` to its operator (over several stanzas when long:
// pass the result through fit_to_stanzas).
[[nodiscard]] SendToOperator line_to_operator(Addressing addressing, ChatId chat,
                                              std::string_view operator_jid,
                                              std::string_view visitor_name, std::size_t holding,
                                              std::string_view text);

}  // namespace seshat::core
