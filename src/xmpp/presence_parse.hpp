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
};

// `type` and `show` are "" when absent. An unknown <show/> value counts as available.
[[nodiscard]] ParsedPresence parse_presence(std::string_view type, std::string_view show);

}  // namespace seshat::xmpp
