// Incoming messages as real operators' clients send them. Each stanza's shape is taken from the
// XEP example cited next to it (the clients named implement those XEPs as written).

#include "xmpp/message_parse.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace seshat::xmpp {
namespace {

xmpp_ctx_t* new_context() {
  xmpp_initialize();
  return xmpp_ctx_new(nullptr, nullptr);
}

class MessageParse : public ::testing::Test {
 protected:
  MessageParse() : m_ctx(new_context()) {}
  ~MessageParse() override {
    for (auto* stanza : m_stanzas) xmpp_stanza_release(stanza);
    xmpp_ctx_free(m_ctx);
  }

  xmpp_stanza_t* stanza(const std::string& xml) {
    auto* parsed = xmpp_stanza_new_from_string(m_ctx, xml.c_str());
    if (parsed == nullptr) ADD_FAILURE() << "not XML: " << xml;
    m_stanzas.push_back(parsed);
    return parsed;
  }

  std::optional<IncomingMessage> parse(const std::string& xml) {
    return parse_message(m_ctx, stanza(xml));
  }

  xmpp_ctx_t* m_ctx;
  std::vector<xmpp_stanza_t*> m_stanzas;
};

TEST_F(MessageParse, APlainMessage) {
  const auto message = parse(
      "<message from='joe@localhost/laptop' to='bot@localhost' type='chat' id='a1'>"
      "<body>Hello, customer.</body></message>");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->from, "joe@localhost/laptop");
  EXPECT_EQ(message->body, "Hello, customer.");
  EXPECT_EQ(message->payload, core::Payload::plain);
  EXPECT_EQ(message->typing, core::Typing::none);
  EXPECT_EQ(message->stanza, (core::OperatorStanza{"a1", "", false, false}));
}

// OMEMO as Conversations and Dino send it (XEP-0384 0.3, example "sending a message"), with the
// fallback body Conversations adds (see the facts of design.md).
TEST_F(MessageParse, OmemoIsEncrypted) {
  const auto message = parse(
      "<message from='joe@localhost/phone' to='bot@localhost' type='chat' id='c1'>"
      "<encrypted xmlns='eu.siacs.conversations.axolotl'>"
      "<header sid='27183'><key rid='31415'>BASE64ENCODED...</key>"
      "<iv>BASE64ENCODED...</iv></header><payload>BASE64ENCODED</payload></encrypted>"
      "<request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>"
      "<store xmlns='urn:xmpp:hints'/><encryption xmlns='urn:xmpp:eme:0' "
      "namespace='eu.siacs.conversations.axolotl' name='OMEMO'/>"
      "<body>I sent you an OMEMO encrypted message but your client doesn't seem to support "
      "that. Find more information on https://conversations.im/omemo</body></message>");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->payload, core::Payload::encrypted);
}

// An OMEMO key transport element (XEP-0384 0.3 section 4.6): no payload, no body. Not a message
// anybody wrote: nothing to report.
TEST_F(MessageParse, AnOmemoKeyTransportIsNotReported) {
  EXPECT_FALSE(
      parse("<message from='joe@localhost/phone' type='chat' id='k1'>"
            "<encrypted xmlns='eu.siacs.conversations.axolotl'><header sid='1'>"
            "<key rid='2'>X</key><iv>Y</iv></header></encrypted></message>"));
}

// XEP-0384 0.8 (urn:xmpp:omemo:2), example 8.
TEST_F(MessageParse, Omemo2IsEncrypted) {
  const auto message = parse(
      "<message from='joe@localhost/dino' type='chat' id='o2'>"
      "<encrypted xmlns='urn:xmpp:omemo:2'><header sid='27183'><keys jid='bot@localhost'>"
      "<key rid='31415'>b64</key></keys></header><payload>b64</payload></encrypted></message>");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->payload, core::Payload::encrypted);
}

// XEP-0373 section 3.1 (OpenPGP for XMPP), legacy XEP-0027 jabber:x:encrypted, XEP-0380
// section 3 and an OTR query message (OTR protocol spec, as Profanity's /otr start sends it).
TEST_F(MessageParse, OpenPgpLegacyPgpEmeAndOtrAreEncrypted) {
  for (const std::string inner : {
           "<openpgp xmlns='urn:xmpp:openpgp:0'>BASE64_OPENPGP_MESSAGE</openpgp>",
           "<body>This message is encrypted.</body><x xmlns='jabber:x:encrypted'>qANQR1D</x>",
           "<encryption xmlns='urn:xmpp:eme:0' namespace='urn:xmpp:otr:0'/><body>?OTR:AAMG</body>",
           "<body>?OTRv23? Joe has requested an Off-the-Record private conversation.</body>",
       }) {
    const auto message =
        parse("<message from='joe@localhost/x' type='chat' id='e'>" + inner + "</message>");
    ASSERT_TRUE(message) << inner;
    EXPECT_EQ(message->payload, core::Payload::encrypted) << inner;
  }
}

// XEP-0085 examples 3 (composing, no body), 4 (paused), 6 (active with a body).
TEST_F(MessageParse, ChatStates) {
  auto message = parse(
      "<message from='joe@localhost/gajim' type='chat' id='s1'>"
      "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->typing, core::Typing::typing);
  EXPECT_EQ(message->body, "");
  message = parse(
      "<message from='joe@localhost/gajim' type='chat'>"
      "<paused xmlns='http://jabber.org/protocol/chatstates'/></message>");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->typing, core::Typing::stopped);
  message = parse(
      "<message from='joe@localhost/gajim' type='chat' id='s3'><body>Hi</body>"
      "<active xmlns='http://jabber.org/protocol/chatstates'/></message>");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->typing, core::Typing::stopped);
  EXPECT_EQ(message->body, "Hi");
}

// XEP-0308 example 2 (as Profanity's /correct and Gajim send it), with XEP-0184 example 1's
// request and XEP-0333 example 1's markable.
TEST_F(MessageParse, ACorrectionWithReceiptRequestAndMarkable) {
  const auto message = parse(
      "<message from='joe@localhost/profanity' to='bot@localhost' type='chat' id='good1'>"
      "<body>But soft, what light through yonder window breaks?</body>"
      "<replace id='bad1' xmlns='urn:xmpp:message-correct:0'/>"
      "<request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>"
      "<origin-id xmlns='urn:xmpp:sid:0' id='good1'/></message>");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->stanza, (core::OperatorStanza{"good1", "bad1", true, true}));
}

// XEP-0424 0.4 example 2 (Conversations, Gajim 1.8) and the 0.2 shape with XEP-0422 apply-to
// (Gajim 1.4-1.7): both withdraw the message they name; the fallback body is not the text.
TEST_F(MessageParse, Retractions) {
  auto message = parse(
      "<message from='joe@localhost/x' type='chat' id='retract-1'>"
      "<retract id='origin-id-1' xmlns='urn:xmpp:message-retract:1'/>"
      "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/>"
      "<body>/me retracted a previous message, but it's unsupported by your client.</body>"
      "<store xmlns='urn:xmpp:hints'/></message>");
  ASSERT_TRUE(message);
  EXPECT_TRUE(message->stanza.retraction);
  EXPECT_EQ(message->stanza.replaces, "origin-id-1");
  message = parse(
      "<message from='joe@localhost/x' type='chat' id='retract-2'>"
      "<apply-to id='origin-id-2' xmlns='urn:xmpp:fasten:0'>"
      "<retract xmlns='urn:xmpp:message-retract:0'/></apply-to></message>");
  ASSERT_TRUE(message);
  EXPECT_TRUE(message->stanza.retraction);
  EXPECT_EQ(message->stanza.replaces, "origin-id-2");
}

// XEP-0172 example 3: a nickname in a message.
TEST_F(MessageParse, ANickname) {
  const auto message = parse(
      "<message from='joe@localhost/laptop' type='chat' id='n1'><body>Hi</body>"
      "<nick xmlns='http://jabber.org/protocol/nick'>Alice</nick></message>");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->nick, "Alice");
}

// Receipts (XEP-0184 example 2) and markers (XEP-0333 example 3) carry nothing to relay.
TEST_F(MessageParse, ReceiptsAndMarkersAreNotReported) {
  EXPECT_FALSE(
      parse("<message from='joe@localhost/x' id='r'>"
            "<received xmlns='urn:xmpp:receipts' id='seshat-4'/></message>"));
  EXPECT_FALSE(
      parse("<message from='joe@localhost/x' type='chat' id='d'>"
            "<displayed xmlns='urn:xmpp:chat-markers:0' id='seshat-4'/></message>"));
  EXPECT_FALSE(parse("<message type='chat'><body>no sender</body></message>"));
}

// XEP-0054 example 2 (vcard-temp): NICKNAME first, else FN.
TEST_F(MessageParse, VcardNames) {
  EXPECT_EQ(vcard_name(m_ctx, stanza("<iq type='result' id='v1'><vCard xmlns='vcard-temp'>"
                                     "<FN>Peter Saint-Andre</FN><NICKNAME>stpeter</NICKNAME>"
                                     "</vCard></iq>")),
            "stpeter");
  EXPECT_EQ(vcard_name(m_ctx, stanza("<iq type='result' id='v2'><vCard xmlns='vcard-temp'>"
                                     "<FN>Peter Saint-Andre</FN></vCard></iq>")),
            "Peter Saint-Andre");
  EXPECT_EQ(vcard_name(m_ctx, stanza("<iq type='result' id='v3'><vCard xmlns='vcard-temp'/></iq>")),
            "");
}

}  // namespace
}  // namespace seshat::xmpp
