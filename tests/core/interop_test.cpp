// What real operators' clients send, as the core decides it: encrypted messages are refused
// with a notice, corrections and receipts ride along with the operator's message, chat states
// become typing, nicknames and vCard names become the name visitors see.

#include <gtest/gtest.h>

#include "core/switchboard.hpp"
#include "core/texts.hpp"
#include "harness.hpp"

namespace seshat::core::testing {
namespace {

using Lines = std::vector<std::string>;

// joe online and handling chat 42.
void joe_handles_42(Harness& h) {
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
}

Actions from_joe(Harness& h, OperatorMessage message) {
  message.from = std::string(k_joe) + "/laptop";
  return h.feed(message);
}

TEST(Encrypted, IsNotRelayedAndTheOperatorIsToldHowToTurnItOff) {
  Harness h;
  joe_handles_42(h);
  OperatorMessage omemo;
  omemo.text =
      "I sent you an OMEMO encrypted message but your client doesn't seem to support that.";
  omemo.payload = Payload::encrypted;
  const auto actions = from_joe(h, omemo);
  EXPECT_EQ(describe(actions), Lines{"> joe@example.com: " + texts::encrypted()});
  EXPECT_TRUE(to_chat(actions, 42).empty());
  EXPECT_NE(texts::encrypted().find("encryption off"), std::string::npos);
}

TEST(Encrypted, EvenACommandOrAMessageWithoutFallbackIsRefused) {
  Harness h;
  joe_handles_42(h);
  OperatorMessage message;
  message.text = "!FINISH";
  message.payload = Payload::encrypted;
  EXPECT_EQ(describe(from_joe(h, message)), Lines{"> joe@example.com: " + texts::encrypted()});
  message.text.clear();
  EXPECT_EQ(describe(from_joe(h, message)), Lines{"> joe@example.com: " + texts::encrypted()});
  EXPECT_EQ(h.board.find(42)->state, ChatState::open);
}

TEST(Encrypted, FromAStrangerIsIgnored) {
  Harness h;
  OperatorMessage message{"eve@example.com/x", "?OTRv23?", Payload::encrypted};
  const auto actions = h.feed(message);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Ignore>(actions.front()));
}

TEST(OperatorMessage, CarriesTheNameTheSenderAndTheStanza) {
  Harness h;
  joe_handles_42(h);
  OperatorMessage message;
  message.text = "Hello, customer.";
  message.stanza = OperatorStanza{"m-2", "m-1", true, true};
  const auto actions = from_joe(h, message);
  ASSERT_EQ(actions.size(), 1u);
  const auto& post = std::get<PostToChat>(actions.front());
  EXPECT_EQ(post.text, "Hello, customer.");
  EXPECT_EQ(post.name, "joe");
  EXPECT_EQ(post.operator_jid, "joe@example.com/laptop");
  EXPECT_EQ(post.stanza, (OperatorStanza{"m-2", "m-1", true, true}));
}

TEST(Retraction, ReplacesTheWithdrawnMessageWithoutItsFallback) {
  Harness h;
  joe_handles_42(h);
  OperatorMessage retraction;
  retraction.text = "/me retracted a previous message, but it's unsupported by your client.";
  retraction.stanza.id = "r-1";
  retraction.stanza.replaces = "m-1";
  retraction.stanza.retraction = true;
  const auto actions = from_joe(h, retraction);
  ASSERT_EQ(actions.size(), 1u);
  const auto& post = std::get<PostToChat>(actions.front());
  EXPECT_EQ(post.text, texts::retracted());
  EXPECT_EQ(post.stanza.replaces, "m-1");
  EXPECT_TRUE(post.stanza.retraction);
}

TEST(Typing, AChatStateOfTheHandlingOperatorReachesTheChat) {
  Harness h;
  joe_handles_42(h);
  OperatorMessage typing;
  typing.typing = Typing::typing;
  EXPECT_EQ(describe(from_joe(h, typing)), Lines{"#42 operator typing"});
  typing.typing = Typing::stopped;
  EXPECT_EQ(describe(from_joe(h, typing)), Lines{"#42 operator not typing"});
}

TEST(Typing, OutsideAChatIsQuietlyDropped) {
  Harness h;
  h.online(k_joe);
  OperatorMessage typing;
  typing.typing = Typing::typing;
  EXPECT_TRUE(from_joe(h, typing).empty());
}

TEST(Typing, TheVisitorsTypingGoesToTheHandlingOperatorOnly) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  // A request: acknowledged, nobody told.
  EXPECT_EQ(describe(h.feed(VisitorTyping{42, true})), Lines{">  #42 (typing)"});
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.feed(VisitorTyping{42, true})), Lines{"> joe@example.com #42 (typing)"});
  EXPECT_EQ(describe(h.feed(VisitorTyping{42, false})),
            Lines{"> joe@example.com #42 (not typing)"});
  EXPECT_EQ(describe(h.feed(VisitorTyping{7, true})), Lines{">  #7 (typing)"});  // unknown
}

TEST(Names, AcceptingNamesTheOperatorByTheLocalPartOfTheJid) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  const auto actions = h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(actions).back(), "#42 operator named joe");
}

TEST(Names, ANicknameWinsOverTheVcardAndReachesTheOpenChat) {
  Harness h;
  h.online(k_joe);
  EXPECT_TRUE(h.feed(OperatorNamed{"joe@example.com", "Joseph Smith", NameSource::vcard}).empty());
  EXPECT_EQ(h.board.display_name(k_joe), "Joseph Smith");
  h.open_chat(42);
  EXPECT_EQ(describe(h.say(k_joe, "!ACCEPT 42")).back(), "#42 operator named Joseph Smith");
  EXPECT_EQ(describe(h.feed(OperatorNamed{"joe@example.com/phone", "Joe", NameSource::nick})),
            Lines{"#42 operator named Joe"});
  // A vCard arriving later does not undo the nickname; the same name again says nothing.
  EXPECT_TRUE(h.feed(OperatorNamed{"joe@example.com", "Joseph", NameSource::vcard}).empty());
  EXPECT_TRUE(h.feed(OperatorNamed{"joe@example.com", "Joe", NameSource::nick}).empty());
  EXPECT_EQ(h.board.display_name(k_joe), "Joe");
}

TEST(Names, AreCleanedAndBlankOnesIgnored) {
  Harness h;
  h.feed(OperatorNamed{"joe@example.com", "  Al\nice \t ", NameSource::nick});
  EXPECT_EQ(h.board.display_name(k_joe), "Al ice");
  h.feed(OperatorNamed{"joe@example.com", " \n ", NameSource::nick});
  EXPECT_EQ(h.board.display_name(k_joe), "Al ice");
  h.feed(OperatorNamed{"joe@example.com", std::string(40, 'x') + "\xc3\xa9" + std::string(40, 'y'),
                       NameSource::nick});
  EXPECT_EQ(h.board.display_name(k_joe).size(), 64u);
  h.feed(OperatorNamed{"joe@example.com", std::string(63, 'x') + "\xc3\xa9", NameSource::nick});
  EXPECT_EQ(h.board.display_name(k_joe), std::string(63, 'x'));  // not half a character
}

TEST(Names, OfStrangersAreNotKept) {
  Harness h;
  EXPECT_TRUE(h.feed(OperatorNamed{"eve@example.com", "Eve", NameSource::nick}).empty());
  EXPECT_EQ(h.board.display_name("eve@example.com"), "eve");
}

TEST(Names, HiddenTheyAreAllSupport) {
  Switchboard board({"joe@example.com"}, BoardOptions{.names = OperatorNames::hidden});
  const OperatorNamed named{"joe@example.com", "Joe", NameSource::nick};
  board.commit(named, board.handle(named));
  EXPECT_EQ(board.display_name("joe@example.com"), "Support");
  EXPECT_EQ(texts::support_name(), "Support");
}

}  // namespace
}  // namespace seshat::core::testing
