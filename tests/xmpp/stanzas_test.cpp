// The stanzas the bot sends, as XML: every message carries its stable id as a XEP-0359
// origin-id; receipts, markers, chat states, disco#info and version answers have the shapes of
// their XEPs' examples.

#include "xmpp/stanzas.hpp"

#include <gtest/gtest.h>

#include <string>

namespace seshat::xmpp {
namespace {

class Stanzas : public ::testing::Test {
 protected:
  static xmpp_ctx_t* new_context() {
    xmpp_initialize();
    return xmpp_ctx_new(nullptr, nullptr);
  }
  Stanzas() : m_ctx(new_context()) {}
  ~Stanzas() override { xmpp_ctx_free(m_ctx); }

  std::string xml(const StanzaPtr& stanza) {
    std::string out;
    append_xml(m_ctx, stanza.get(), out);
    return out;
  }

  // The id attribute of the child `name` (namespace `ns`) of the stanza `text`, read back by
  // parsing it (attribute order is libstrophe's business); "(none)" when there is no such child.
  std::string child_id(const std::string& text, const char* name, const char* ns) {
    StanzaPtr parsed(xmpp_stanza_new_from_string(m_ctx, text.c_str()));
    if (!parsed) return "(not XML)";
    auto* child = xmpp_stanza_get_child_by_name_and_ns(parsed.get(), name, ns);
    if (child == nullptr) return "(none)";
    const char* id = xmpp_stanza_get_id(child);
    return id ? id : "";
  }

  xmpp_ctx_t* m_ctx;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_F(Stanzas, AChatMessageCarriesItsIdAsOriginIdAndActive) {
  std::string text;
  append_chat_message(text, "joe@localhost", "Hi!", "seshat-7");
  EXPECT_TRUE(contains(text, "id=\"seshat-7\"")) << text;
  EXPECT_TRUE(contains(text, "<body>Hi!</body>")) << text;
  EXPECT_EQ(child_id(text, "origin-id", "urn:xmpp:sid:0"), "seshat-7") << text;
  EXPECT_EQ(child_id(text, "active", "http://jabber.org/protocol/chatstates"), "") << text;
  EXPECT_EQ(child_id(text, "nick", "http://jabber.org/protocol/nick"), "(none)") << text;
}

// Written as text, not through libstrophe: whatever a visitor types is read back the same by
// an XML parser (libstrophe's, expat), markup included.
TEST_F(Stanzas, AChatMessageWrittenAsTextParsesBackToWhatWasGiven) {
  const std::string body =
      "a < b && c > d, \"quoted\" 'single' </body></message><x/> ]]> \u00e9\u6f22";
  const std::string to = "jo\"e@localhost/<res>&";
  const std::string from = "chat-1@seshat.localhost";
  const std::string nick = "Nina <&> \"N\"";
  std::string text = "<stream>";  // two in a row, as a batch goes out
  append_chat_message(text, to, body, "seshat-8", from, nick);
  append_chat_message(text, "kim@localhost", "second", "seshat-9");
  text += "</stream>";
  StanzaPtr parsed(xmpp_stanza_new_from_string(m_ctx, text.c_str()));
  ASSERT_TRUE(parsed) << text;
  auto* first = xmpp_stanza_get_children(parsed.get());
  ASSERT_NE(first, nullptr);
  EXPECT_STREQ(xmpp_stanza_get_name(first), "message");
  EXPECT_STREQ(xmpp_stanza_get_type(first), "chat");
  EXPECT_EQ(std::string(xmpp_stanza_get_to(first)), to);
  EXPECT_EQ(std::string(xmpp_stanza_get_from(first)), from);
  EXPECT_STREQ(xmpp_stanza_get_id(first), "seshat-8");
  char* got = xmpp_message_get_body(first);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(std::string(got), body);
  xmpp_free(m_ctx, got);
  auto* nick_element =
      xmpp_stanza_get_child_by_name_and_ns(first, "nick", "http://jabber.org/protocol/nick");
  ASSERT_NE(nick_element, nullptr);
  got = xmpp_stanza_get_text(nick_element);
  EXPECT_EQ(std::string(got), nick);
  xmpp_free(m_ctx, got);
  auto* second = xmpp_stanza_get_next(first);
  ASSERT_NE(second, nullptr);
  EXPECT_STREQ(xmpp_stanza_get_id(second), "seshat-9");
  EXPECT_EQ(xmpp_stanza_get_from(second), nullptr);
  EXPECT_EQ(xmpp_stanza_get_next(second), nullptr);
}

TEST_F(Stanzas, AReceiptAndAMarkerNameTheOperatorsMessage) {
  auto text = xml(receipt(m_ctx, "joe@localhost/laptop", "op-1", "seshat-8"));
  EXPECT_TRUE(contains(text, "to=\"joe@localhost/laptop\"")) << text;
  EXPECT_EQ(child_id(text, "received", "urn:xmpp:receipts"), "op-1") << text;
  EXPECT_EQ(child_id(text, "origin-id", "urn:xmpp:sid:0"), "seshat-8") << text;
  EXPECT_FALSE(contains(text, "<body")) << text;
  text = xml(displayed(m_ctx, "joe@localhost/laptop", "op-2", "seshat-9"));
  EXPECT_EQ(child_id(text, "displayed", "urn:xmpp:chat-markers:0"), "op-2") << text;
  EXPECT_EQ(child_id(text, "origin-id", "urn:xmpp:sid:0"), "seshat-9") << text;
  EXPECT_TRUE(contains(text, "type=\"chat\"")) << text;
}

// XEP-0115 section 5.2, the simple example: "QgayPKawpkPSDYmwT/WM94uAlu0=".
TEST_F(Stanzas, CapsVerificationStringOfTheXepExample) {
  EXPECT_EQ(caps_verification(
                m_ctx, "client", "pc", "Exodus 0.9.1",
                {"http://jabber.org/protocol/muc", "http://jabber.org/protocol/disco#info",
                 "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#items"}),
            "QgayPKawpkPSDYmwT/WM94uAlu0=");
  const auto text = xml(presence_with_caps(m_ctx, "urn:seshat", "abc="));
  EXPECT_TRUE(contains(text, "ver=\"abc=\"")) << text;
  EXPECT_TRUE(contains(text, "hash=\"sha-1\"")) << text;
  EXPECT_TRUE(contains(text, "node=\"urn:seshat\"")) << text;
}

TEST_F(Stanzas, ChatStates) {
  auto text = xml(chat_state(m_ctx, "joe@localhost", true, "seshat-typing-1"));
  EXPECT_EQ(child_id(text, "composing", "http://jabber.org/protocol/chatstates"), "") << text;
  EXPECT_FALSE(contains(text, "<body")) << text;
  text = xml(chat_state(m_ctx, "joe@localhost", false, "seshat-typing-2"));
  EXPECT_EQ(child_id(text, "active", "http://jabber.org/protocol/chatstates"), "") << text;
  EXPECT_EQ(child_id(text, "no-store", "urn:xmpp:hints"), "") << text;
}

TEST_F(Stanzas, DiscoInfoAndVersionAnswers) {
  StanzaPtr request(
      xmpp_stanza_new_from_string(m_ctx,
                                  "<iq type='get' from='joe@localhost/laptop' id='d1'>"
                                  "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>"));
  auto text = xml(disco_info(m_ctx, request.get(), {"urn:xmpp:ping", "urn:xmpp:receipts"}));
  EXPECT_TRUE(contains(text, "type=\"result\"")) << text;
  EXPECT_TRUE(contains(text, "id=\"d1\"")) << text;
  EXPECT_TRUE(contains(text, "to=\"joe@localhost/laptop\"")) << text;
  EXPECT_TRUE(contains(text, "category=\"client\"")) << text;
  EXPECT_TRUE(contains(text, "type=\"bot\"")) << text;
  EXPECT_TRUE(contains(text, "name=\"Seshat\"")) << text;
  EXPECT_EQ(child_id(text, "query", "http://jabber.org/protocol/disco#info"), "") << text;
  EXPECT_TRUE(contains(text, "<feature var=\"urn:xmpp:receipts\"/>")) << text;
  EXPECT_TRUE(contains(text, "<feature var=\"urn:xmpp:ping\"/>")) << text;
  text = xml(software_version(m_ctx, request.get(), "1.2.3"));
  EXPECT_TRUE(contains(text, "<name>Seshat</name>")) << text;
  EXPECT_TRUE(contains(text, "<version>1.2.3</version>")) << text;
}

}  // namespace
}  // namespace seshat::xmpp
