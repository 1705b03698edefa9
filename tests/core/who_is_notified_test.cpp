// Issue 14 in the switchboard: who is notified (available, free, negative priority, the summary
// of a rush), left messages, a visitor's page gone and back, the operator's connection dropped.

#include <gtest/gtest.h>

#include <algorithm>

#include "core/texts.hpp"
#include "harness.hpp"

namespace seshat::core::testing {
namespace {

using Lines = std::vector<std::string>;

constexpr std::int64_t k_t0 = 1'795'599'839'000;  // 2026-11-25T09:43:59Z

std::string request(ChatId id, std::string_view name = "customer") {
  return "Remote user '" + std::string(name) +
         "' wants to start a conversation. To accept this request, reply with the message "
         "'!ACCEPT " +
         std::to_string(id) + "'.";
}

std::size_t count_of(const Lines& lines, const std::string& line) {
  return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), line));
}

// --- available: priority ---

TEST(Priority, AResourceOfNegativePriorityDoesNotMakeItsOperatorAvailable) {
  Harness h;
  EXPECT_EQ(describe(h.online(k_joe, "hidden", Show::available, -1)), Lines{});
  EXPECT_TRUE(h.board.presence().is_online(k_joe));
  EXPECT_FALSE(h.board.presence().is_available(k_joe));
  EXPECT_EQ(describe(h.open_chat(42)), Lines{"< #42 system: " + texts::no_operator()});
  // A second resource with priority 0 or more is where the bare JID's messages go.
  EXPECT_EQ(describe(h.online(k_joe, "laptop", Show::available, 5)),
            (Lines{"joe@example.com available", "#42 waiting -> notified",
                   "> joe@example.com #42: " + request(42)}));
  EXPECT_EQ(describe(h.offline(k_joe, "laptop")), Lines{"joe@example.com unavailable"});
}

TEST(Priority, PriorityZeroIsAvailable) {
  Harness h;
  EXPECT_EQ(describe(h.online(k_joe, "laptop", Show::available, 0)),
            Lines{"joe@example.com available"});
  EXPECT_TRUE(h.board.is_free(k_joe));
}

// --- free: fewer than max_chats chats ---

TEST(Free, NewRequestsGoToFreeOperatorsOnly) {
  Harness h;
  h.online(k_joe);
  h.online(k_bob);
  h.open_chat(41);
  h.say(k_joe, "!ACCEPT 41");
  EXPECT_FALSE(h.board.is_free(k_joe));
  EXPECT_TRUE(h.board.is_free(k_bob));
  EXPECT_EQ(h.board.free_operators(), Lines{"bob@example.com"});
  const auto actions = h.open_chat(42);
  EXPECT_TRUE(to_operator(actions, k_joe).empty());
  EXPECT_EQ(to_operator(actions, k_bob), Lines{request(42)});
}

TEST(Free, WithEveryoneBusyTheVisitorIsToldAndTheFirstToFinishHearsOfIt) {
  Harness h;
  h.online(k_joe);
  h.open_chat(41);
  h.say(k_joe, "!ACCEPT 41");
  EXPECT_EQ(describe(h.open_chat(42)), Lines{"< #42 system: " + texts::all_busy()});
  EXPECT_EQ(describe(h.say(k_joe, "!FINISH")),
            (Lines{"#41 open -> closed", "> joe@example.com #41: The chat is now closed.",
                   "< #41 system: The chat is now closed.", "#42 waiting -> notified",
                   "> joe@example.com #42: " + request(42)}));
  EXPECT_EQ(to_operator(h.say(k_joe, "!ACCEPT 42"), k_joe).front(),
            "You are now handling chat #42. Send '!FINISH' when you are done.");
}

TEST(Free, AnOperatorFreedByTheVisitorLeavingHearsOfWhatWaits) {
  Harness h;
  h.online(k_joe);
  h.open_chat(41);
  h.say(k_joe, "!ACCEPT 41");
  h.open_chat(42);
  h.open_chat(43, "ann");
  const auto actions = h.feed(VisitorClosed{41});
  EXPECT_EQ(to_operator(actions, k_joe),
            (Lines{"The chat is now closed.", request(42), request(43, "ann")}));
}

TEST(Free, EveryChangeOfFreeIsReportedForTheAvailabilityApi) {
  Harness h;
  EXPECT_EQ(describe_all(h.online(k_joe)),
            (Lines{"joe@example.com available", "joe@example.com free"}));
  h.open_chat(41);
  const auto accepted = describe_all(h.say(k_joe, "!ACCEPT 41"));
  EXPECT_EQ(accepted.back(), "joe@example.com not free");
  EXPECT_EQ(describe_all(h.online(k_joe, "laptop", Show::away)),
            Lines{"joe@example.com unavailable"});  // busy already: free does not change
  h.online(k_joe);
  EXPECT_EQ(describe_all(h.say(k_joe, "!FINISH")).back(), "joe@example.com free");
  EXPECT_EQ(describe_all(h.feed(ConnectionLost{})),
            (Lines{"joe@example.com unavailable", "joe@example.com not free"}));
}

TEST(Free, MaxChatsTwoLetsAnOperatorTakeASecondChat) {
  Harness h(2);
  h.online(k_joe);
  h.open_chat(41);
  h.say(k_joe, "!ACCEPT 41");
  EXPECT_TRUE(h.board.is_free(k_joe));
  EXPECT_EQ(to_operator(h.open_chat(42), k_joe), Lines{request(42)});
  EXPECT_EQ(to_operator(h.say(k_joe, "!ACCEPT 42"), k_joe).front(),
            "You are now handling chat #42. Send '!FINISH' when you are done.");
  EXPECT_FALSE(h.board.is_free(k_joe));
  EXPECT_EQ(h.board.held(k_joe), 2);
}

// --- the summary ---

TEST(Summary, ComingOnlineToMoreThanThreeRequestsGivesOneSummary) {
  Harness h;
  h.board.set_time(k_t0);
  h.open_chat(41, "ann", "Where is my order?");
  h.open_chat(42, "bob");
  h.board.set_time(k_t0 + 90'000);
  h.open_chat(43, "cid", "", "", "cid@shop.example");
  h.open_chat(44, "dan");
  const auto actions = h.online(k_joe);
  EXPECT_EQ(to_operator(actions, k_joe),
            Lines{"4 chat requests are waiting. To accept one, reply with its '!ACCEPT n':\n"
                  "#41 'ann' (waiting 1 min, email: no): Where is my order? - '!ACCEPT 41'\n"
                  "#42 'bob' (waiting 1 min, email: no) - '!ACCEPT 42'\n"
                  "#43 'cid' (waiting 0 s, email: yes) - '!ACCEPT 43'\n"
                  "#44 'dan' (waiting 0 s, email: no) - '!ACCEPT 44'"});
  for (const ChatId id : {41, 42, 43, 44}) {
    EXPECT_EQ(h.board.find(id)->state, ChatState::notified);
    EXPECT_EQ(h.board.find(id)->notified, Lines{"joe@example.com"});
  }
  // Three are not a rush: one notification each.
  Harness three;
  three.open_chat(41);
  three.open_chat(42);
  three.open_chat(43);
  EXPECT_EQ(to_operator(three.online(k_joe), k_joe),
            (Lines{request(41), request(42), request(43)}));
}

// A long queue: the oldest 20 and how many more, in one message that fits a stanza.
TEST(Summary, ALongQueueListsTheOldestTwentyAndHowManyMore) {
  Harness h;
  for (ChatId id = 1; id <= 3000; ++id) h.open_chat(id, "visitor " + std::to_string(id));
  const auto sent = to_operator(h.online(k_joe), k_joe);
  ASSERT_EQ(sent.size(), 1u);
  const auto& summary = sent.front();
  EXPECT_TRUE(summary.starts_with("3000 chat requests are waiting."));
  EXPECT_NE(summary.find("\n#20 'visitor 20' (email: no) - '!ACCEPT 20'\n"), std::string::npos);
  EXPECT_EQ(summary.find("#21 "), std::string::npos);
  EXPECT_TRUE(summary.ends_with("\n... and 2980 more. Send '!WAITING' for the whole list."));
  EXPECT_LE(summary.size(), texts::k_max_message_bytes);
  EXPECT_EQ(h.board.find(3000)->state, ChatState::notified);  // all of them offered
}

TEST(Summary, ARushOfRequestsWithinTenSecondsEndsInOneSummary) {
  Harness h;
  h.board.set_time(k_t0);
  h.online(k_joe);
  for (ChatId id = 41; id <= 43; ++id) {
    h.board.set_time(k_t0 + (id - 41) * 1000);
    EXPECT_EQ(to_operator(h.open_chat(id), k_joe), Lines{request(id)});
  }
  h.board.set_time(k_t0 + 4000);
  EXPECT_EQ(describe_all(h.open_chat(44)), Lines{"defer #44 for joe@example.com"});
  h.board.set_time(k_t0 + 5000);
  EXPECT_EQ(describe_all(h.open_chat(45, "ann")), Lines{"defer #45 for joe@example.com"});
  h.board.set_time(k_t0 + 9999);
  EXPECT_FALSE(h.board.summary_due());
  h.board.set_time(k_t0 + 10'000);
  ASSERT_TRUE(h.board.summary_due());
  const auto actions = h.feed(SummaryDue{});
  EXPECT_EQ(to_operator(actions, k_joe),
            Lines{"2 chat requests are waiting. To accept one, reply with its '!ACCEPT n':\n"
                  "#44 'customer' (waiting 6 s, email: no) - '!ACCEPT 44'\n"
                  "#45 'ann' (waiting 5 s, email: no) - '!ACCEPT 45'"});
  EXPECT_EQ(h.board.find(44)->state, ChatState::notified);
  EXPECT_FALSE(h.board.summary_due());
  EXPECT_TRUE(h.feed(SummaryDue{}).empty());
  // Another operator, not in a rush, got each one as it came.
  Harness calm;
  calm.online(k_bob);
  calm.board.set_time(k_t0 + 60'000);
  EXPECT_EQ(to_operator(calm.open_chat(46), k_bob), Lines{request(46)});
}

TEST(Summary, AnOperatorBusyWhenTheSummaryIsDueHearsOfItWhenFreeAgain) {
  Harness h;
  h.board.set_time(k_t0);
  h.online(k_joe);
  for (ChatId id = 41; id <= 45; ++id) h.open_chat(id);
  h.say(k_joe, "!ACCEPT 41");
  h.board.set_time(k_t0 + 10'000);
  EXPECT_TRUE(to_operator(h.feed(SummaryDue{}), k_joe).empty());
  EXPECT_FALSE(h.board.summary_due());
  const auto texts = to_operator(h.say(k_joe, "!FINISH"), k_joe);
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(texts[1].substr(0, 28), "4 chat requests are waiting.");
}

TEST(Summary, ARequestAcceptedMeanwhileIsLeftOut) {
  Harness h;
  h.board.set_time(k_t0);
  h.online(k_joe);
  h.online(k_bob);
  for (ChatId id = 41; id <= 45; ++id) h.open_chat(id);
  h.say(k_bob, "!ACCEPT 44");
  h.board.set_time(k_t0 + 10'000);
  const auto texts = to_operator(h.feed(SummaryDue{}), k_joe);
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts[0], request(45));  // only one left: the usual notification
}

// --- left messages ---

TEST(LeftMessageWithoutMail, TheVisitorIsNotPromisedAnEmail) {
  Switchboard board({std::string(k_joe)}, BoardOptions{.max_chats = 1, .mail = Mail::off});
  Chat chat;
  chat.id = 42;
  chat.visitor_name = "customer";
  chat.opening_message = "refund?";
  chat.email = "cu@shop.example";
  board.restore(chat);
  const auto actions = board.handle(VisitorVanished{42, true});
  const auto kept = std::find(actions.begin(), actions.end(),
                              Action{PostToChat{42, Author::system, texts::message_kept(false)}});
  EXPECT_NE(kept, actions.end()) << "no smtp: the answer waits on the page, not in a mailbox";
}

class LeftMessage : public ::testing::Test {
 protected:
  void SetUp() override {
    h.board.set_time(k_t0);
    h.open_chat(42, "customer", "refund for order 777?", "", "cu@shop.example");
    h.board.set_time(k_t0 + 300'000);
  }
  Harness h;
};

TEST_F(LeftMessage, AVisitorWhoWroteAndLeftLeavesAMessageThatStaysInTheQueue) {
  EXPECT_EQ(describe(h.feed(VisitorVanished{42, true})),
            (Lines{"#42 left message", "#42 visitor away",
                   "< #42 system: " + texts::message_kept(true)}));
  ASSERT_NE(h.board.find(42), nullptr);
  EXPECT_EQ(h.board.find(42)->state, ChatState::waiting);
  EXPECT_TRUE(h.board.find(42)->left_message);
  // Nothing drops it: not the visitor timeout again, not the accept timeout.
  EXPECT_EQ(describe(h.feed(VisitorVanished{42, true})).front().substr(0, 7), "ignore:");
  EXPECT_EQ(describe(h.feed(AcceptTimedOut{42})).front().substr(0, 7), "ignore:");
  EXPECT_EQ(h.board.find(42)->state, ChatState::waiting);
}

TEST_F(LeftMessage, WaitingListsItWithItsAgeAndWhetherMailCanReachTheVisitor) {
  h.feed(VisitorVanished{42, true});
  h.open_chat(43, "ann");
  h.online(k_joe);
  h.board.set_time(k_t0 + 7'200'000);
  EXPECT_EQ(to_operator(h.say(k_joe, "!WAITING"), k_joe),
            Lines{"Open chat requests:\n"
                  "#42 'customer' (waiting 2 h, email: yes, left a message): refund for order "
                  "777?\n"
                  "#43 'ann' (waiting 1 h, email: no)"});
}

TEST_F(LeftMessage, AnOperatorComingOnlineLaterIsToldAcceptsAndGetsTheWordsInOrder) {
  h.feed(VisitorVanished{42, true});
  EXPECT_EQ(to_operator(h.online(k_joe), k_joe), Lines{request(42) + "\n> refund for order 777?"});
  EXPECT_EQ(describe(h.say(k_joe, "!ACCEPT 42")),
            (Lines{"#42 notified -> open joe@example.com",
                   "> joe@example.com #42: You are now handling chat #42. Send '!FINISH' when "
                   "you are done.",
                   "> joe@example.com #42: 'customer' left this message and is not on the page "
                   "now. They gave an email address, so your answer can reach them.",
                   "< #42 system: Your chat has started.", "backlog #42 to joe@example.com",
                   "#42 operator named joe"}));
  // Taken, it stays open until the operator finishes it, and does not hold joe's slot.
  EXPECT_EQ(describe(h.feed(VisitorVanished{42, true})).front().substr(0, 7), "ignore:");
  EXPECT_TRUE(h.board.is_free(k_joe));
  EXPECT_EQ(describe(h.say(k_joe, "Refund is on its way.")),
            Lines{"< #42 operator: Refund is on its way."});
  EXPECT_EQ(describe(h.say(k_joe, "!FINISH")).front(), "#42 open -> closed");
}

TEST_F(LeftMessage, AVisitorWhoComesBackMakesItAnOrdinaryRequestAgain) {
  h.feed(VisitorVanished{42, true});
  EXPECT_EQ(describe(h.feed(VisitorBack{42})), (Lines{"#42 visitor back", "#42 no left message"}));
  EXPECT_FALSE(h.board.find(42)->left_message);
}

TEST(VisitorVanished, ARequestWithoutAWordIsStillAbandoned) {
  Harness h;
  h.open_chat(42);
  EXPECT_EQ(describe(h.feed(VisitorVanished{42, false})).front(), "#42 waiting -> abandoned");
  EXPECT_EQ(h.board.find(42), nullptr);
}

TEST(VisitorVanished, AnOpenChatWhoseVisitorGaveAnEmailStaysOpenUntilFinish) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42, "customer", "", "", "cu@shop.example");
  h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(describe(h.feed(VisitorVanished{42, true})).front().substr(0, 7), "ignore:");
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
  // Without an email it ends as before.
  h.open_chat(43);
  h.online(k_bob);
  h.say(k_bob, "!ACCEPT 43");
  EXPECT_EQ(describe(h.feed(VisitorVanished{43, true})).front(), "#43 open -> abandoned");
}

// --- visitor_grace: the page gone, and back ---

TEST(VisitorAway, TheOperatorIsToldAndBecomesFreeForOthers) {
  Harness h;
  h.online(k_joe);
  h.open_chat(41);
  h.say(k_joe, "!ACCEPT 41");
  h.open_chat(42, "ann");
  EXPECT_EQ(describe(h.feed(VisitorAway{41})),
            (Lines{"#41 visitor away",
                   "> joe@example.com #41: 'customer' left the page (chat #41). What you write "
                   "is kept for them; meanwhile you may take another chat.",
                   "#42 waiting -> notified", "> joe@example.com #42: " + request(42, "ann")}));
  EXPECT_TRUE(h.board.is_free(k_joe));
  EXPECT_EQ(describe(h.feed(VisitorAway{41})).front().substr(0, 7), "ignore:");
  // What joe writes still goes to chat 41, until he takes another one.
  EXPECT_EQ(describe(h.say(k_joe, "Are you there?")), Lines{"< #41 operator: Are you there?"});
  EXPECT_EQ(to_operator(h.say(k_joe, "!ACCEPT 42"), k_joe).front(),
            "You are now handling chat #42. Send '!FINISH' when you are done.");
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 42);
  EXPECT_EQ(describe(h.feed(VisitorBack{41})),
            (Lines{"#41 visitor back", "> joe@example.com #41: 'customer' is back (chat #41)."}));
  // Finishing 42 makes 41 his current chat again.
  h.say(k_joe, "!FINISH");
  EXPECT_EQ(h.board.chat_of(k_joe)->id, 41);
}

TEST(VisitorAway, ABusyOperatorIsNotOfferedMoreWhileTheVisitorIsThere) {
  Harness h;
  h.online(k_joe);
  h.open_chat(41);
  h.say(k_joe, "!ACCEPT 41");
  h.open_chat(42);
  EXPECT_EQ(to_operator(h.say(k_joe, "!ACCEPT 42"), k_joe),
            Lines{"You are already handling chat #41. Send '!FINISH' when you are done with it."});
}

// --- the operator's connection dropped ---

TEST(Dropped, TheVisitorIsToldOnceAndWhenTheOperatorIsBack) {
  Harness h;
  h.online(k_joe);
  h.open_chat(42);
  h.say(k_joe, "!ACCEPT 42");
  const auto lines = describe(h.offline(k_joe));
  EXPECT_EQ(count_of(lines, "< #42 system: " + texts::connection_dropped()), 1u);
  EXPECT_TRUE(h.board.told_dropped(42));
  EXPECT_TRUE(describe(h.feed(ConnectionLost{})).empty());
  EXPECT_EQ(to_chat(h.online(k_joe, "phone"), 42), Lines{"system: Your operator is back."});
  EXPECT_FALSE(h.board.told_dropped(42));
}

// --- operator_grace: only the operators whose grace is over lose their chats ---

TEST(PresenceSettled, OnlyTheNamedOperatorsChatsMove) {
  Harness h;
  h.online(k_joe);
  h.online(k_bob);
  h.open_chat(41);
  h.say(k_joe, "!ACCEPT 41");
  h.open_chat(42);
  h.say(k_bob, "!ACCEPT 42");
  h.offline(k_joe);
  h.offline(k_bob);  // later: his operator_grace is not over yet
  EXPECT_EQ(describe(h.feed(PresenceSettled{{std::string(k_joe)}})).front(), "#41 open -> waiting");
  EXPECT_EQ(h.board.chat_of(k_bob)->id, 42);
  EXPECT_EQ(describe(h.feed(PresenceSettled{{std::string(k_bob)}})).front(), "#42 open -> waiting");
}

}  // namespace
}  // namespace seshat::core::testing
