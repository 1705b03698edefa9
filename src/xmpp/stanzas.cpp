#include "xmpp/stanzas.hpp"

#include <new>

namespace seshat::xmpp {

StanzaPtr chat_message(xmpp_ctx_t* ctx, const std::string& to, const std::string& body,
                       const std::string& id) {
  StanzaPtr message(xmpp_message_new(ctx, "chat", to.c_str(), id.c_str()));
  xmpp_message_set_body(message.get(), body.c_str());
  return message;
}

StanzaPtr presence(xmpp_ctx_t* ctx, const std::string& type, const std::string& to) {
  StanzaPtr stanza(xmpp_presence_new(ctx));
  if (!type.empty()) xmpp_stanza_set_type(stanza.get(), type.c_str());
  if (!to.empty()) xmpp_stanza_set_to(stanza.get(), to.c_str());
  return stanza;
}

StanzaPtr ping(xmpp_ctx_t* ctx, const std::string& to, const std::string& id) {
  StanzaPtr iq(xmpp_iq_new(ctx, "get", id.c_str()));
  xmpp_stanza_set_to(iq.get(), to.c_str());
  StanzaPtr child(xmpp_stanza_new(ctx));
  xmpp_stanza_set_name(child.get(), "ping");
  xmpp_stanza_set_ns(child.get(), k_ns_ping);
  xmpp_stanza_add_child(iq.get(), child.get());  // takes its own reference
  return iq;
}

StanzaPtr iq_result(xmpp_ctx_t* ctx, xmpp_stanza_t* request) {
  StanzaPtr iq(xmpp_iq_new(ctx, "result", xmpp_stanza_get_id(request)));
  if (const char* from = xmpp_stanza_get_from(request)) xmpp_stanza_set_to(iq.get(), from);
  return iq;
}

StanzaPtr iq_unsupported(xmpp_stanza_t* request) {
  return StanzaPtr(xmpp_stanza_reply_error(request, "cancel", "service-unavailable", nullptr));
}

std::string attribute(xmpp_stanza_t* stanza, const char* name) {
  const char* value = xmpp_stanza_get_attribute(stanza, name);
  return value ? value : "";
}

std::string child_text(xmpp_ctx_t* ctx, xmpp_stanza_t* stanza, const char* name) {
  xmpp_stanza_t* child = xmpp_stanza_get_child_by_name(stanza, name);
  if (!child) return {};
  char* text = xmpp_stanza_get_text(child);
  if (!text) return {};
  std::string result(text);
  xmpp_free(ctx, text);
  return result;
}

void append_xml(xmpp_ctx_t* ctx, xmpp_stanza_t* stanza, std::string& out) {
  char* text = nullptr;
  std::size_t length = 0;
  if (xmpp_stanza_to_text(stanza, &text, &length) != XMPP_EOK) throw std::bad_alloc();
  out.append(text, length);
  xmpp_free(ctx, text);
}

}  // namespace seshat::xmpp
