#pragma once
// Building and reading the few stanzas the bot uses, with RAII around libstrophe's refcounts.

#include <strophe.h>

#include <memory>
#include <string>

namespace seshat::xmpp {

inline constexpr const char* k_ns_ping = "urn:xmpp:ping";

struct StanzaRelease {
  void operator()(xmpp_stanza_t* stanza) const { xmpp_stanza_release(stanza); }
};
using StanzaPtr = std::unique_ptr<xmpp_stanza_t, StanzaRelease>;

// <message type="chat" to=".." id=".."><body>..</body></message>
[[nodiscard]] StanzaPtr chat_message(xmpp_ctx_t* ctx, const std::string& to,
                                     const std::string& body, const std::string& id);
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
