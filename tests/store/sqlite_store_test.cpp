// Every Store method, once against SQLite and once against PostgreSQL (backends.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "backends.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace seshat::store {
namespace {

using core::Author;
using core::ChatState;

Millis now_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

class StoreTest : public testing::BackendTest {
 protected:
  ChatId new_chat(const std::string& opening = "Hello?") {
    return m_store->create_chat(NewChat{"Ann", opening, "/pricing", "hash-of-token", ""});
  }

  // Takes a chat through the guarded transitions, as the broker would.
  void move(ChatId chat, ChatState from, ChatState to, const std::string& jid = "") {
    ASSERT_TRUE(m_store->apply({core::SetState{chat, from, to, jid}}));
  }

  ChatRecord record(ChatId chat) {
    auto found = m_store->find_chat(chat);
    if (!found) throw std::runtime_error("no chat " + std::to_string(chat));
    return *found;
  }

  std::unique_ptr<Store> m_store = m_db.open();
};

TEST_P(StoreTest, KeepsTheVisitorsEmail) {
  NewChat chat;
  chat.visitor_name = "Ann";
  chat.token_hash = "h";
  chat.email = "ann@shop.example";
  const auto id = m_store->create_chat(chat);
  EXPECT_EQ(record(id).chat.email, "ann@shop.example");
  ASSERT_EQ(m_store->live_chats().size(), 1u);
  EXPECT_EQ(m_store->live_chats()[0].chat.email, "ann@shop.example");
}

TEST_P(StoreTest, CreatesAWaitingChatWithItsOpeningMessage) {
  const auto before = now_millis();
  const auto id = new_chat("Do you ship to Norway?");
  const auto after = now_millis();

  const auto chat = record(id);
  EXPECT_EQ(chat.chat.id, id);
  EXPECT_EQ(chat.chat.state, ChatState::waiting);
  EXPECT_EQ(chat.chat.visitor_name, "Ann");
  EXPECT_EQ(chat.chat.opening_message, "Do you ship to Norway?");
  EXPECT_EQ(chat.chat.page, "/pricing");
  EXPECT_EQ(chat.chat.email, "");
  EXPECT_EQ(chat.chat.operator_jid, "");
  EXPECT_EQ(chat.token_hash, "hash-of-token");
  EXPECT_EQ(chat.last_seq, 1);
  EXPECT_EQ(chat.relayed_seq, 0);
  EXPECT_FALSE(chat.broker_seen.has_value());
  EXPECT_GE(chat.created_at, before);
  EXPECT_LE(chat.created_at, after);
  EXPECT_EQ(chat.visitor_seen_at, chat.created_at);

  const auto messages = m_store->messages_after(id, 0, 10);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].seq, 1);
  EXPECT_EQ(messages[0].from, Author::visitor);
  EXPECT_EQ(messages[0].text, "Do you ship to Norway?");
  EXPECT_EQ(messages[0].at, chat.created_at);
}

TEST_P(StoreTest, ChatWithoutOpeningMessageHasNoMessage) {
  const auto id = new_chat("");
  EXPECT_EQ(record(id).last_seq, 0);
  EXPECT_TRUE(m_store->messages_after(id, 0, 10).empty());
}

TEST_P(StoreTest, ChatIdsStartAtOneAndIncrease) {
  EXPECT_EQ(new_chat(), 1);
  EXPECT_EQ(new_chat(), 2);
  EXPECT_EQ(new_chat(), 3);
}

TEST_P(StoreTest, FindsNoUnknownChat) {
  EXPECT_FALSE(m_store->find_chat(42).has_value());
}

TEST_P(StoreTest, KeepsTextsExactly) {
  const std::string text =
      "line one\nline two\t\"quoted\" 'single' ; DROP TABLE chats; -- \xC3\xA9";
  const auto id = new_chat(text);
  EXPECT_EQ(record(id).chat.opening_message, text);
  EXPECT_EQ(m_store->messages_after(id, 0, 1).at(0).text, text);
}

TEST_P(StoreTest, AddsMessagesWithTheNextSeq) {
  const auto id = new_chat();
  EXPECT_EQ(m_store->add_message(id, Author::visitor, "anyone?").seq, 2);
  const auto added = m_store->add_message(id, Author::operator_, "Hi Ann");
  EXPECT_EQ(added.result, AddResult::added);
  EXPECT_EQ(added.seq, 3);
  EXPECT_EQ(record(id).last_seq, 3);

  const auto messages = m_store->messages_after(id, 1, 10);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].seq, 2);
  EXPECT_EQ(messages[0].from, Author::visitor);
  EXPECT_EQ(messages[1].seq, 3);
  EXPECT_EQ(messages[1].from, Author::operator_);
  EXPECT_EQ(messages[1].text, "Hi Ann");
}

TEST_P(StoreTest, AnAddedMessageSaysTheTimeStoredWithIt) {
  // The gateway sends a visitor's line to their stream from this answer, not from a read.
  const auto chat = new_chat("");
  const auto plain = m_store->add_message(chat, Author::visitor, "one");
  const auto once = m_store->add_visitor_message_once(chat, "two", "c-1");
  const auto log = m_store->messages_after(chat, 0, 10);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_GT(plain.at, 0);
  EXPECT_EQ(plain.at, log[0].at);
  EXPECT_EQ(once.at, log[1].at);
}

TEST_P(StoreTest, SeqsAreCountedPerChat) {
  const auto first = new_chat("");
  const auto second = new_chat("");
  EXPECT_EQ(m_store->add_message(first, Author::visitor, "a").seq, 1);
  EXPECT_EQ(m_store->add_message(second, Author::visitor, "b").seq, 1);
  EXPECT_EQ(m_store->add_message(first, Author::visitor, "c").seq, 2);
}

TEST_P(StoreTest, AMessageSentAgainWithItsClientIdIsStoredOnce) {
  const auto chat = new_chat("");
  const auto first = m_store->add_visitor_message_once(chat, "first question", "c-1");
  EXPECT_EQ(first.result, AddResult::added);
  EXPECT_EQ(first.seq, 1);
  EXPECT_FALSE(first.repeated);
  const auto again = m_store->add_visitor_message_once(chat, "first question", "c-1");
  EXPECT_EQ(again.result, AddResult::added);
  EXPECT_EQ(again.seq, 1);
  EXPECT_TRUE(again.repeated);
  EXPECT_EQ(m_store->add_visitor_message_once(chat, "second", "c-2").seq, 2);
  // The same client id in another chat is another message.
  const auto other = new_chat("");
  EXPECT_EQ(m_store->add_visitor_message_once(other, "elsewhere", "c-1").seq, 1);
  const auto log = m_store->messages_after(chat, 0, 10);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].text, "first question");
  EXPECT_EQ(log[1].text, "second");
  EXPECT_EQ(record(chat).last_seq, 2);
}

TEST_P(StoreTest, ARetryAfterTheChatEndedStillFindsItsMessage) {
  const auto chat = new_chat("");
  ASSERT_EQ(m_store->add_visitor_message_once(chat, "bye", "c-1").seq, 1);
  ASSERT_TRUE(m_store->close_by_visitor(chat, "The chat is now closed."));
  const auto again = m_store->add_visitor_message_once(chat, "bye", "c-1");
  EXPECT_TRUE(again.repeated);
  EXPECT_EQ(again.seq, 1);
  EXPECT_EQ(m_store->add_visitor_message_once(chat, "late", "c-2").result, AddResult::chat_final);
  EXPECT_EQ(m_store->add_visitor_message_once(99, "x", "c-3").result, AddResult::no_such_chat);
}

TEST_P(StoreTest, KeepsTheChatsLanguage) {
  NewChat chat;
  chat.visitor_name = "Ann";
  chat.token_hash = "h";
  chat.language = "de-AT";
  const auto id = m_store->create_chat(chat);
  EXPECT_EQ(record(id).chat.language, "de-AT");
  EXPECT_EQ(record(new_chat()).chat.language, "");
}

TEST_P(StoreTest, RefusesMessagesToUnknownChats) {
  const auto added = m_store->add_message(7, Author::visitor, "hello");
  EXPECT_EQ(added.result, AddResult::no_such_chat);
  EXPECT_EQ(added.seq, 0);
}

TEST_P(StoreTest, RefusesMessagesToEveryFinalState) {
  for (const auto final_state :
       {ChatState::closed, ChatState::canceled, ChatState::failed, ChatState::abandoned}) {
    const auto id = new_chat();
    move(id, ChatState::waiting, final_state);
    const auto added = m_store->add_message(id, Author::visitor, "still there?");
    EXPECT_EQ(added.result, AddResult::chat_final);
    EXPECT_EQ(record(id).last_seq, 1);
    EXPECT_EQ(m_store->messages_after(id, 0, 10).size(), 1u);
  }
}

TEST_P(StoreTest, MessagesAfterHonoursTheLimit) {
  const auto id = new_chat("");
  for (int i = 1; i <= 5; ++i) {
    ASSERT_EQ(m_store->add_message(id, Author::visitor, std::to_string(i)).seq, i);
  }
  const auto page = m_store->messages_after(id, 1, 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].text, "2");
  EXPECT_EQ(page[1].text, "3");
  EXPECT_TRUE(m_store->messages_after(id, 5, 10).empty());
  EXPECT_TRUE(m_store->messages_after(id, 0, 0).empty());
  EXPECT_TRUE(m_store->messages_after(99, 0, 10).empty());
}

TEST_P(StoreTest, VisitorClosesALiveChatKeepingItsOperator) {
  const auto id = new_chat();
  move(id, ChatState::waiting, ChatState::open, "joe@example.com");
  ASSERT_TRUE(m_store->apply({}, SeenState{id, ChatState::open}));

  EXPECT_TRUE(m_store->close_by_visitor(id, "The visitor left."));

  const auto chat = record(id);
  EXPECT_EQ(chat.chat.state, ChatState::closed);
  EXPECT_EQ(chat.chat.operator_jid, "joe@example.com");
  EXPECT_EQ(chat.broker_seen, ChatState::open);  // the broker still has to notice
  EXPECT_EQ(chat.last_seq, 2);
  const auto messages = m_store->messages_after(id, 1, 10);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].from, Author::system);
  EXPECT_EQ(messages[0].text, "The visitor left.");
}

TEST_P(StoreTest, VisitorCannotCloseUnknownOrFinalChats) {
  EXPECT_FALSE(m_store->close_by_visitor(5, "bye"));
  const auto id = new_chat();
  move(id, ChatState::waiting, ChatState::failed);
  EXPECT_FALSE(m_store->close_by_visitor(id, "bye"));
  EXPECT_EQ(record(id).chat.state, ChatState::failed);
  EXPECT_EQ(record(id).last_seq, 1);
}

TEST_P(StoreTest, TouchVisitorRecordsTheTime) {
  const auto id = new_chat();
  m_store->touch_visitor(id, 1'700'000'000'123);
  EXPECT_EQ(record(id).visitor_seen_at, 1'700'000'000'123);
  m_store->touch_visitor(404, 1);  // unknown chat: nothing to touch, no error
}

TEST_P(StoreTest, LiveChatsAreTheUnfinishedOnesOldestFirst) {
  const auto waiting = new_chat();
  const auto closed = new_chat();
  const auto open = new_chat();
  const auto notified = new_chat();
  move(closed, ChatState::waiting, ChatState::closed);
  move(open, ChatState::waiting, ChatState::open, "joe@example.com");
  ASSERT_TRUE(m_store->apply({core::MarkRelayed{open, 1}}));
  move(notified, ChatState::waiting, ChatState::notified);

  const auto live = m_store->live_chats();
  ASSERT_EQ(live.size(), 3u);
  EXPECT_EQ(live[0].chat.id, waiting);
  EXPECT_EQ(live[1].chat.id, open);
  EXPECT_EQ(live[1].chat.operator_jid, "joe@example.com");
  EXPECT_EQ(live[1].relayed_seq, 1);
  EXPECT_EQ(live[1].broker_seen, ChatState::open);
  EXPECT_EQ(live[2].chat.id, notified);
  EXPECT_EQ(live[2].chat.state, ChatState::notified);
}

TEST_P(StoreTest, OverdueChatsAreSilentVisitorsAndOldRequests) {
  const auto waiting = new_chat();
  const auto open = new_chat();
  const auto closed = new_chat();
  move(open, ChatState::waiting, ChatState::open, "joe@example.com");
  move(closed, ChatState::waiting, ChatState::closed);
  const auto now = now_millis();

  EXPECT_TRUE(m_store->overdue_chats(0, 0).empty()) << "0: both limits off";
  EXPECT_TRUE(m_store->overdue_chats(now - 60'000, now - 60'000).empty()) << "all are recent";

  // Requests only: an open chat is not a request, a closed one is not live.
  auto requests = m_store->overdue_chats(0, now + 1'000);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].chat.id, waiting);

  // Silent visitors: every live chat, oldest first.
  m_store->touch_visitor(open, now + 5'000);
  auto silent = m_store->overdue_chats(now + 1'000, 0);
  ASSERT_EQ(silent.size(), 1u);
  EXPECT_EQ(silent[0].chat.id, waiting);
  silent = m_store->overdue_chats(now + 10'000, 0);
  ASSERT_EQ(silent.size(), 2u);
  EXPECT_EQ(silent[0].chat.id, waiting);
  EXPECT_EQ(silent[1].chat.id, open);
}

// Presence held by gateways: a held chat is not overdue however long ago its page last read,
// and a touch leaves the hold alone; the last holder to let go dates it.
TEST_P(StoreTest, AHeldVisitorIsSeenUntilTheLastGatewayLetsGo) {
  const auto chat = new_chat();
  const auto one = m_store->add_gateway(1'000);
  const auto two = m_store->add_gateway(1'000);
  EXPECT_NE(one, two);
  m_store->hold_visitor(chat, one);
  m_store->hold_visitor(chat, two);
  m_store->hold_visitor(chat, two);  // again: still one hold
  EXPECT_EQ(record(chat).visitor_seen_at, k_held);
  m_store->touch_visitor(chat, 5'000);  // a long-poll of the same page
  EXPECT_EQ(record(chat).visitor_seen_at, k_held);
  EXPECT_TRUE(m_store->overdue_chats(now_millis() + 3'600'000, 0).empty());

  m_store->let_go_visitor(chat, two, 7'000);
  EXPECT_EQ(record(chat).visitor_seen_at, k_held) << "gateway one still holds it";
  m_store->let_go_visitor(chat, one, 8'000);
  EXPECT_EQ(record(chat).visitor_seen_at, 8'000);
  const auto overdue = m_store->overdue_chats(9'000, 0);
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0].chat.id, chat);
}

// A gateway that stopped refreshing (killed) is reaped: what it alone held counts as seen when
// it last refreshed; what another gateway also holds stays held; its own refresh then fails.
TEST_P(StoreTest, AStaleGatewayIsReapedAndItsVisitorsDatedWhenItWasLastSeen) {
  const auto alone = new_chat();
  const auto shared = new_chat();
  const auto dead = m_store->add_gateway(1'000);
  const auto alive = m_store->add_gateway(1'000);
  m_store->hold_visitor(alone, dead);
  m_store->hold_visitor(shared, dead);
  m_store->hold_visitor(shared, alive);
  ASSERT_TRUE(m_store->refresh_gateway(dead, 2'000));
  ASSERT_TRUE(m_store->refresh_gateway(alive, 20'000));

  EXPECT_EQ(m_store->reap_gateways(2'000), 0) << "refreshed at 2,000: not before";
  EXPECT_EQ(m_store->reap_gateways(10'000), 1);
  EXPECT_EQ(record(alone).visitor_seen_at, 2'000);
  EXPECT_EQ(record(shared).visitor_seen_at, k_held);
  EXPECT_FALSE(m_store->refresh_gateway(dead, 21'000)) << "it must add itself again";
  EXPECT_EQ(m_store->reap_gateways(10'000), 0);

  // A gateway that stops lets go of everything at once.
  m_store->remove_gateway(alive, 22'000);
  EXPECT_EQ(record(shared).visitor_seen_at, 22'000);
  EXPECT_FALSE(m_store->refresh_gateway(alive, 23'000));
}

TEST_P(StoreTest, PendingReportsNewChatsUntilSeen) {
  const auto id = new_chat();
  auto pending = m_store->pending();
  ASSERT_EQ(pending.changed_chats.size(), 1u);
  EXPECT_EQ(pending.changed_chats[0].chat.id, id);
  EXPECT_FALSE(pending.changed_chats[0].broker_seen.has_value());

  ASSERT_TRUE(m_store->apply({}, SeenState{id, ChatState::waiting}));
  EXPECT_TRUE(m_store->pending().changed_chats.empty());
  EXPECT_EQ(record(id).broker_seen, ChatState::waiting);
}

TEST_P(StoreTest, PendingReadsAtMostTheChangedChatsAskedFor) {
  std::vector<ChatId> chats;
  for (int i = 0; i < 5; ++i) chats.push_back(new_chat());
  const auto three = m_store->pending(3);
  ASSERT_EQ(three.changed_chats.size(), 3u);
  EXPECT_EQ(three.changed_chats[0].chat.id, chats[0]) << "oldest first";
  EXPECT_TRUE(three.more_chats);
  const auto all = m_store->pending(5);
  EXPECT_EQ(all.changed_chats.size(), 5u);
  EXPECT_FALSE(all.more_chats);
  const auto none = m_store->pending(0);  // a round that only relays
  EXPECT_TRUE(none.changed_chats.empty());
  EXPECT_FALSE(none.more_chats);
}

TEST_P(StoreTest, PendingReportsAVisitorCloseOfAFinalChat) {
  const auto id = new_chat("");
  move(id, ChatState::waiting, ChatState::open, "joe@example.com");
  EXPECT_TRUE(m_store->pending().changed_chats.empty());  // SetState marks its target seen

  ASSERT_TRUE(m_store->close_by_visitor(id, "bye"));
  const auto pending = m_store->pending();
  ASSERT_EQ(pending.changed_chats.size(), 1u);
  EXPECT_EQ(pending.changed_chats[0].chat.state, ChatState::closed);
  EXPECT_EQ(pending.changed_chats[0].broker_seen, ChatState::open);
}

TEST_P(StoreTest, PendingVisitorMessagesBeyondTheRelayedMarkOfLiveChats) {
  const auto first = new_chat("one");
  const auto second = new_chat("");
  const auto ended = new_chat("never relayed");
  ASSERT_EQ(m_store->add_message(second, Author::visitor, "two").seq, 1);
  ASSERT_EQ(m_store->add_message(first, Author::operator_, "not a visitor's").seq, 2);
  ASSERT_EQ(m_store->add_message(first, Author::visitor, "three").seq, 3);
  ASSERT_EQ(m_store->add_message(second, Author::visitor, "four").seq, 2);
  move(ended, ChatState::waiting, ChatState::abandoned);

  auto messages = m_store->pending().visitor_messages;
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0].chat, first);
  EXPECT_EQ(messages[0].message.text, "one");
  EXPECT_EQ(messages[1].chat, first);
  EXPECT_EQ(messages[1].message.seq, 3);
  EXPECT_EQ(messages[1].message.from, Author::visitor);
  EXPECT_EQ(messages[2].chat, second);
  EXPECT_EQ(messages[2].message.text, "two");
  EXPECT_EQ(messages[3].message.text, "four");

  ASSERT_TRUE(m_store->apply({core::MarkRelayed{first, 3}, core::MarkRelayed{second, 1}}));
  messages = m_store->pending().visitor_messages;
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].chat, second);
  EXPECT_EQ(messages[0].message.seq, 2);
}

TEST_P(StoreTest, MarkRelayedNeverMovesBack) {
  const auto id = new_chat("");
  ASSERT_TRUE(m_store->apply({core::MarkRelayed{id, 4}, core::MarkRelayed{id, 2}}));
  EXPECT_EQ(record(id).relayed_seq, 4);
}

TEST_P(StoreTest, SetStateOpensWithTheOperatorAndOffersAgainWithout) {
  const auto id = new_chat();
  move(id, ChatState::waiting, ChatState::notified, "ignored@example.com");
  EXPECT_EQ(record(id).chat.operator_jid, "");
  move(id, ChatState::notified, ChatState::open, "joe@example.com");
  EXPECT_EQ(record(id).chat.operator_jid, "joe@example.com");
  EXPECT_EQ(record(id).broker_seen, ChatState::open);
  move(id, ChatState::open, ChatState::waiting);
  EXPECT_EQ(record(id).chat.operator_jid, "");
  move(id, ChatState::waiting, ChatState::open, "kim@example.com");
  move(id, ChatState::open, ChatState::closed);
  EXPECT_EQ(record(id).chat.state, ChatState::closed);
  EXPECT_EQ(record(id).chat.operator_jid, "kim@example.com");  // who handled it is kept
}

TEST_P(StoreTest, StaleSetStateRejectsTheWholeBatch) {
  const auto id = new_chat();
  move(id, ChatState::waiting, ChatState::notified);
  const auto other = new_chat();
  const auto before = record(id);

  const bool applied = m_store->apply(
      {core::SendToOperator{"joe@example.com", "You are now handling chat", id},
       core::PostToChat{id, Author::system, "An operator joined."}, core::MarkRelayed{id, 1},
       core::SetState{other, ChatState::waiting, ChatState::notified, ""},
       core::SetOperatorAvailable{"joe@example.com", true},
       core::SetState{id, ChatState::waiting, ChatState::open, "joe@example.com"}},
      SeenState{id, ChatState::notified});

  EXPECT_FALSE(applied);
  const auto after = record(id);
  EXPECT_EQ(after.chat.state, ChatState::notified);
  EXPECT_EQ(after.last_seq, before.last_seq);
  EXPECT_EQ(after.relayed_seq, 0);
  EXPECT_EQ(after.broker_seen, before.broker_seen);
  EXPECT_EQ(record(other).chat.state, ChatState::waiting);
  EXPECT_TRUE(m_store->undelivered(0, 10).empty());
  EXPECT_EQ(m_store->messages_after(id, 0, 10).size(), 1u);
  EXPECT_EQ(m_store->available_operators(), 0);
}

TEST_P(StoreTest, SetStateOutsideTheLifeCycleIsRejectedAndWritesNothing) {
  const auto id = new_chat();
  move(id, ChatState::waiting, ChatState::open, "joe@example.com");
  move(id, ChatState::open, ChatState::closed);
  // The row is closed, so the state guard would let "closed -> open" through: the table not.
  EXPECT_FALSE(m_store->apply({core::SetState{id, ChatState::closed, ChatState::open, "a@b"},
                               core::PostToChat{id, core::Author::system, "never"}}));
  EXPECT_EQ(record(id).chat.state, ChatState::closed);
  EXPECT_EQ(record(id).chat.operator_jid, "joe@example.com");
  // Nor a move to where it is: waiting -> waiting is not a transition.
  const auto other = new_chat();
  EXPECT_FALSE(m_store->apply({core::SetState{other, ChatState::waiting, ChatState::waiting, ""}}));
  EXPECT_EQ(record(other).chat.state, ChatState::waiting);
}

TEST_P(StoreTest, SetStateOfAnUnknownChatIsRejected) {
  EXPECT_FALSE(m_store->apply({core::SetState{9, ChatState::waiting, ChatState::open, "a@b"}}));
}

TEST_P(StoreTest, BrokerMayPostToTheChatItJustClosed) {
  const auto id = new_chat();
  move(id, ChatState::waiting, ChatState::open, "joe@example.com");
  ASSERT_TRUE(m_store->apply({core::SetState{id, ChatState::open, ChatState::closed, ""},
                              core::PostToChat{id, Author::system, "The chat is now closed."}}));
  const auto messages = m_store->messages_after(id, 1, 10);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].seq, 2);
  EXPECT_EQ(messages[0].text, "The chat is now closed.");
}

TEST_P(StoreTest, AppliedOperatorLinesAreTakenAsAReadReturnsThem) {
  // The broker hands these to the visitor's stream, which sends them without reading them back.
  const auto id = new_chat();
  move(id, ChatState::waiting, ChatState::open, "joe@example.com");
  const auto post = [&](const std::string& text, core::OperatorStanza stanza) {
    return core::PostToChat{id, Author::operator_, text, "Joe", "joe@example.com/phone", stanza};
  };
  ASSERT_TRUE(m_store->apply({post("Hello, Ann.", {"s-1"}),
                              core::PostToChat{id, Author::system, "Not an operator's line."}}));
  ASSERT_TRUE(m_store->apply({post("Hello, Anne.", {"s-2", "s-1"})}));  // a correction
  // Refused as a whole (the chat is not waiting): nothing of it to take.
  EXPECT_FALSE(m_store->apply(
      {post("never", {}), core::SetState{id, ChatState::waiting, ChatState::notified, ""}}));
  const auto lines = m_store->take_operator_lines();
  const auto stored = m_store->messages_after(id, 0, 10);
  ASSERT_EQ(lines.size(), 2u);
  ASSERT_EQ(stored.size(), 4u);  // the opening message, two operator lines, the system one
  for (const auto& [chat, line] : lines) {
    EXPECT_EQ(chat, id);
    const auto same = std::find_if(stored.begin(), stored.end(),
                                   [&](const Message& m) { return m.seq == line.seq; });
    ASSERT_NE(same, stored.end());
    EXPECT_EQ(same->from, Author::operator_);
    EXPECT_EQ(same->text, line.text);
    EXPECT_EQ(same->at, line.at);
    EXPECT_EQ(same->name, line.name);
    EXPECT_EQ(same->replaces, line.replaces);
  }
  EXPECT_EQ(lines[1].second.replaces, std::optional<Seq>{lines[0].second.seq});
  EXPECT_TRUE(m_store->take_operator_lines().empty()) << "each line is taken once";
}

TEST_P(StoreTest, PostingToAnUnknownChatIsAnError) {
  EXPECT_THROW((void)m_store->apply({core::PostToChat{77, Author::system, "hello"}}), StoreError);
}

TEST_P(StoreTest, SeenStateYieldsToASetStateOfTheSameBatch) {
  const auto id = new_chat();
  ASSERT_TRUE(m_store->apply({core::SetState{id, ChatState::waiting, ChatState::notified, ""}},
                             SeenState{id, ChatState::waiting}));
  EXPECT_EQ(record(id).broker_seen, ChatState::notified);
  EXPECT_TRUE(m_store->pending().changed_chats.empty());
}

TEST_P(StoreTest, OutboxKeepsOrderUntilDelivered) {
  ASSERT_TRUE(m_store->apply({core::SendToOperator{"joe@example.com", "first", 0},
                              core::SendToOperator{"kim@example.com", "second", 3},
                              core::Ignore{"nothing to do"}}));
  ASSERT_TRUE(m_store->apply({core::SendToOperator{"joe@example.com", "third", 0}}));

  auto items = m_store->undelivered(0, 10);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].jid, "joe@example.com");
  EXPECT_EQ(items[0].text, "first");
  EXPECT_EQ(items[0].chat, 0);
  EXPECT_EQ(items[1].jid, "kim@example.com");
  EXPECT_EQ(items[1].chat, 3);
  EXPECT_LT(items[0].id, items[1].id);
  EXPECT_LT(items[1].id, items[2].id);
  EXPECT_EQ(m_store->undelivered(0, 2).size(), 2u);
  EXPECT_TRUE(m_store->undelivered(0, 0).empty());
  const auto after_first = m_store->undelivered(items[0].id, 10);
  ASSERT_EQ(after_first.size(), 2u) << "only the rows after an id already sent";
  EXPECT_EQ(after_first[0].text, "second");
  EXPECT_TRUE(m_store->undelivered(items[2].id, 10).empty());

  m_store->mark_delivered({items[0].id, items[2].id});
  m_store->mark_delivered({});
  items = m_store->undelivered(0, 10);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].text, "second");
}

TEST_P(StoreTest, MarkDeliveredMarksExactlyTheIdsGivenInAnyOrder) {
  for (int i = 1; i <= 6; ++i) {
    ASSERT_TRUE(m_store->apply({core::SendToOperator{"joe@example.com", std::to_string(i), 0}}));
  }
  const auto items = m_store->undelivered(0, 10);
  ASSERT_EQ(items.size(), 6u);
  // Runs of neighbours, out of order, one twice: a range each must not cover the gaps.
  m_store->mark_delivered({items[4].id, items[0].id, items[1].id, items[1].id, items[3].id});
  std::vector<std::string> left;
  for (const auto& item : m_store->undelivered(0, 10)) left.push_back(item.text);
  EXPECT_EQ(left, (std::vector<std::string>{"3", "6"}));
}

TEST_P(StoreTest, RelayBacklogSendsEveryVisitorMessageInOrderAndMarksThemRelayed) {
  const auto id = new_chat("first");
  ASSERT_EQ(m_store->add_message(id, Author::system, "Please wait.").seq, 2);
  ASSERT_EQ(m_store->add_message(id, Author::visitor, "second").seq, 3);
  const auto other = new_chat("another chat's");
  ASSERT_TRUE(m_store->apply({core::MarkRelayed{id, 3}, core::MarkRelayed{other, 1}}));
  ASSERT_EQ(m_store->add_message(id, Author::visitor, "held back").seq, 4);

  ASSERT_TRUE(m_store->apply({core::RelayBacklog{id, "joe@example.com"}}));

  const auto items = m_store->undelivered(0, 10);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].text, "first");
  EXPECT_EQ(items[1].text, "second");
  EXPECT_EQ(items[2].text, "held back");
  for (const auto& item : items) {
    EXPECT_EQ(item.jid, "joe@example.com");
    EXPECT_EQ(item.chat, id);
  }
  EXPECT_EQ(record(id).relayed_seq, 4);
  EXPECT_EQ(record(other).relayed_seq, 1);
}

TEST_P(StoreTest, HeldMessagesWaitUnreadUntilTheChatOpens) {
  const auto id = new_chat("first");
  const auto pending_of = [&] {
    std::vector<std::string> texts;
    for (const auto& one : m_store->pending().visitor_messages) {
      if (one.chat == id) texts.push_back(one.message.text);
    }
    return texts;
  };
  EXPECT_EQ(pending_of(), std::vector<std::string>{"first"});
  EXPECT_FALSE(record(id).chat.told_held);

  ASSERT_TRUE(m_store->apply({core::HoldMessages{id}}));
  m_store->add_message(id, Author::visitor, "still there?");
  EXPECT_TRUE(record(id).chat.told_held);
  EXPECT_TRUE(pending_of().empty());
  move(id, ChatState::waiting, ChatState::notified);
  EXPECT_TRUE(pending_of().empty());

  move(id, ChatState::notified, ChatState::open, "joe@example.com");
  EXPECT_EQ(pending_of(), (std::vector<std::string>{"first", "still there?"}));
}

TEST_P(StoreTest, OperatorsAvailabilityIsCountedAndReset) {
  EXPECT_EQ(m_store->available_operators(), 0);
  ASSERT_TRUE(m_store->apply({core::SetOperatorAvailable{"joe@example.com", true},
                              core::SetOperatorAvailable{"kim@example.com", true},
                              core::SetOperatorAvailable{"joe@example.com", true}}));
  EXPECT_EQ(m_store->available_operators(), 2);
  ASSERT_TRUE(m_store->apply({core::SetOperatorAvailable{"kim@example.com", false}}));
  EXPECT_EQ(m_store->available_operators(), 1);
  m_store->reset_operators();
  EXPECT_EQ(m_store->available_operators(), 0);
  ASSERT_TRUE(m_store->apply({core::SetOperatorAvailable{"kim@example.com", true}}));
  EXPECT_EQ(m_store->available_operators(), 1);
}

TEST_P(StoreTest, FreeOperatorsAreCountedAndReset) {
  EXPECT_EQ(m_store->free_operators(), 0);
  ASSERT_TRUE(m_store->apply({core::SetOperatorAvailable{"joe@example.com", true},
                              core::SetOperatorFree{"joe@example.com", true},
                              core::SetOperatorFree{"kim@example.com", true}}));
  EXPECT_EQ(m_store->free_operators(), 2);
  EXPECT_EQ(m_store->available_operators(), 1);
  ASSERT_TRUE(m_store->apply({core::SetOperatorFree{"kim@example.com", false}}));
  EXPECT_EQ(m_store->free_operators(), 1);
  m_store->reset_operators();
  EXPECT_EQ(m_store->free_operators(), 0);
}

TEST_P(StoreTest, LeftMessagesAndQueuePositions) {
  const auto first = new_chat();
  const auto second = new_chat();
  const auto third = new_chat();
  EXPECT_EQ(m_store->queue(), (std::vector<ChatId>{first, second, third}));
  move(first, ChatState::waiting, ChatState::open, "joe@example.com");
  EXPECT_EQ(m_store->queue(), (std::vector<ChatId>{second, third}));
  EXPECT_FALSE(record(second).chat.left_message);
  ASSERT_TRUE(m_store->apply({core::MarkLeftMessage{second, true}}));
  EXPECT_TRUE(record(second).chat.left_message);
  EXPECT_EQ(record(second).chat.created_at, record(second).created_at);
  ASSERT_TRUE(m_store->apply({core::MarkLeftMessage{second, false}}));
  EXPECT_FALSE(record(second).chat.left_message);
  // The switchboard's own bookkeeping stores nothing and is never refused.
  EXPECT_TRUE(m_store->apply({core::SetVisitorAway{second, true}, core::Offered{"j", {second}},
                              core::DeferOffer{"j", second}, core::MarkDropped{first, true}}));
}

TEST_P(StoreTest, CountsEachNetworksSendsForAMinute) {
  for (int i = 0; i < 3; ++i) m_store->record_visitor_send("10.0.0.0/24");
  m_store->record_visitor_send("10.0.1.0/24");
  auto other = m_db.open();  // another gateway's count is the same
  other->record_visitor_send("10.0.0.0/24");
  EXPECT_EQ(m_store->visitor_sends_within(60'000, "10.0.0.0/24"), 4);
  EXPECT_EQ(other->visitor_sends_within(60'000, "10.0.1.0/24"), 1);
  EXPECT_EQ(m_store->visitor_sends_within(60'000, "10.0.2.0/24"), 0);
}

TEST_P(StoreTest, DataVersionChangesOnlyForOtherConnectionsCommits) {
  if (GetParam() != testing::Backend::sqlite) {
    GTEST_SKIP() << "SQLite's data_version; PostgreSQL's processes learn of commits by "
                    "LISTEN/NOTIFY (pg_listener_test.cpp)";
  }
  auto other = m_db.open();
  const auto start = m_store->data_version();
  (void)new_chat();  // our own commit
  EXPECT_EQ(m_store->data_version(), start);
  (void)other->create_chat(NewChat{"Bob", "", "", "h", ""});
  EXPECT_NE(m_store->data_version(), start);
}

TEST_P(StoreTest, ASecondConnectionSeesCommittedWork) {
  const auto id = new_chat("hello");
  auto other = m_db.open();
  EXPECT_EQ(other->add_message(id, Author::operator_, "hi").seq, 2);
  EXPECT_EQ(record(id).last_seq, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, testing::all_backends(), testing::backend_name);

}  // namespace
}  // namespace seshat::store

namespace seshat::store {
namespace {

class BatchTest : public StoreTest {
 protected:
  std::unique_ptr<Store> m_other = m_db.open();
};

TEST_P(BatchTest, WritesBecomeVisibleToOthersOnlyAtTheCommit) {
  const auto chat = new_chat();
  auto batch = m_store->begin_batch();
  EXPECT_EQ(m_store->add_message(chat, Author::visitor, "one").result, AddResult::added);
  EXPECT_EQ(m_store->add_message(chat, Author::visitor, "two").result, AddResult::added);
  EXPECT_EQ(m_store->messages_after(chat, 0, 10).size(), 3u) << "the batch sees its own writes";
  EXPECT_TRUE(batch->intact());
  batch->commit();
  EXPECT_EQ(m_other->messages_after(chat, 0, 10).size(), 3u);
}

TEST_P(BatchTest, ADroppedBatchKeepsNothing) {
  const auto chat = new_chat();
  {
    auto batch = m_store->begin_batch();
    (void)m_store->add_message(chat, Author::visitor, "lost");
  }
  EXPECT_EQ(m_other->messages_after(chat, 0, 10).size(), 1u);
  EXPECT_EQ(m_store->messages_after(chat, 0, 10).size(), 1u);
}

TEST_P(BatchTest, ARefusedWriteInsideRollsBackOnlyItself) {
  const auto chat = new_chat();
  auto batch = m_store->begin_batch();
  (void)m_store->add_message(chat, Author::visitor, "kept");
  // Guarded: the chat is waiting, not open, so this whole apply is refused...
  EXPECT_FALSE(m_store->apply({core::PostToChat{chat, Author::system, "refused"},
                               core::SetState{chat, ChatState::open, ChatState::closed, ""}}));
  batch->commit();
  // ...and its PostToChat with it, while the message before it stays.
  const auto messages = m_other->messages_after(chat, 0, 10);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages.back().text, "kept");
  EXPECT_EQ(record(chat).chat.state, ChatState::waiting);
}

TEST_P(BatchTest, OperatorLinesOfARefusedApplyInsideAreNotTaken) {
  const auto chat = new_chat();
  ASSERT_TRUE(m_store->apply({core::SetState{chat, ChatState::waiting, ChatState::open, "j@x"}}));
  auto batch = m_store->begin_batch();
  ASSERT_TRUE(m_store->apply({core::PostToChat{chat, Author::operator_, "kept", "Joe", "j@x/a"}}));
  EXPECT_FALSE(m_store->apply({core::PostToChat{chat, Author::operator_, "refused", "Joe", "j@x/a"},
                               core::SetState{chat, ChatState::waiting, ChatState::closed, ""}}));
  batch->commit();
  const auto lines = m_store->take_operator_lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].second.text, "kept");
  EXPECT_EQ(lines[0].second.seq, m_other->messages_after(chat, 0, 10).back().seq);
}

TEST_P(BatchTest, ARefusedVisitorLineInsideKeepsTheBatch) {
  const auto chat = new_chat();
  const auto ended = new_chat();
  ASSERT_TRUE(m_store->close_by_visitor(ended, "The chat is now closed."));
  auto batch = m_store->begin_batch();
  ASSERT_EQ(m_store->add_visitor_message_once(chat, "kept", "c-1").seq, 2);
  // A retry and a line to an ended chat are refused without a write of theirs...
  EXPECT_TRUE(m_store->add_visitor_message_once(chat, "kept", "c-1").repeated);
  EXPECT_EQ(m_store->add_visitor_message_once(ended, "late", "c-2").result, AddResult::chat_final);
  EXPECT_EQ(m_store->add_message(ended, Author::visitor, "late").result, AddResult::chat_final);
  // ...and the batch goes on with the lines before and after them.
  EXPECT_EQ(m_store->add_visitor_message_once(chat, "next", "c-3").seq, 3);
  EXPECT_TRUE(batch->intact());
  batch->commit();
  const auto messages = m_other->messages_after(chat, 0, 10);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1].text, "kept");
  EXPECT_EQ(messages[2].text, "next");
  EXPECT_EQ(record(chat).last_seq, 3);
}

TEST_P(BatchTest, OnlyOneAtATime) {
  auto batch = m_store->begin_batch();
  EXPECT_THROW((void)m_store->begin_batch(), StoreError);
}

INSTANTIATE_TEST_SUITE_P(Backends, BatchTest, testing::all_backends(), testing::backend_name);

// A visitor's line takes no savepoint inside a batch (sqlite::Inside::whole_batch): when it fails
// after its first write, the whole batch is rolled back, and nothing of it is committed.
TEST(SqliteBatch, AVisitorLineThatFailsAfterItsFirstWriteRollsTheBatchBack) {
  testing::TempDir dir;
  const auto path = dir.file("seshat.db");
  auto store = open_sqlite_store(path);
  const auto chat = store->create_chat(NewChat{"Ann", "Hello?", "/", "hash", ""});
  const auto other = store->create_chat(NewChat{"Bob", "Hi", "/", "hash", ""});
  // The line's message row is written first; then the chat's update fails.
  sqlite::Database(path).exec(
      "CREATE TRIGGER refuse_update BEFORE UPDATE OF visitor_count ON chats WHEN NEW.id = " +
      std::to_string(chat) + " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  {
    auto batch = store->begin_batch();
    ASSERT_EQ(store->add_visitor_message_once(other, "before it", "c-1").seq, 2);
    EXPECT_THROW((void)store->add_visitor_message_once(chat, "fails", "c-2"), StoreError);
    EXPECT_FALSE(batch->intact());
    EXPECT_THROW(batch->commit(), StoreError);
  }
  EXPECT_EQ(store->messages_after(chat, 0, 10).size(), 1u);
  EXPECT_EQ(store->messages_after(other, 0, 10).size(), 1u) << "the batch's other line too";
  sqlite::Database(path).exec("DROP TRIGGER refuse_update");
  // Alone, the line takes the seq that was not kept.
  EXPECT_EQ(store->add_visitor_message_once(chat, "fails", "c-2").seq, 2);
  EXPECT_EQ(store->add_visitor_message_once(other, "before it", "c-1").seq, 2);
}

// A send's count takes no savepoint inside a batch either: when it fails, the batch is rolled
// back (its jobs then run one by one); alone, its failure leaves the line it counts stored.
TEST(SqliteBatch, ACountOfASendThatFailsRollsTheBatchBack) {
  testing::TempDir dir;
  const auto path = dir.file("seshat.db");
  auto store = open_sqlite_store(path);
  const auto chat = store->create_chat(NewChat{"Ann", "Hello?", "/", "hash", ""});
  sqlite::Database(path).exec(
      "CREATE TRIGGER refuse_count BEFORE INSERT ON visitor_send_counts BEGIN SELECT "
      "RAISE(ABORT, 'refused by the test'); END");
  {
    auto batch = store->begin_batch();
    ASSERT_EQ(store->add_visitor_message_once(chat, "counted", "c-1").seq, 2);
    EXPECT_THROW(store->record_visitor_send("10.0.0.0/24"), StoreError);
    EXPECT_FALSE(batch->intact());
    EXPECT_THROW(batch->commit(), StoreError);
  }
  EXPECT_EQ(store->messages_after(chat, 0, 10).size(), 1u);
  ASSERT_EQ(store->add_visitor_message_once(chat, "counted", "c-1").seq, 2);
  EXPECT_THROW(store->record_visitor_send("10.0.0.0/24"), StoreError);
  EXPECT_EQ(store->messages_after(chat, 0, 10).size(), 2u) << "alone, the line stays";
}

// A network's sends are counted in a row per 10-second step, not a row each: a count reads at
// most a minute's steps however much the network sent (with a row each, 6,000 sends in the last
// minute cost 0.2 ms a count).
TEST(SqliteLimits, ANetworksSendsTakeARowPerStep) {
  testing::TempDir dir;
  const auto path = dir.file("seshat.db");
  auto store = open_sqlite_store(path);
  const auto started = now_millis();
  for (int i = 0; i < 500; ++i) store->record_visitor_send("10.0.0.0/24");
  const auto steps = send_step_of(now_millis()) - send_step_of(started) + 1;
  EXPECT_EQ(store->visitor_sends_within(60'000, "10.0.0.0/24"), 500);
  sqlite::Database db(path);
  sqlite::Statement rows(db, "SELECT count(*) FROM visitor_send_counts");
  sqlite::Query query(rows);
  ASSERT_TRUE(query.step());
  EXPECT_LE(query.int_at(0), steps);
}

}  // namespace
}  // namespace seshat::store
