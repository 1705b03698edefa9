#pragma once
// What an incoming chat <message/> carries, beyond its body, as real operators' clients send it
// (Conversations, Gajim, Dino, Profanity): encryption (whose body is only a fallback), chat
// states, receipt requests, markers, corrections, a nickname.

#include <strophe.h>

#include <optional>
#include <string>

#include "core/event.hpp"
#include "xmpp/connection.hpp"

namespace seshat::xmpp {

inline constexpr const char* k_ns_chatstates = "http://jabber.org/protocol/chatstates";
inline constexpr const char* k_ns_receipts = "urn:xmpp:receipts";
inline constexpr const char* k_ns_markers = "urn:xmpp:chat-markers:0";
inline constexpr const char* k_ns_correct = "urn:xmpp:message-correct:0";
inline constexpr const char* k_ns_sid = "urn:xmpp:sid:0";
inline constexpr const char* k_ns_nick = "http://jabber.org/protocol/nick";
inline constexpr const char* k_ns_vcard = "vcard-temp";

// The message as the broker sees it, or nothing when there is nothing to report: no body, no
// chat state and nothing encrypted (receipts, markers, OMEMO key exchanges, server notices).
// The caller has already set aside errors, groupchat and headline messages.
[[nodiscard]] std::optional<IncomingMessage> parse_message(xmpp_ctx_t* ctx, xmpp_stanza_t* stanza);

// The encryption a message announces, if any: OMEMO (eu.siacs.conversations.axolotl, with a
// payload, or urn:xmpp:omemo:2), OpenPGP for XMPP (urn:xmpp:openpgp:0), legacy
// jabber:x:encrypted, XEP-0380 <encryption/>, or an OTR body ("?OTR...").
[[nodiscard]] bool is_encrypted(xmpp_stanza_t* stanza, const std::string& body);

// The <nick xmlns="http://jabber.org/protocol/nick"/> of a message or presence; "" if none.
[[nodiscard]] std::string nick_of(xmpp_ctx_t* ctx, xmpp_stanza_t* stanza);

// The name in a vcard-temp <vCard/> (NICKNAME, else FN) of an IQ result; "" if none.
[[nodiscard]] std::string vcard_name(xmpp_ctx_t* ctx, xmpp_stanza_t* iq_result);

}  // namespace seshat::xmpp
