#pragma once
// Component mode's addresses: chat N is N@<component>. Pure (no libstrophe), unit-tested.

#include <optional>
#include <string>
#include <string_view>

#include "core/chat.hpp"

namespace seshat::xmpp {

// "42@chat.example.com".
[[nodiscard]] std::string chat_address(core::ChatId chat, std::string_view component);

// The chat whose address `jid` is (a resource is allowed: clients may address one), or nullopt
// when it is not one: another domain (compared case-insensitively), the bare domain, or a local
// part that is not a chat id (digits only, no leading zero, 1 and up).
[[nodiscard]] std::optional<core::ChatId> chat_of_address(std::string_view jid,
                                                          std::string_view component);

}  // namespace seshat::xmpp
