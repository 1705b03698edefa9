#include "xmpp/presence_parse.hpp"

#include <charconv>

namespace seshat::xmpp {

int parse_priority(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n'))
    text.remove_suffix(1);
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [rest, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || rest != end || value < -128 || value > 127) return 0;
  return value;
}

ParsedPresence parse_presence(std::string_view type, std::string_view show,
                              std::string_view priority) {
  if (type.empty()) {
    const auto parsed = core::show_from_string(show);
    const int level = parse_priority(priority);
    // <show/> cannot say "unavailable"; only the type attribute can.
    if (!parsed || *parsed == core::Show::unavailable) {
      return {PresenceKind::availability, core::Show::available, level};
    }
    return {PresenceKind::availability, *parsed, level};
  }
  if (type == "unavailable") return {PresenceKind::availability, core::Show::unavailable};
  if (type == "subscribe") return {PresenceKind::subscribe_request, core::Show::available};
  return {PresenceKind::other, core::Show::available};
}

}  // namespace seshat::xmpp
