#pragma once
// How the bot answers an IQ addressed to it: from the IQ's type, sender and payload alone.
// Pure (no libstrophe), so the rules are unit-tested.
//
//   get  urn:xmpp:ping                              -> empty result (XEP-0199)
//   get  disco#info without node, or with the node  -> identity and features (XEP-0030)
//        of our entity capabilities (XEP-0115)
//   get  disco#info with another node               -> item-not-found
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
  std::string_view node;        // the payload's node attribute ("" when none)
};

// `own_jid`: the bot's JID (bare or full); `caps_node`: "node#ver" of its entity capabilities.
[[nodiscard]] IqAnswer answer_iq(const IqRequest& request, std::string_view own_jid,
                                 std::string_view caps_node = {});

}  // namespace seshat::xmpp
