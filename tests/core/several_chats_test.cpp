// An operator's several chats (max_chats > 1): "[#n name] " prefixes, the current chat and its
// changes, "#n text", !SWITCH, !FINISH [n], !STATUS; transfers (!TRANSFER n [jid]); component
// mode (OperatorMessage::window, no prefixes).

#include <gtest/gtest.h>

#include "harness.hpp"

namespace seshat::core::testing {
namespace {

using Lines = std::vector<std::string>;

std::string handling(ChatId id) {
  return "You are now handling chat #" + std::to_string(id) + ". Send '!FINISH' when you are done.";
}

// joe online with max_chats 2, holding chat 41 (ann) and chat 42 (bob), 42 current.
class SeveralChats : public ::testing::Test {
 protected:
  explicit SeveralChats(BoardOptions options = {.max_chats = 2}) : h(options) {}
  void SetUp() override {
    h.board.set_time(1'000'000);
    h.online(k_joe);
    h.open_chat(41, "ann", "Where is my order?");
    h.say(k_joe, "!ACCEPT 41");
    h.open_chat(42, "bob");
    h.say(k_joe, "!ACCEPT 42");
  }
  Harness h;
};

TEST_F(SeveralChats, VisitorLinesComePrefixedWhileTwoAreHeld) {
  EXPECT_EQ(describe(h.visitor(41, 2, "Hello?")),
            (Lines{"> joe@example.com #41: [#41 ann] Hello?", "relayed #41 up to 2"}));
  EXPECT_EQ(to_operator(h.visitor(42, 1, "Hi"), k_joe), Lines{"[#42 bob] Hi"});
}

TEST_F(SeveralChats, AChatWhoseVisitorIsAwayStillCountsForThePrefix) {
  h.feed(VisitorAway{41});  // no longer held against max_chats, but still joe's
  EXPECT_EQ(h.board.held(k_joe), 1);
  EXPECT_EQ(h.board.holding(k_joe), 2U);
  EXPECT_EQ(to_operator(h.visitor(42, 1, "Hi"), k_joe), Lines{"[#42 bob] Hi"});
}

TEST_F(SeveralChats, OneChatLeftMeansNoPrefix) {
  h.say(k_joe, "!FINISH 41");
  EXPECT_EQ(to_operator(h.visitor(42, 1, "Hi"), k_joe), Lines{"Hi"});
}

TEST_F(SeveralChats, TheBacklogOfASecondChatIsPrefixedToo) {
  Harness fresh(BoardOptions{.max_chats = 2});
  fresh.online(k_joe);
  fresh.open_chat(41, "ann");
  const auto first = fresh.say(k_joe, "!ACCEPT 41");
  EXPECT_EQ(describe(first)[3], "backlog #41 to joe@example.com");
  fresh.open_chat(42, "bob");
  const auto second = fresh.say(k_joe, "!ACCEPT 42");
  const auto* backlog = std::get_if<RelayBacklog>(&second[3]);
  ASSERT_NE(backlog, nullptr) << describe(second[3]);
  EXPECT_EQ(backlog->prefix, "[#42 bob] ");
}

TEST_F(SeveralChats, PlainTextGoesToTheLastAccepted) {
  EXPECT_EQ(to_chat(h.say(k_joe, "Hello, bob."), 42), Lines{"operator: Hello, bob."});
}

TEST_F(SeveralChats, HashNumberWritesToThatChatWithoutSwitching) {
  EXPECT_EQ(to_chat(h.say(k_joe, "#41 Your order left today."), 41),
            Lines{"operator: Your order left today."});
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
  EXPECT_EQ(to_chat(h.say(k_joe, "#41\nTwo\nlines"), 41), Lines{"operator: Two\nlines"});
}

TEST_F(SeveralChats, HashNumberOfAChatNotHeldIsPlainText) {
  h.open_chat(43);
  EXPECT_EQ(to_chat(h.say(k_joe, "#43 hello"), 42), Lines{"operator: #43 hello"});
  EXPECT_EQ(to_chat(h.say(k_joe, "#41"), 42), Lines{"operator: #41"});
  EXPECT_EQ(to_chat(h.say(k_joe, "#1x yes"), 42), Lines{"operator: #1x yes"});
}

TEST_F(SeveralChats, SwitchChangesTheCurrentChat) {
  EXPECT_EQ(describe(h.say(k_joe, "!SWITCH 41")),
            (Lines{"joe@example.com current #41",
                   "> joe@example.com #41: Your current chat is now #41 with 'ann': plain text "
                   "goes there."}));
  EXPECT_EQ(to_chat(h.say(k_joe, "Hi ann"), 41), Lines{"operator: Hi ann"});
  EXPECT_EQ(describe(h.say(k_joe, "!SWITCH 7")),
            Lines{"> joe@example.com: You are not handling chat #7."});
  EXPECT_EQ(describe(h.say(k_joe, "!SWITCH")), Lines{"> joe@example.com: Usage: !SWITCH n"});
}

TEST_F(SeveralChats, FinishingTheCurrentChatSaysWhichIsCurrentNow) {
  EXPECT_EQ(describe(h.say(k_joe, "!FINISH")),
            (Lines{"#42 open -> closed", "> joe@example.com #42: The chat is now closed.",
                   "< #42 system: The chat is now closed.", "joe@example.com current #41",
                   "> joe@example.com #41: Your current chat is now #41 with 'ann': plain text "
                   "goes there."}));
  EXPECT_EQ(to_chat(h.say(k_joe, "still here"), 41), Lines{"operator: still here"});
}

TEST_F(SeveralChats, FinishWithANumberEndsThatOneAndKeepsTheCurrent) {
  EXPECT_EQ(describe(h.say(k_joe, "!FINISH 41")),
            (Lines{"#41 open -> closed", "> joe@example.com #41: The chat is now closed.",
                   "< #41 system: The chat is now closed."}));
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
  EXPECT_EQ(describe(h.say(k_joe, "!FINISH 41")),
            Lines{"> joe@example.com: You are not handling chat #41."});
  EXPECT_EQ(describe(h.say(k_joe, "!FINISH #4x")), Lines{"> joe@example.com: Usage: !FINISH [n]"});
}

TEST_F(SeveralChats, TheVisitorClosingTheCurrentChatSaysWhichIsCurrentNow) {
  EXPECT_EQ(to_operator(h.feed(VisitorClosed{42}), k_joe),
            (Lines{"The chat is now closed.",
                   "Your current chat is now #41 with 'ann': plain text goes there."}));
}

TEST_F(SeveralChats, StatusListsEveryChatWithItsLastLine) {
  h.board.set_time(1'000'000 + 125'000);
  h.visitor(42, 1, "Hi there");
  h.board.set_time(1'000'000 + 185'000);
  EXPECT_EQ(to_operator(h.say(k_joe, "!STATUS"), k_joe),
            Lines{"You are handling 2 chats (plain text goes to the current one; '#n text' writes "
                  "to chat n):\n"
                  "#41 'ann': 3 min ago, ann: Where is my order?\n"
                  "#42 'bob' (current): 1 min ago, bob: Hi there"});
  h.say(k_joe, "#41 On its way");
  EXPECT_EQ(to_operator(h.say(k_joe, "!STATUS"), k_joe),
            Lines{"You are handling 2 chats (plain text goes to the current one; '#n text' writes "
                  "to chat n):\n"
                  "#41 'ann': 0 s ago, joe: On its way\n"
                  "#42 'bob' (current): 1 min ago, bob: Hi there"});
}

TEST_F(SeveralChats, AtMaxChatsNoOffersAndFreeAgainHearsWhatWaits) {
  EXPECT_EQ(to_operator(h.open_chat(43, "cid"), k_joe), Lines{});
  const auto finished = h.say(k_joe, "!FINISH 41");
  const auto told = to_operator(finished, k_joe);
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told.back().rfind("Remote user 'cid' wants to start a conversation.", 0), 0u);
}

TEST_F(SeveralChats, AcceptingAThirdIsRefused) {
  h.open_chat(43, "cid");
  EXPECT_EQ(describe(h.say(k_joe, "!ACCEPT 43")),
            Lines{"> joe@example.com: You are already handling chat #42. Send '!FINISH' when you "
                  "are done with it."});
}

// --- transfers ---

class Transfers : public SeveralChats {
 protected:
  void SetUp() override {
    SeveralChats::SetUp();
    h.online(k_bob);
  }
};

TEST_F(Transfers, ToAnOperatorWhoAcceptsIt) {
  EXPECT_EQ(describe(h.say(k_joe, "!TRANSFER 41 bob@example.com")),
            (Lines{"transfer #41 to bob@example.com",
                   "> bob@example.com #41: joe@example.com wants to hand you chat #41 with 'ann'. "
                   "To take it, reply with the message '!ACCEPT 41'.",
                   "> bob@example.com #41: history of #41 page 1",
                   "> joe@example.com #41: Chat #41 is offered to bob@example.com; it stays yours "
                   "until they accept it."}));
  // Until bob accepts, the chat is joe's.
  EXPECT_EQ(to_operator(h.visitor(41, 2, "Hello?"), k_joe), Lines{"[#41 ann] Hello?"});
  EXPECT_EQ(describe(h.say(k_ann, "!ACCEPT 41")),
            Lines{"> ann@example.com: Chat #41 is already being handled by joe@example.com."});
  EXPECT_EQ(describe(h.say(k_bob, "!ACCEPT 41")),
            (Lines{"#41 open -> open bob@example.com", "> bob@example.com #41: " + handling(41),
                   "> joe@example.com #41: Chat #41 is now handled by bob@example.com.",
                   "< #41 system: Your chat was handed to bob.", "#41 operator named bob"}));
  EXPECT_EQ(h.board.find(41)->operator_jid, "bob@example.com");
  EXPECT_EQ(h.board.transfer_target(41), "");
  EXPECT_EQ(to_operator(h.visitor(41, 3, "Bob?"), k_bob), Lines{"Bob?"});
  EXPECT_EQ(to_operator(h.visitor(42, 1, "Joe?"), k_joe), Lines{"Joe?"});
  EXPECT_EQ(to_chat(h.say(k_bob, "Yes, Bob here."), 41), Lines{"operator: Yes, Bob here."});
  EXPECT_EQ(h.board.held(k_joe), 1);
}

TEST_F(Transfers, OfTheCurrentChatSaysWhichIsCurrentNow) {
  h.say(k_joe, "!TRANSFER 42 bob@example.com");
  const auto taken = h.say(k_bob, "!ACCEPT 42");
  EXPECT_EQ(to_operator(taken, k_joe),
            (Lines{"Chat #42 is now handled by bob@example.com.",
                   "Your current chat is now #41 with 'ann': plain text goes there."}));
}

TEST_F(Transfers, NamesHiddenTheVisitorIsNotToldWho) {
  Harness hidden(BoardOptions{.names = OperatorNames::hidden});
  hidden.online(k_joe);
  hidden.online(k_bob);
  hidden.open_chat(41, "ann");
  hidden.say(k_joe, "!ACCEPT 41");
  hidden.say(k_joe, "!TRANSFER 41 bob@example.com");
  EXPECT_EQ(to_chat(hidden.say(k_bob, "!ACCEPT 41"), 41),
            Lines{"system: Your chat was handed to another operator."});
}

TEST_F(Transfers, BackToTheQueue) {
  const auto actions = h.say(k_joe, "!TRANSFER 41");
  EXPECT_EQ(describe(actions),
            (Lines{"> joe@example.com #41: Chat #41 is back in the queue for the other operators.",
                   "#41 open -> notified",
                   "< #41 system: Your operator handed your chat on. Please wait: the next free "
                   "operator will answer.",
                   "> bob@example.com #41: Remote user 'ann' wants to start a conversation. To "
                   "accept this request, reply with the message '!ACCEPT 41'.\n> Where is my "
                   "order?"}));
  EXPECT_EQ(h.board.find(41)->state, ChatState::notified);
  EXPECT_EQ(to_operator(h.say(k_bob, "!ACCEPT 41"), k_bob).front(), handling(41));
}

TEST_F(Transfers, BackToTheQueueWithNobodyElseWaits) {
  h.offline(k_bob);
  EXPECT_EQ(describe(h.say(k_joe, "!TRANSFER 41"))[1], "#41 open -> waiting");
}

TEST_F(Transfers, Refusals) {
  EXPECT_EQ(describe(h.say(k_joe, "!TRANSFER 41 eve@example.com")),
            Lines{"> joe@example.com #41: 'eve@example.com' is not one of the operators."});
  EXPECT_EQ(describe(h.say(k_joe, "!TRANSFER 41 joe@example.com/phone")),
            Lines{"> joe@example.com #41: Chat #41 is already yours."});
  EXPECT_EQ(describe(h.say(k_joe, "!TRANSFER 41 ann@example.com")),
            Lines{"> joe@example.com #41: ann@example.com is not available right now."});
  EXPECT_EQ(describe(h.say(k_bob, "!TRANSFER 41 ann@example.com")),
            Lines{"> bob@example.com: You are not handling chat #41."});
  EXPECT_EQ(describe(h.say(k_joe, "!TRANSFER")),
            Lines{"> joe@example.com: Usage: !TRANSFER n [jid]"});
  EXPECT_EQ(describe(h.say(k_joe, "!TRANSFER 41 bob@example.com now")),
            Lines{"> joe@example.com: Usage: !TRANSFER n [jid]"});
}

TEST_F(Transfers, AnOfferEndsWithTheChat) {
  h.say(k_joe, "!TRANSFER 41 bob@example.com");
  h.say(k_joe, "!FINISH 41");
  EXPECT_EQ(describe(h.say(k_bob, "!ACCEPT 41")),
            Lines{"> bob@example.com: There is no open chat request #41."});
}

TEST_F(Transfers, ATargetWithRoomForOneMoreTakesIt) {
  h.open_chat(43, "cid");
  h.say(k_bob, "!ACCEPT 43");
  h.say(k_joe, "!TRANSFER 41 bob@example.com");
  EXPECT_EQ(to_operator(h.say(k_bob, "!ACCEPT 41"), k_bob).front(), handling(41));
  EXPECT_EQ(h.board.held(k_bob), 2);
}

// --- component mode: every chat its own window ---

class Component : public SeveralChats {
 protected:
  Component() : SeveralChats(BoardOptions{.max_chats = 2, .addressing = Addressing::component}) {}
  Actions in_window(ChatId window, std::string text) {
    OperatorMessage message{std::string(k_joe) + "/laptop", std::move(text)};
    message.window = window;
    return h.feed(message);
  }
};

TEST_F(Component, NoPrefixesAndEachLineCarriesItsChat) {
  EXPECT_EQ(describe(h.visitor(41, 2, "Hello?")),
            (Lines{"> joe@example.com #41: Hello?", "relayed #41 up to 2"}));
}

TEST_F(Component, PlainTextGoesToTheWindowsChat) {
  EXPECT_EQ(to_chat(in_window(41, "For ann"), 41), Lines{"operator: For ann"});
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
  EXPECT_EQ(describe(in_window(43, "nobody")),
            Lines{"> joe@example.com #43: You are not handling chat #43."});
}

TEST_F(Component, CommandsWithoutANumberMeanTheWindowsChat) {
  EXPECT_EQ(describe(in_window(41, "!FINISH")),
            (Lines{"#41 open -> closed", "> joe@example.com #41: The chat is now closed.",
                   "< #41 system: The chat is now closed."}));
  h.open_chat(43, "cid");
  EXPECT_EQ(to_operator(in_window(43, "!ACCEPT"), k_joe).front(), handling(43));
  // Answers about no chat come from the window they answer.
  EXPECT_EQ(describe(in_window(43, "!WAITING")),
            Lines{"> joe@example.com #43: There are no open chat requests."});
  EXPECT_EQ(describe(in_window(43, "!TRANSFER"))[1], "#43 open -> waiting");
}

TEST_F(Component, NoticesAboutAChatComeFromItsAddress) {
  // The operator's connection is gone past operator_grace: the notice comes from the chat's
  // window, and he is not counted as offered the request again.
  h.offline(k_joe);
  const auto settled = h.feed(PresenceSettled{{std::string(k_joe)}});
  EXPECT_EQ(describe(settled).front(),
            "> joe@example.com #41: You went offline, so chat #41 was offered to other operators.");
  EXPECT_EQ(h.board.find(41)->notified, Lines{});
}

}  // namespace
}  // namespace seshat::core::testing

namespace seshat::core::testing {
namespace {

TEST(TransferFlow, TheFirstOperatorHearsNothingOfAChatHeHandedOn) {
  Harness h(BoardOptions{.max_chats = 2});
  h.online(k_joe);
  h.online(k_bob);
  h.open_chat(1, "ann");
  h.say(k_joe, "!ACCEPT 1");
  h.open_chat(2, "bea");
  h.say(k_joe, "!ACCEPT 2");
  h.say(k_joe, "!TRANSFER 1 bob@example.com");
  h.say(k_bob, "!ACCEPT 1");
  h.say(k_joe, "!TRANSFER 2");
  EXPECT_EQ(to_operator(h.say(k_bob, "!ACCEPT 2"), k_joe), Lines{});
}

}  // namespace
}  // namespace seshat::core::testing
