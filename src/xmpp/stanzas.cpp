#include "xmpp/stanzas.hpp"

#include <algorithm>
#include <new>

namespace seshat::xmpp {

namespace {

// Adds <name xmlns="ns"/> to `parent` (with an id attribute when not empty); returns it.
xmpp_stanza_t* add_element(xmpp_ctx_t* ctx, xmpp_stanza_t* parent, const char* name, const char* ns,
                           const std::string& id = {}) {
  StanzaPtr element(xmpp_stanza_new(ctx));
  xmpp_stanza_set_name(element.get(), name);
  if (ns != nullptr) xmpp_stanza_set_ns(element.get(), ns);
  if (!id.empty()) xmpp_stanza_set_id(element.get(), id.c_str());
  xmpp_stanza_add_child(parent, element.get());  // takes its own reference
  return element.get();
}

void add_text_element(xmpp_ctx_t* ctx, xmpp_stanza_t* parent, const char* name,
                      const std::string& text) {
  auto* element = add_element(ctx, parent, name, nullptr);
  StanzaPtr content(xmpp_stanza_new(ctx));
  xmpp_stanza_set_text(content.get(), text.c_str());
  xmpp_stanza_add_child(element, content.get());
}

// As libstrophe escapes text and attribute values (both in double quotes).
void append_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
}

constexpr const char* k_ns_chat_states = "http://jabber.org/protocol/chatstates";
constexpr const char* k_ns_origin_id = "urn:xmpp:sid:0";

}  // namespace

void append_chat_message(std::string& out, std::string_view to, std::string_view body,
                         std::string_view id, std::string_view from, std::string_view nick) {
  out += "<message type=\"chat\"";
  if (!from.empty()) {
    out += " from=\"";
    append_escaped(out, from);
    out += '"';
  }
  out += " to=\"";
  append_escaped(out, to);
  out += "\" id=\"";
  append_escaped(out, id);
  out += "\"><body>";
  append_escaped(out, body);
  out += "</body><active xmlns=\"";
  out += k_ns_chat_states;
  out += "\"/><origin-id xmlns=\"";
  out += k_ns_origin_id;
  out += "\" id=\"";
  append_escaped(out, id);
  out += "\"/>";
  if (!nick.empty()) {
    out += "<nick xmlns=\"http://jabber.org/protocol/nick\">";
    append_escaped(out, nick);
    out += "</nick>";
  }
  out += "</message>";
}

StanzaPtr receipt(xmpp_ctx_t* ctx, const std::string& to, const std::string& ref,
                  const std::string& id) {
  StanzaPtr message(xmpp_message_new(ctx, nullptr, to.c_str(), id.c_str()));
  add_element(ctx, message.get(), "received", "urn:xmpp:receipts", ref);
  add_element(ctx, message.get(), "origin-id", k_ns_origin_id, id);
  return message;
}

StanzaPtr displayed(xmpp_ctx_t* ctx, const std::string& to, const std::string& ref,
                    const std::string& id) {
  StanzaPtr message(xmpp_message_new(ctx, "chat", to.c_str(), id.c_str()));
  add_element(ctx, message.get(), "displayed", "urn:xmpp:chat-markers:0", ref);
  add_element(ctx, message.get(), "origin-id", k_ns_origin_id, id);
  return message;
}

StanzaPtr chat_state(xmpp_ctx_t* ctx, const std::string& to, bool typing, const std::string& id) {
  StanzaPtr message(xmpp_message_new(ctx, "chat", to.c_str(), id.c_str()));
  add_element(ctx, message.get(), typing ? "composing" : "active", k_ns_chat_states);
  add_element(ctx, message.get(), "no-store", "urn:xmpp:hints");  // XEP-0334: not archived
  add_element(ctx, message.get(), "origin-id", k_ns_origin_id, id);
  return message;
}

StanzaPtr disco_info(xmpp_ctx_t* ctx, xmpp_stanza_t* request,
                     const std::vector<std::string>& features, const char* category,
                     const char* type) {
  auto iq = iq_result(ctx, request);
  auto* query = add_element(ctx, iq.get(), "query", k_ns_disco_info);
  if (auto* asked = xmpp_stanza_get_child_by_name_and_ns(request, "query", k_ns_disco_info)) {
    if (const char* node = xmpp_stanza_get_attribute(asked, "node")) {
      xmpp_stanza_set_attribute(query, "node", node);
    }
  }
  auto* identity = add_element(ctx, query, "identity", nullptr);
  xmpp_stanza_set_attribute(identity, "category", category);
  xmpp_stanza_set_attribute(identity, "type", type);
  xmpp_stanza_set_attribute(identity, "name", "Seshat");
  for (const auto& feature : features) {
    xmpp_stanza_set_attribute(add_element(ctx, query, "feature", nullptr), "var", feature.c_str());
  }
  return iq;
}

void add_nick(xmpp_ctx_t* ctx, xmpp_stanza_t* stanza, const std::string& nick) {
  auto* element = add_element(ctx, stanza, "nick", "http://jabber.org/protocol/nick");
  StanzaPtr content(xmpp_stanza_new(ctx));
  xmpp_stanza_set_text(content.get(), nick.c_str());
  xmpp_stanza_add_child(element, content.get());
}

StanzaPtr software_version(xmpp_ctx_t* ctx, xmpp_stanza_t* request, const std::string& version) {
  auto iq = iq_result(ctx, request);
  auto* query = add_element(ctx, iq.get(), "query", k_ns_version);
  add_text_element(ctx, query, "name", "Seshat");
  add_text_element(ctx, query, "version", version);
  return iq;
}

std::string caps_verification(xmpp_ctx_t* ctx, const std::string& category, const std::string& type,
                              const std::string& name, std::vector<std::string> features) {
  std::sort(features.begin(), features.end());
  std::string text = category + "/" + type + "//" + name + "<";
  for (const auto& feature : features) text += feature + "<";
  unsigned char digest[XMPP_SHA1_DIGEST_SIZE];
  xmpp_sha1_digest(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  char* encoded = xmpp_base64_encode(ctx, digest, sizeof digest);
  if (encoded == nullptr) throw std::bad_alloc();
  std::string ver(encoded);
  xmpp_free(ctx, encoded);
  return ver;
}

StanzaPtr presence_with_caps(xmpp_ctx_t* ctx, const std::string& node, const std::string& ver) {
  auto stanza = presence(ctx);
  auto* caps = add_element(ctx, stanza.get(), "c", "http://jabber.org/protocol/caps");
  xmpp_stanza_set_attribute(caps, "hash", "sha-1");
  xmpp_stanza_set_attribute(caps, "node", node.c_str());
  xmpp_stanza_set_attribute(caps, "ver", ver.c_str());
  return stanza;
}

StanzaPtr vcard_request(xmpp_ctx_t* ctx, const std::string& to, const std::string& id) {
  StanzaPtr iq(xmpp_iq_new(ctx, "get", id.c_str()));
  xmpp_stanza_set_to(iq.get(), to.c_str());
  add_element(ctx, iq.get(), "vCard", "vcard-temp");
  return iq;
}

StanzaPtr iq_error(xmpp_stanza_t* request, const char* condition) {
  return StanzaPtr(xmpp_stanza_reply_error(request, "cancel", condition, nullptr));
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
