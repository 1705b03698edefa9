#include "xmpp/message_parse.hpp"

#include <string_view>

#include "xmpp/stanzas.hpp"

namespace seshat::xmpp {
namespace {

xmpp_stanza_t* child(xmpp_stanza_t* stanza, const char* name, const char* ns) {
  return xmpp_stanza_get_child_by_name_and_ns(stanza, name, ns);
}

std::string text_of(xmpp_ctx_t* ctx, xmpp_stanza_t* element) {
  if (element == nullptr) return {};
  char* text = xmpp_stanza_get_text(element);
  if (text == nullptr) return {};
  std::string result(text);
  xmpp_free(ctx, text);
  return result;
}

// XEP-0085: composing is typing; paused, active, inactive and gone all say it stopped.
core::Typing chat_state(xmpp_stanza_t* stanza) {
  for (auto* element = xmpp_stanza_get_children(stanza); element != nullptr;
       element = xmpp_stanza_get_next(element)) {
    const char* ns = xmpp_stanza_get_ns(element);
    const char* name = xmpp_stanza_get_name(element);
    if (ns == nullptr || name == nullptr || std::string_view(ns) != k_ns_chatstates) continue;
    return std::string_view(name) == "composing" ? core::Typing::typing : core::Typing::stopped;
  }
  return core::Typing::none;
}

}  // namespace

bool is_encrypted(xmpp_stanza_t* stanza, const std::string& body) {
  // OMEMO (XEP-0384 0.3, as Conversations, Dino and Gajim send it): a message without a
  // <payload/> is a key exchange, not something the operator wrote.
  if (auto* omemo = child(stanza, "encrypted", "eu.siacs.conversations.axolotl")) {
    return xmpp_stanza_get_child_by_name(omemo, "payload") != nullptr || !body.empty();
  }
  if (auto* omemo2 = child(stanza, "encrypted", "urn:xmpp:omemo:2")) {
    return xmpp_stanza_get_child_by_name(omemo2, "payload") != nullptr || !body.empty();
  }
  return child(stanza, "openpgp", "urn:xmpp:openpgp:0") != nullptr ||
         child(stanza, "x", "jabber:x:encrypted") != nullptr ||
         child(stanza, "encryption", "urn:xmpp:eme:0") != nullptr || body.starts_with("?OTR");
}

std::string nick_of(xmpp_ctx_t* ctx, xmpp_stanza_t* stanza) {
  return text_of(ctx, child(stanza, "nick", k_ns_nick));
}

std::string vcard_name(xmpp_ctx_t* ctx, xmpp_stanza_t* iq_result) {
  auto* vcard = child(iq_result, "vCard", k_ns_vcard);
  if (vcard == nullptr) return {};
  auto name = text_of(ctx, xmpp_stanza_get_child_by_name(vcard, "NICKNAME"));
  if (name.find_first_not_of(" \t\r\n") == std::string::npos) {
    name = text_of(ctx, xmpp_stanza_get_child_by_name(vcard, "FN"));
  }
  return name.find_first_not_of(" \t\r\n") == std::string::npos ? std::string() : name;
}

std::optional<IncomingMessage> parse_message(xmpp_ctx_t* ctx, xmpp_stanza_t* stanza) {
  IncomingMessage message;
  message.from = attribute(stanza, "from");
  if (message.from.empty()) return std::nullopt;
  message.body = child_text(ctx, stanza, "body");
  message.payload =
      is_encrypted(stanza, message.body) ? core::Payload::encrypted : core::Payload::plain;
  message.typing = chat_state(stanza);
  // XEP-0424 retraction: 0.4 and later name the message in <retract id=".."/>; earlier versions
  // wrapped <retract/> in XEP-0422's <apply-to id="..">. Its body is only a fallback.
  if (auto* retract = child(stanza, "retract", "urn:xmpp:message-retract:1")) {
    message.stanza.replaces = attribute(retract, "id");
    message.stanza.retraction = true;
  } else if (auto* apply_to = child(stanza, "apply-to", "urn:xmpp:fasten:0");
             apply_to != nullptr && child(apply_to, "retract", "urn:xmpp:message-retract:0")) {
    message.stanza.replaces = attribute(apply_to, "id");
    message.stanza.retraction = true;
  }
  if (message.stanza.retraction && message.stanza.replaces.empty()) return std::nullopt;
  if (message.body.empty() && message.typing == core::Typing::none &&
      message.payload == core::Payload::plain && !message.stanza.retraction) {
    return std::nullopt;
  }
  message.stanza.id = attribute(stanza, "id");
  if (auto* replace = child(stanza, "replace", k_ns_correct);
      replace != nullptr && !message.stanza.retraction) {
    message.stanza.replaces = attribute(replace, "id");
  }
  message.stanza.wants_receipt = child(stanza, "request", k_ns_receipts) != nullptr;
  message.stanza.markable = child(stanza, "markable", k_ns_markers) != nullptr;
  message.nick = nick_of(ctx, stanza);
  return message;
}

}  // namespace seshat::xmpp
