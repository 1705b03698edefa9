// Every branch of every built-in command, with its exact texts.

#include <gtest/gtest.h>

#include "core/texts.hpp"
#include "harness.hpp"

namespace seshat::core::testing {
namespace {

using Lines = std::vector<std::string>;

const std::string k_request_42 =
    "Remote user 'customer' wants to start a conversation. To accept this request, reply with the "
    "message '!ACCEPT 42'.";

// joe, bob and ann online; chat 42 offered to all three.
class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h.online(k_joe);
    h.online(k_bob);
    h.online(k_ann);
    h.open_chat(42);
  }
  Harness h;
};

// --- !ACCEPT ---

TEST_F(CommandsTest, AcceptUnknownChat) {
  EXPECT_EQ(describe(h.say(k_joe, "!ACCEPT 7")),
            Lines{"> joe@example.com: There is no open chat request #7."});
}

TEST_F(CommandsTest, AcceptTellsTheOtherNotifiedOperators) {
  EXPECT_EQ(describe(h.say(k_joe, "!ACCEPT 42")),
            (Lines{"#42 notified -> open joe@example.com",
                   "> joe@example.com #42: You are now handling chat #42. Send '!FINISH' when you "
                   "are done.",
                   "< #42 system: Your chat has started.", "backlog #42 to joe@example.com",
                   "> ann@example.com #42: Chat #42 was accepted by joe@example.com.",
                   "> bob@example.com #42: Chat #42 was accepted by joe@example.com.",
                   "#42 operator named joe"}));
  ASSERT_NE(h.board.chat_of(k_joe), nullptr);
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
}

TEST_F(CommandsTest, AcceptChatHandledBySomeoneElse) {
  h.say(k_bob, "!ACCEPT 42");
  EXPECT_EQ(describe(h.say(k_joe, "!ACCEPT 42")),
            Lines{"> joe@example.com: Chat #42 is already being handled by bob@example.com."});
}

TEST_F(CommandsTest, AcceptWhileHandlingAnotherChat) {
  h.open_chat(43);
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.say(k_joe, "!ACCEPT 43")),
            Lines{"> joe@example.com: You are already handling chat #42. Send '!FINISH' when you "
                  "are done with it."});
  EXPECT_EQ(h.board.find(43)->state, ChatState::notified);
}

TEST_F(CommandsTest, AcceptTheChatYouAlreadyHandle) {
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.say(k_joe, "!ACCEPT 42")),
            Lines{"> joe@example.com: You are already handling chat #42. Send '!FINISH' when you "
                  "are done with it."});
}

TEST_F(CommandsTest, AcceptAFinishedChat) {
  h.say(k_joe, "!ACCEPT 42");
  h.say(k_joe, "!FINISH");
  EXPECT_EQ(describe(h.say(k_bob, "!ACCEPT 42")),
            Lines{"> bob@example.com: There is no open chat request #42."});
}

TEST(Accept, AWaitingChatNobodyWasToldAbout) {
  Harness h;
  h.open_chat(42);  // nobody online: it waits
  EXPECT_EQ(describe(h.say(k_joe, "!accept 42")),
            (Lines{"#42 waiting -> open joe@example.com",
                   "> joe@example.com #42: You are now handling chat #42. Send '!FINISH' when you "
                   "are done.",
                   "< #42 system: Your chat has started.", "backlog #42 to joe@example.com",
                   "#42 operator named joe"}));
}

TEST(Accept, RelaysTheMessagesHeldBack) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42, "customer", "Hello?");
  h.visitor(42, 1, "Hello?");
  h.visitor(42, 2, "Anyone there?");
  const auto actions = describe(h.say(k_joe, "!ACCEPT 42"));
  EXPECT_NE(std::find(actions.begin(), actions.end(), "backlog #42 to joe@example.com"),
            actions.end());
  EXPECT_EQ(describe(h.visitor(42, 3, "Oh, hi!")),
            (Lines{"> joe@example.com #42: Oh, hi!", "relayed #42 up to 3"}));
}

// Two operators race for one chat: events are decided one at a time, the first one wins.
TEST_F(CommandsTest, TwoOperatorsAcceptTheSameChatOnlyTheFirstWins) {
  const OperatorMessage joe{"joe@example.com/laptop", "!ACCEPT 42"};
  const OperatorMessage bob{"bob@example.com/phone", "!accept 42"};
  const auto first = h.feed(joe);
  const auto second = h.feed(bob);
  EXPECT_EQ(to_operator(first, k_joe),
            Lines{"You are now handling chat #42. Send '!FINISH' when you are done."});
  EXPECT_EQ(to_operator(first, k_bob), Lines{"Chat #42 was accepted by joe@example.com."});
  EXPECT_EQ(describe(second),
            Lines{"> bob@example.com: Chat #42 is already being handled by joe@example.com."});
  EXPECT_EQ(h.board.chat_of(k_bob), nullptr);
  EXPECT_EQ(h.board.find(42)->operator_jid, k_joe);
}

// The store refused joe's batch (bob's commit got there first in another process): the app
// restores the chat from the store and decides joe's event again.
TEST_F(CommandsTest, AcceptDecidedAgainAfterTheStoreRefusedIt) {
  const OperatorMessage joe{"joe@example.com/laptop", "!ACCEPT 42"};
  const auto refused = h.board.handle(joe);
  ASSERT_EQ(describe(refused.front()), "#42 notified -> open joe@example.com");
  Chat stored = *h.board.find(42);
  stored.state = ChatState::open;
  stored.operator_jid = "bob@example.com";
  h.board.restore(stored);
  EXPECT_EQ(describe(h.feed(joe)),
            Lines{"> joe@example.com: Chat #42 is already being handled by bob@example.com."});
}

// --- !CANCEL ---

TEST_F(CommandsTest, CancelUnknownChat) {
  EXPECT_EQ(describe(h.say(k_joe, "!CANCEL 7")),
            Lines{"> joe@example.com: There is no open chat request #7."});
}

TEST_F(CommandsTest, CancelARequest) {
  EXPECT_EQ(describe(h.say(k_joe, "!cancel 42")),
            (Lines{"#42 notified -> canceled", "> joe@example.com #42: Chat #42 has been canceled.",
                   "< #42 system: Sorry, nobody can take your chat right now. Please try again "
                   "later.",
                   "> ann@example.com #42: Chat #42 was canceled by joe@example.com.",
                   "> bob@example.com #42: Chat #42 was canceled by joe@example.com."}));
  EXPECT_EQ(h.board.find(42), nullptr);
  EXPECT_EQ(describe(h.say(k_bob, "!ACCEPT 42")),
            Lines{"> bob@example.com: There is no open chat request #42."});
}

TEST_F(CommandsTest, CancelAChatSomeoneElseHandles) {
  h.say(k_bob, "!ACCEPT 42");
  EXPECT_EQ(describe(h.say(k_joe, "!CANCEL 42")),
            Lines{"> joe@example.com: Chat #42 is already being handled by bob@example.com."});
  EXPECT_EQ(h.board.find(42)->state, ChatState::open);
}

TEST_F(CommandsTest, CancelYourOwnChat) {
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.say(k_joe, "!CANCEL 42")),
            Lines{"> joe@example.com: You are handling chat #42. Send '!FINISH' to close it."});
  EXPECT_EQ(h.board.find(42)->state, ChatState::open);
}

TEST_F(CommandsTest, CancelNeedsAChatId) {
  EXPECT_EQ(describe(h.say(k_joe, "!CANCEL")), Lines{"> joe@example.com: Usage: !CANCEL n"});
}

// --- !FINISH ---

TEST_F(CommandsTest, FinishOutsideAChat) {
  EXPECT_EQ(describe(h.say(k_joe, "!FINISH")), Lines{"> joe@example.com: You are not in a chat."});
}

TEST_F(CommandsTest, FinishClosesTheChatForBothSides) {
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.say(k_joe, "!finish")),
            (Lines{"#42 open -> closed", "> joe@example.com #42: The chat is now closed.",
                   "< #42 system: The chat is now closed."}));
  EXPECT_EQ(h.board.find(42), nullptr);
  EXPECT_EQ(h.board.chat_of(k_joe), nullptr);
  EXPECT_EQ(describe(h.say(k_joe, "!FINISH")), Lines{"> joe@example.com: You are not in a chat."});
}

TEST_F(CommandsTest, AfterFinishingTheOperatorCanTakeTheNextChat) {
  h.open_chat(43);
  h.say(k_joe, "!ACCEPT 42");
  h.say(k_joe, "!FINISH");
  EXPECT_EQ(to_operator(h.say(k_joe, "!ACCEPT 43"), k_joe),
            Lines{"You are now handling chat #43. Send '!FINISH' when you are done."});
}

// --- !HELP ---

TEST_F(CommandsTest, HelpListsEveryRegisteredCommand) {
  EXPECT_EQ(
      to_operator(h.say(k_joe, "!help"), k_joe),
      Lines{"Available commands:\n"
            "!ACCEPT n - Accept chat request #n\n"
            "!BLOCK n - End chat #n and refuse new chats from its visitor's browser and address "
            "for a while\n"
            "!CANCEL n - Cancel chat request #n\n"
            "!FINISH [n] - Close your current chat (or chat #n)\n"
            "!HELP - Show available commands\n"
            "!HISTORY n [page] - Show the transcript of chat #n, newest lines first, 20 a page\n"
            "!INFO [n] - Show what is known of the visitor of your current chat (or of chat #n)\n"
            "!SAY [key [n]] - Send the canned reply `key` to your current chat (or chat #n); "
            "alone: list the keys\n"
            "!STATUS - Show your current chat status\n"
            "!SWITCH n - Make chat #n your current chat (plain text goes there)\n"
            "!TRANSFER n [jid] - Hand chat #n to operator jid (they accept it with !ACCEPT n), or "
            "back to the queue\n"
            "!UNBLOCK n - Welcome new chats from the visitor of chat #n again\n"
            "!WAITING - Show all open chat requests"});
}

// --- !STATUS ---

TEST_F(CommandsTest, StatusWhileHandlingAChat) {
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.say(k_joe, "!STATUS")),
            Lines{"> joe@example.com: You are handling chat #42 with 'customer'."});
}

TEST_F(CommandsTest, StatusCountsOpenRequests) {
  EXPECT_EQ(to_operator(h.say(k_joe, "!status"), k_joe),
            Lines{"You are not in a chat. There is 1 open chat request."});
  h.open_chat(43);
  EXPECT_EQ(to_operator(h.say(k_joe, "!status"), k_joe),
            Lines{"You are not in a chat. There are 2 open chat requests."});
  h.say(k_bob, "!ACCEPT 42");
  h.say(k_ann, "!ACCEPT 43");
  EXPECT_EQ(to_operator(h.say(k_joe, "!status"), k_joe),
            Lines{"You are not in a chat. There are 0 open chat requests."});
}

// --- !WAITING ---

TEST(Waiting, NoRequests) {
  Harness h;
  EXPECT_EQ(describe(h.say(k_joe, "!WAITING")),
            Lines{"> joe@example.com: There are no open chat requests."});
}

TEST(Waiting, ListsRequestsOldestFirstWithTheirOpeningMessage) {
  Harness h;
  h.open_chat(3, "ann", "Where is my order?");
  h.open_chat(4, "bob");
  h.open_chat(5, "cid", "Hi");
  h.say(k_joe, "!ACCEPT 4");  // open chats are not requests
  EXPECT_EQ(to_operator(h.say(k_bob, "!waiting"), k_bob),
            Lines{"Open chat requests:\n#3 'ann' (email: no): Where is my order?\n#5 'cid' (email: "
                  "no): Hi"});
}

// Every request, over as many messages as it takes, none over what a server takes in a stanza.
TEST(Waiting, ALongListComesInSeveralMessagesOfWholeLines) {
  Harness h;
  const std::string question(200, 'q');
  for (ChatId id = 1; id <= 500; ++id) h.open_chat(id, "visitor " + std::to_string(id), question);
  const auto sent = to_operator(h.say(k_bob, "!WAITING"), k_bob);
  ASSERT_GT(sent.size(), 1u);
  std::string all;
  for (const auto& text : sent) {
    EXPECT_LE(text.size(), texts::k_max_message_bytes);
    all += (all.empty() ? "" : "\n") + text;
  }
  EXPECT_TRUE(all.starts_with("Open chat requests:\n#1 'visitor 1' (email: no): qqq"));
  std::size_t lines = 0;
  for (std::size_t at = all.find('\n'); at != std::string::npos; at = all.find('\n', at + 1)) {
    ++lines;
    EXPECT_EQ(all.compare(at + 1, 1, "#"), 0) << "a line was cut at " << at;
  }
  EXPECT_EQ(lines, 500u);
}

}  // namespace
}  // namespace seshat::core::testing
