#include "xmpp/iq_policy.hpp"

#include "core/presence.hpp"

namespace seshat::xmpp {

IqAnswer answer_iq(const IqRequest& request, std::string_view own_jid, std::string_view caps_node) {
  // Never answer an answer (RFC 6120 8.2.3): that is how two entities loop forever.
  if (request.type != "get" && request.type != "set") return IqAnswer::none;
  const auto is = [&](std::string_view name, std::string_view ns) {
    return request.payload == name && request.payload_ns == ns;
  };
  if (request.type == "get") {
    if (is("ping", "urn:xmpp:ping")) return IqAnswer::empty_result;
    if (is("query", "http://jabber.org/protocol/disco#info"))
      return request.node.empty() || request.node == caps_node ? IqAnswer::disco_info
                                                               : IqAnswer::item_not_found;
    if (is("query", "jabber:iq:version")) return IqAnswer::version;
    return IqAnswer::service_unavailable;
  }
  if (is("query", "jabber:iq:roster")) {
    const bool from_account =
        request.from.empty() || core::split_jid(request.from).bare == core::split_jid(own_jid).bare;
    return from_account ? IqAnswer::empty_result : IqAnswer::none;
  }
  return IqAnswer::service_unavailable;
}

}  // namespace seshat::xmpp
