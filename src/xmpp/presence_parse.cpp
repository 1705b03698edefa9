#include "xmpp/presence_parse.hpp"

namespace seshat::xmpp {

ParsedPresence parse_presence(std::string_view type, std::string_view show) {
  if (type.empty()) {
    const auto parsed = core::show_from_string(show);
    // <show/> cannot say "unavailable"; only the type attribute can.
    if (!parsed || *parsed == core::Show::unavailable) {
      return {PresenceKind::availability, core::Show::available};
    }
    return {PresenceKind::availability, *parsed};
  }
  if (type == "unavailable") return {PresenceKind::availability, core::Show::unavailable};
  if (type == "subscribe") return {PresenceKind::subscribe_request, core::Show::available};
  return {PresenceKind::other, core::Show::available};
}

}  // namespace seshat::xmpp
