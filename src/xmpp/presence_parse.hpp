#pragma once
// What an incoming <presence/> means, from its type attribute and <show/> text alone.

#include <optional>
#include <string_view>

#include "core/presence.hpp"

namespace seshat::xmpp {

enum class PresenceKind {
  availability,       // available (with a show) or unavailable
  subscribe_request,  // type="subscribe": someone asks to see our presence
  other,              // subscribed/unsubscribe/unsubscribed/probe/error: nothing to report
};

struct ParsedPresence {
  PresenceKind kind = PresenceKind::other;
  core::Show show = core::Show::available;  // meaningful for availability only
  int priority = 0;                         // <priority/>, -128..127
};

// `type`, `show` and `priority` are "" when absent. An unknown <show/> value counts as
// available; a missing or malformed <priority/> as 0 (RFC 6121 4.7.2.3).
[[nodiscard]] ParsedPresence parse_presence(std::string_view type, std::string_view show,
                                            std::string_view priority = {});
[[nodiscard]] int parse_priority(std::string_view text);

}  // namespace seshat::xmpp
