#pragma once
// Building and reading the few stanzas the bot uses, with RAII around libstrophe's refcounts.

#include <strophe.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace seshat::xmpp {

inline constexpr const char* k_ns_ping = "urn:xmpp:ping";
inline constexpr const char* k_ns_disco_info = "http://jabber.org/protocol/disco#info";
inline constexpr const char* k_ns_version = "jabber:iq:version";
inline constexpr const char* k_ns_roster = "jabber:iq:roster";

struct StanzaRelease {
  void operator()(xmpp_stanza_t* stanza) const { xmpp_stanza_release(stanza); }
};
using StanzaPtr = std::unique_ptr<xmpp_stanza_t, StanzaRelease>;

// Appends <message type="chat" [from=".."] to=".." id=".."><body>..</body><active/>
// <origin-id id=".."/>[<nick>..</nick>]</message> (XEP-0085 active: the bot supports chat
// states; XEP-0359 origin-id equal to the stable id, so a copy sent again after a reconnect can
// be recognised; XEP-0172 nick when given). Written as text, not built as a libstrophe tree and
// rendered: every relayed line is one, and that was a tenth of the XMPP thread.
void append_chat_message(std::string& out, std::string_view to, std::string_view body,
                         std::string_view id, std::string_view from = {},
                         std::string_view nick = {});
// <message to=".." id=".."><received xmlns="urn:xmpp:receipts" id="ref"/><origin-id/></message>
[[nodiscard]] StanzaPtr receipt(xmpp_ctx_t* ctx, const std::string& to, const std::string& ref,
                                const std::string& id);
// <message type="chat" to=".." id=".."><displayed xmlns="urn:xmpp:chat-markers:0" id="ref"/>
// <origin-id/></message>
[[nodiscard]] StanzaPtr displayed(xmpp_ctx_t* ctx, const std::string& to, const std::string& ref,
                                  const std::string& id);
// <message type="chat" to=".." id=".."><composing/> or <active/><no-store/><origin-id/></message>
[[nodiscard]] StanzaPtr chat_state(xmpp_ctx_t* ctx, const std::string& to, bool typing,
                                   const std::string& id);
// The XEP-0030 disco#info answer to `request`: one identity (client/bot "Seshat" unless told)
// and `features` (and the node the request named, if any).
[[nodiscard]] StanzaPtr disco_info(xmpp_ctx_t* ctx, xmpp_stanza_t* request,
                                   const std::vector<std::string>& features,
                                   const char* category = "client", const char* type = "bot");
// Adds <nick xmlns="http://jabber.org/protocol/nick">nick</nick> (XEP-0172) to `stanza`.
void add_nick(xmpp_ctx_t* ctx, xmpp_stanza_t* stanza, const std::string& nick);
// The XEP-0092 answer to `request`: name "Seshat" and `version`.
[[nodiscard]] StanzaPtr software_version(xmpp_ctx_t* ctx, xmpp_stanza_t* request,
                                         const std::string& version);
// XEP-0115 entity capabilities: the verification string of one identity and `features`
// (section 5.1), base64 of its SHA-1.
[[nodiscard]] std::string caps_verification(xmpp_ctx_t* ctx, const std::string& category,
                                            const std::string& type, const std::string& name,
                                            std::vector<std::string> features);
// <presence><c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node=".." ver=".."/>
// </presence>: available, with what the bot supports (clients need not ask disco#info).
[[nodiscard]] StanzaPtr presence_with_caps(xmpp_ctx_t* ctx, const std::string& node,
                                           const std::string& ver);
// <iq type="get" to=".." id=".."><vCard xmlns="vcard-temp"/></iq>
[[nodiscard]] StanzaPtr vcard_request(xmpp_ctx_t* ctx, const std::string& to,
                                      const std::string& id);
// An <iq type="error"> answering `request` with `condition` (type cancel).
[[nodiscard]] StanzaPtr iq_error(xmpp_stanza_t* request, const char* condition);
// <presence/>, with a type and a recipient when not empty.
[[nodiscard]] StanzaPtr presence(xmpp_ctx_t* ctx, const std::string& type = {},
                                 const std::string& to = {});
// <iq type="get" to=".." id=".."><ping xmlns="urn:xmpp:ping"/></iq> (XEP-0199)
[[nodiscard]] StanzaPtr ping(xmpp_ctx_t* ctx, const std::string& to, const std::string& id);
// An empty <iq type="result"/> answering `request`.
[[nodiscard]] StanzaPtr iq_result(xmpp_ctx_t* ctx, xmpp_stanza_t* request);
// <iq type="error"> with <service-unavailable/> answering `request`.
[[nodiscard]] StanzaPtr iq_unsupported(xmpp_stanza_t* request);

// Appends the stanza's XML to `out`: several stanzas then go out in one write.
void append_xml(xmpp_ctx_t* ctx, xmpp_stanza_t* stanza, std::string& out);

// An attribute, or "" when absent.
[[nodiscard]] std::string attribute(xmpp_stanza_t* stanza, const char* name);
// The text of the first child called `name`, or "" when absent.
[[nodiscard]] std::string child_text(xmpp_ctx_t* ctx, xmpp_stanza_t* stanza, const char* name);

}  // namespace seshat::xmpp
