// The switchboard's events one by one: chats opening, presence per resource, operator and
// visitor messages, the visitor leaving, time-outs, connection loss, commit and restore.

#include "core/switchboard.hpp"

#include <gtest/gtest.h>

#include "core/texts.hpp"
#include "harness.hpp"

namespace seshat::core::testing {
namespace {

using Lines = std::vector<std::string>;

std::string request(ChatId id, std::string_view name = "customer") {
  return "Remote user '" + std::string(name) +
         "' wants to start a conversation. To accept this request, reply with the message "
         "'!ACCEPT " +
         std::to_string(id) + "'.";
}

const std::string k_no_operator = texts::no_operator();
const std::string k_held =
    "An operator has not joined yet. Your message will be delivered as soon as one does.";

bool is_ignore(const Actions& actions) {
  return actions.size() == 1 && std::holds_alternative<Ignore>(actions.front());
}

// --- operators ---

TEST(Switchboard, KnowsItsOperatorsWhateverTheCase) {
  Switchboard board({" Joe@Example.COM", "bob@example.com", "joe@example.com"});
  EXPECT_TRUE(board.is_operator("joe@example.com"));
  EXPECT_TRUE(board.is_operator("JOE@example.com"));
  EXPECT_TRUE(board.is_operator("bob@example.com/phone"));
  EXPECT_FALSE(board.is_operator("eve@example.com"));
  EXPECT_FALSE(board.is_operator(""));
}

// --- ChatOpened ---

TEST(ChatOpened, WithNobodyAvailableTheVisitorIsToldAndTheChatWaits) {
  Harness h;
  h.online(k_joe, "laptop", Show::away);
  EXPECT_EQ(describe(h.open_chat(42)), Lines{"< #42 system: " + k_no_operator});
  ASSERT_NE(h.board.find(42), nullptr);
  EXPECT_EQ(h.board.find(42)->state, ChatState::waiting);
  EXPECT_EQ(h.board.requests().size(), 1u);
}

TEST(ChatOpened, EveryAvailableOperatorIsNotified) {
  Harness h;
  h.online(k_joe);
  h.online(k_bob, "phone", Show::chat);
  h.online(k_ann, "laptop", Show::dnd);
  EXPECT_EQ(describe(h.open_chat(42, "customer", "Where is my order?", "/orders")),
            (Lines{"#42 waiting -> notified",
                   "> bob@example.com #42: " + request(42) + "\n> Where is my order?" +
                       "\n> Page: /orders",
                   "> joe@example.com #42: " + request(42) + "\n> Where is my order?" +
                       "\n> Page: /orders"}));
  EXPECT_EQ(h.board.find(42)->notified, (Lines{"bob@example.com", "joe@example.com"}));
}

TEST(ChatOpened, TheSameChatTwiceIsIgnored) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  const auto again = h.open_chat(42);
  EXPECT_TRUE(is_ignore(again)) << describe(again).front();
}

TEST(ChatOpened, AChatThatIsNoRequestIsIgnored) {
  Harness h;
  Chat chat;
  chat.id = 42;
  chat.state = ChatState::closed;
  EXPECT_TRUE(is_ignore(h.feed(ChatOpened{chat})));
  EXPECT_EQ(h.board.find(42), nullptr);
}

// --- PresenceChanged ---

TEST(PresenceChanged, FromSomeoneWhoIsNoOperatorIsIgnored) {
  Harness h;
  EXPECT_TRUE(is_ignore(h.online("eve@example.com")));
  EXPECT_FALSE(h.board.presence().is_online("eve@example.com"));
}

TEST(PresenceChanged, AnOperatorComingOnlineHearsOfEveryRequest) {
  Harness h;
  h.open_chat(41);
  h.open_chat(42, "ann");
  EXPECT_EQ(describe(h.online(k_joe)),
            (Lines{"joe@example.com available", "#41 waiting -> notified",
                   "> joe@example.com #41: " + request(41), "#42 waiting -> notified",
                   "> joe@example.com #42: " + request(42, "ann")}));
  // bob hears of both as well; they are notified already, so no state change
  EXPECT_EQ(describe(h.online(k_bob)),
            (Lines{"bob@example.com available", "> bob@example.com #41: " + request(41),
                   "> bob@example.com #42: " + request(42, "ann")}));
  EXPECT_EQ(h.board.find(41)->notified, (Lines{"joe@example.com", "bob@example.com"}));
}

TEST(PresenceChanged, OpenChatsAreNotOffered) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.online(k_bob)), Lines{"bob@example.com available"});
}

TEST(PresenceChanged, ASecondResourceChangesNothing) {
  Harness h;
  h.online(k_joe, "laptop");
  h.open_chat(42);
  EXPECT_EQ(describe(h.online(k_joe, "phone")), Lines{});
  EXPECT_EQ(describe(h.offline(k_joe, "laptop")), Lines{});
  EXPECT_TRUE(h.board.presence().is_available(k_joe));
  EXPECT_EQ(describe(h.offline(k_joe, "phone")), Lines{"joe@example.com unavailable"});
}

TEST(PresenceChanged, AwayXaAndDndOperatorsAreNotNotified) {
  for (const auto show : {Show::away, Show::xa, Show::dnd}) {
    Harness h;
    h.open_chat(42);
    EXPECT_EQ(describe(h.online(k_joe, "laptop", show)), Lines{});
    EXPECT_EQ(describe(h.open_chat(43)), Lines{"< #43 system: " + k_no_operator});
  }
}

TEST(PresenceChanged, ComingBackFromAwayHearsOnlyOfNewRequests) {
  Harness h;
  h.online(k_joe);
  h.open_chat(41);
  EXPECT_EQ(describe(h.online(k_joe, "laptop", Show::away)), Lines{"joe@example.com unavailable"});
  h.open_chat(42);
  EXPECT_EQ(describe(h.online(k_joe)),
            (Lines{"joe@example.com available", "#42 waiting -> notified",
                   "> joe@example.com #42: " + request(42)}));
}

TEST(PresenceChanged, GoingOfflineMidChatOffersTheChatToOthers) {
  Harness h;
  h.online(k_joe);
  h.online(k_bob);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  // The visitor learns why nobody answers; the chat stays joe's for operator_grace.
  EXPECT_EQ(describe(h.offline(k_joe)),
            (Lines{"joe@example.com unavailable", "< #42 system: " + texts::connection_dropped(),
                   "#42 dropped"}));
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);  // until presence settles
  EXPECT_EQ(describe(h.feed(PresenceSettled{})),
            (Lines{"#42 open -> notified",
                   "< #42 system: Your operator went offline. Please wait while we find someone "
                   "else.",
                   "> joe@example.com: You went offline, so chat #42 was offered to other "
                   "operators.",
                   "> bob@example.com #42: " + request(42)}));
  EXPECT_EQ(h.board.chat_of(k_joe), nullptr);
  EXPECT_EQ(h.board.find(42)->operator_jid, "");
  EXPECT_EQ(h.board.find(42)->notified, Lines{"bob@example.com"});
  EXPECT_EQ(to_operator(h.say(k_bob, "!ACCEPT 42"), k_bob),
            Lines{"You are now handling chat #42. Send '!FINISH' when you are done."});
}

TEST(PresenceChanged, GoingOfflineMidChatWithNobodyElseLetsTheChatWait) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.offline(k_joe)),
            (Lines{"joe@example.com unavailable", "< #42 system: " + texts::connection_dropped(),
                   "#42 dropped"}));
  EXPECT_EQ(describe(h.feed(PresenceSettled{})),
            (Lines{"#42 open -> waiting",
                   "< #42 system: Your operator went offline. Please wait while we find someone "
                   "else.",
                   "< #42 system: " + k_no_operator,
                   "> joe@example.com: You went offline, so chat #42 was offered to other "
                   "operators."}));
  EXPECT_EQ(h.board.find(42)->state, ChatState::waiting);
  // Whoever comes online next hears of it, joe included.
  EXPECT_EQ(describe(h.online(k_joe)),
            (Lines{"joe@example.com available", "#42 waiting -> notified",
                   "> joe@example.com #42: " + request(42)}));
}

TEST(PresenceChanged, GoingAwayMidChatKeepsTheChat) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  for (const auto show : {Show::away, Show::xa, Show::dnd}) {
    h.online(k_joe, "laptop", show);
    EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
  }
  EXPECT_EQ(describe(h.visitor(42, 1, "Still there?")),
            (Lines{"> joe@example.com #42: Still there?", "relayed #42 up to 1"}));
  // From away to offline: availability does not change, yet the chat goes back to the queue.
  EXPECT_EQ(describe(h.offline(k_joe)),
            (Lines{"< #42 system: " + texts::connection_dropped(), "#42 dropped"}));
  EXPECT_EQ(describe(h.feed(PresenceSettled{})).front(), "#42 open -> waiting");
  EXPECT_EQ(h.board.chat_of(k_joe), nullptr);
}

TEST(PresenceChanged, OneResourceLeavingMidChatKeepsTheChat) {
  Harness h;
  h.online(k_joe, "laptop");
  h.online(k_joe, "phone", Show::away);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.offline(k_joe, "laptop")), Lines{"joe@example.com unavailable"});
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
  h.offline(k_joe, "phone");
  EXPECT_EQ(describe(h.feed(PresenceSettled{})).at(0), "#42 open -> waiting");
}

TEST(PresenceChanged, AnOperatorBackBeforePresenceSettlesKeepsTheChat) {
  // A client reconnecting, or the server answering a probe before the client is back, says
  // "unavailable" for a moment: that alone must not take the chat away.
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  h.offline(k_joe);
  h.online(k_joe, "laptop2");
  EXPECT_TRUE(h.feed(PresenceSettled{}).empty());
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
}

TEST(PresenceChanged, AnOperatorWhoseChatWasRestoredGoesOfflineUnseen) {
  // After a restart nobody's presence is known; an unavailable presence still frees the chat.
  Harness h;
  Chat chat;
  chat.id = 42;
  chat.state = ChatState::open;
  chat.visitor_name = "customer";
  chat.operator_jid = "joe@example.com";
  h.board.restore(chat);
  h.offline(k_joe);
  EXPECT_EQ(describe(h.feed(PresenceSettled{})).at(0), "#42 open -> waiting");
}

// --- ConnectionLost ---

TEST(ConnectionLost, EveryoneBecomesUnavailableAndChatsStay) {
  Harness h;
  h.online(k_joe);
  h.online(k_bob);
  h.online(k_ann, "laptop", Show::away);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.feed(ConnectionLost{})),
            (Lines{"bob@example.com unavailable", "joe@example.com unavailable",
                   "< #42 system: " + texts::connection_dropped(), "#42 dropped"}));
  EXPECT_FALSE(h.board.presence().is_online(k_ann));
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
  EXPECT_TRUE(describe(h.feed(ConnectionLost{})).empty());  // told once
  // Back online after the reconnect: joe still has his chat, and the visitor hears so.
  EXPECT_EQ(describe(h.online(k_joe)),
            (Lines{"joe@example.com available", "< #42 system: Your operator is back.",
                   "#42 not dropped"}));
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
}

// --- PresenceSettled ---

TEST(PresenceSettled, AnOperatorWhoDidNotComeBackLosesTheChatToTheQueue) {
  Harness h;
  h.online(k_joe);
  h.online(k_bob);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  h.feed(ConnectionLost{});
  h.online(k_bob);  // joe went offline while the bot was disconnected: no presence from him
  const auto actions = h.feed(PresenceSettled{});
  EXPECT_EQ(to_chat(actions, 42), Lines{"system: " + texts::operator_went_offline()});
  EXPECT_EQ(h.board.find(42)->state, ChatState::notified);
  EXPECT_EQ(h.board.chat_of(k_joe), nullptr);
  EXPECT_FALSE(to_operator(actions, k_bob).empty());
}

TEST(PresenceSettled, AnOperatorWhoCameBackKeepsTheChat) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  h.feed(ConnectionLost{});
  h.online(k_joe, "phone", Show::away);
  EXPECT_TRUE(h.feed(PresenceSettled{}).empty());
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
}

// --- OperatorMessage ---

TEST(OperatorMessage, FromSomeoneWhoIsNoOperatorIsNeverObeyed) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  for (const auto* text : {"!ACCEPT 42", "!CANCEL 42", "!HELP", "!WAITING", "hello"}) {
    const auto actions = h.feed(OperatorMessage{"eve@example.com/pc", text});
    EXPECT_TRUE(is_ignore(actions)) << text;
  }
  EXPECT_EQ(h.board.find(42)->state, ChatState::notified);
}

TEST(OperatorMessage, JidsAreComparedBareAndLowerCased) {
  Harness h;
  h.open_chat(42);
  h.feed(OperatorMessage{"JOE@Example.com/Gajim", "!ACCEPT 42"});
  EXPECT_EQ(h.board.find(42)->operator_jid, "joe@example.com");
  EXPECT_EQ(describe(h.feed(OperatorMessage{"joe@EXAMPLE.com/phone", "Hi there"})),
            Lines{"< #42 operator: Hi there"});
}

TEST(OperatorMessage, EmptyOrBlankBodiesAreIgnored) {
  Harness h;
  EXPECT_TRUE(is_ignore(h.say(k_joe, "")));
  EXPECT_TRUE(is_ignore(h.say(k_joe, " \n\t ")));
}

TEST(OperatorMessage, PlainTextOutsideAChatGetsAHint) {
  Harness h;
  EXPECT_EQ(describe(h.say(k_joe, "Hello?")),
            Lines{"> joe@example.com: You are not in a chat. Send '!WAITING' to see open chat "
                  "requests, or '!HELP' for the commands."});
}

TEST(OperatorMessage, PlainTextInAChatGoesToTheVisitorAsTyped) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.say(k_joe, "  Two lines:\nhere! ")),
            Lines{"< #42 operator:   Two lines:\nhere! "});
}

TEST(OperatorMessage, UnknownCommand) {
  Harness h;
  EXPECT_EQ(describe(h.say(k_joe, "!frobnicate 42 bob")),
            Lines{"> joe@example.com: Unknown command '!FROBNICATE'. Send '!HELP' for the list of "
                  "commands."});
}

// --- VisitorMessage ---

TEST(VisitorMessage, BeforeAnyoneAcceptsItIsHeldBackAndTheVisitorToldOnce) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  EXPECT_EQ(describe(h.visitor(42, 1, "Hello?")), (Lines{"< #42 system: " + k_held, "hold #42"}));
  // The store no longer hands the broker this chat's messages; one read before needs nothing.
  EXPECT_TRUE(describe(h.visitor(42, 2, "Anyone?")).empty());
}

TEST(VisitorMessage, InAnOpenChatItGoesToTheOperator) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.visitor(42, 5, " spaced  text ")),
            (Lines{"> joe@example.com #42:  spaced  text ", "relayed #42 up to 5"}));
}

TEST(VisitorMessage, ForAnUnknownChatIsIgnored) {
  Harness h;
  EXPECT_TRUE(is_ignore(h.visitor(7, 1, "Hi")));
}

// --- VisitorClosed ---

TEST(VisitorClosed, AnOpenChatTellsItsOperator) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.feed(VisitorClosed{42})),
            Lines{"> joe@example.com #42: The chat is now closed."});
  EXPECT_EQ(h.board.find(42), nullptr);
  EXPECT_EQ(
      describe(h.say(k_joe, "Bye")).at(0).rfind("> joe@example.com: You are not in a chat.", 0),
      0u);
}

TEST(VisitorClosed, ARequestTellsTheNotifiedOperators) {
  Harness h;
  h.online(k_joe);
  h.online(k_bob);
  h.open_chat(42);
  EXPECT_EQ(describe(h.feed(VisitorClosed{42})),
            (Lines{"> bob@example.com #42: Chat #42 was closed by the visitor.",
                   "> joe@example.com #42: Chat #42 was closed by the visitor."}));
  EXPECT_EQ(h.board.find(42), nullptr);
  EXPECT_EQ(h.board.requests().size(), 0u);
}

TEST(VisitorClosed, AnUnknownChatIsIgnored) {
  Harness h;
  EXPECT_TRUE(is_ignore(h.feed(VisitorClosed{42})));
}

// --- VisitorVanished ---

TEST(VisitorVanished, AnOpenChatIsAbandoned) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.feed(VisitorVanished{42})),
            (Lines{"#42 open -> abandoned", "< #42 system: " + texts::lost_contact(),
                   "> joe@example.com #42: The visitor has left chat #42; the chat is now "
                   "closed."}));
  EXPECT_EQ(h.board.find(42), nullptr);
  EXPECT_EQ(h.board.chat_of(k_joe), nullptr);
}

TEST(VisitorVanished, ARequestIsAbandoned) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  EXPECT_EQ(describe(h.feed(VisitorVanished{42})),
            (Lines{"#42 notified -> abandoned", "< #42 system: " + texts::lost_contact(),
                   "> joe@example.com #42: Chat #42 was abandoned by the visitor."}));
  EXPECT_EQ(h.board.find(42), nullptr);
}

TEST(VisitorVanished, AnUnknownChatIsIgnored) {
  Harness h;
  EXPECT_TRUE(is_ignore(h.feed(VisitorVanished{42})));
}

// --- AcceptTimedOut ---

TEST(AcceptTimedOut, ARequestFails) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  EXPECT_EQ(describe(h.feed(AcceptTimedOut{42})),
            (Lines{"#42 notified -> failed",
                   "< #42 system: Sorry, nobody could take your chat. Please try again later.",
                   "> joe@example.com #42: Chat #42 was not accepted in time and has been "
                   "closed."}));
  EXPECT_EQ(h.board.find(42), nullptr);
}

TEST(AcceptTimedOut, AWaitingChatNobodyWasToldAboutFails) {
  Harness h;
  h.open_chat(42);
  EXPECT_EQ(describe(h.feed(AcceptTimedOut{42})),
            (Lines{"#42 waiting -> failed",
                   "< #42 system: Sorry, nobody could take your chat. Please try again later."}));
}

TEST(AcceptTimedOut, AnOpenOrUnknownChatIsIgnored) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_TRUE(is_ignore(h.feed(AcceptTimedOut{42})));
  EXPECT_EQ(h.board.find(42)->state, ChatState::open);
  EXPECT_TRUE(is_ignore(h.feed(AcceptTimedOut{7})));
}

// --- handle, commit, restore ---

TEST(Switchboard, HandleChangesNothingUntilCommit) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  const OperatorMessage accept{"joe@example.com/laptop", "!ACCEPT 42"};
  const auto actions = h.board.handle(accept);
  EXPECT_EQ(h.board.find(42)->state, ChatState::notified);
  EXPECT_EQ(h.board.handle(accept), actions);  // deciding twice decides the same
  h.board.commit(accept, actions);
  EXPECT_EQ(h.board.find(42)->state, ChatState::open);
  EXPECT_EQ(h.board.find(42)->operator_jid, "joe@example.com");
  EXPECT_TRUE(h.board.find(42)->notified.empty());
}

TEST(Switchboard, RestoreAddsOrReplacesLiveChats) {
  Harness h;
  Chat chat;
  chat.id = 42;
  chat.state = ChatState::open;
  chat.visitor_name = "customer";
  chat.operator_jid = "Joe@Example.com";
  h.board.restore(chat);
  ASSERT_NE(h.board.chat_of(k_joe), nullptr);
  EXPECT_EQ(describe(h.say(k_joe, "Welcome back")), Lines{"< #42 operator: Welcome back"});

  chat.state = ChatState::notified;
  chat.operator_jid.clear();
  chat.notified = {"bob@example.com"};
  h.board.restore(chat);
  EXPECT_EQ(h.board.chat_of(k_joe), nullptr);
  ASSERT_EQ(h.board.requests().size(), 1u);
  EXPECT_EQ(h.board.requests().front()->notified, Lines{"bob@example.com"});
}

TEST(Switchboard, RestoreForgetsFinalChats) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  Chat closed = *h.board.find(42);
  closed.state = ChatState::closed;  // the visitor closed it while we decided
  h.board.restore(closed);
  EXPECT_EQ(h.board.find(42), nullptr);
  EXPECT_EQ(describe(h.say(k_joe, "!ACCEPT 42")),
            Lines{"> joe@example.com: There is no open chat request #42."});
  h.board.restore(closed);  // forgetting an unknown chat is harmless
  EXPECT_EQ(h.board.find(42), nullptr);
}

TEST(Switchboard, RequestsAreOldestFirst) {
  Harness h;
  h.open_chat(9);
  h.open_chat(3);
  h.open_chat(5);
  std::vector<ChatId> ids;
  for (const auto* chat : h.board.requests()) ids.push_back(chat->id);
  EXPECT_EQ(ids, (std::vector<ChatId>{3, 5, 9}));
}

// The gauges: every way a chat comes, changes state or goes keeps the counts per state.
TEST(Switchboard, CountsLiveChatsPerStateAsTheyChange) {
  Harness h;
  const auto counts = [&h] {
    return std::vector<std::int64_t>{h.board.live(ChatState::waiting),
                                     h.board.live(ChatState::notified),
                                     h.board.live(ChatState::open)};
  };
  h.open_chat(41);  // nobody online: waits
  EXPECT_EQ(counts(), (std::vector<std::int64_t>{1, 0, 0}));
  h.online(k_joe);  // told of 41
  h.open_chat(42);
  EXPECT_EQ(counts(), (std::vector<std::int64_t>{0, 2, 0}));
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(counts(), (std::vector<std::int64_t>{0, 1, 1}));
  h.feed(VisitorClosed{41});
  EXPECT_EQ(counts(), (std::vector<std::int64_t>{0, 0, 1}));
  Chat restored;
  restored.id = 43;
  restored.visitor_name = "ann";
  h.board.restore(restored);  // waiting, as the store has it
  h.board.restore(restored);  // again: counted once
  EXPECT_EQ(counts(), (std::vector<std::int64_t>{1, 0, 1}));
  h.say(k_joe, "!FINISH");  // free again: told of 43
  EXPECT_EQ(counts(), (std::vector<std::int64_t>{0, 1, 0}));
  restored.state = ChatState::canceled;
  h.board.restore(restored);  // final: forgotten
  EXPECT_EQ(counts(), (std::vector<std::int64_t>{0, 0, 0}));
}

}  // namespace
}  // namespace seshat::core::testing
