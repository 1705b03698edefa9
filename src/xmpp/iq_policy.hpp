#pragma once
// How the bot answers an IQ addressed to it: from the IQ's type, sender and payload alone.
// Pure (no libstrophe), so the rules are unit-tested.
//
//   get  urn:xmpp:ping                              -> empty result (XEP-0199)
//   get  disco#info without node                    -> identity and features (XEP-0030)
//   get  disco#info with a node                     -> item-not-found (we publish no nodes)
//   get  jabber:iq:version                          -> name and version (XEP-0092)
//   set  jabber:iq:roster from our own account      -> empty result (RFC 6121 2.1.6)
//   set  jabber:iq:roster from anyone else          -> ignored (RFC 6121 2.1.6: MUST ignore)
//   any other get or set                            -> service-unavailable (RFC 6120 8.4)
//   result or error                                 -> never answered

#include <string_view>

namespace seshat::xmpp {

enum class IqAnswer {
  none,          // result/error, or a roster push not from our account
  empty_result,  // ping, roster push
  disco_info,
  version,
  item_not_found,
  service_unavailable,
};

struct IqRequest {
  std::string_view type;        // "get", "set", "result", "error"
  std::string_view from;        // "" when absent
  std::string_view payload;     // name of the first child element ("" when none)
  std::string_view payload_ns;  // its namespace
  bool has_node = false;        // the payload has a node attribute
};

// `own_jid`: the bot's JID (bare or full).
[[nodiscard]] IqAnswer answer_iq(const IqRequest& request, std::string_view own_jid);

}  // namespace seshat::xmpp
