// What the store keeps for real operators' clients: corrections resolved to the message they
// correct, receipts and markers queued in the outbox when the page has or the visitor saw a
// message (once), typing both ways, and the operator's name.
#include <gtest/gtest.h>

#include "backends.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace seshat::store {
namespace {

using core::Author;
using core::ChatState;
using core::OperatorStanza;
using core::PostToChat;

class InteropStoreTest : public testing::BackendTest {
 protected:
  // An open chat handled by joe.
  ChatId open_chat() {
    const auto id = m_store->create_chat(NewChat{"Ann", "", "/", "hash"});
    EXPECT_TRUE(m_store->apply({core::SetState{id, ChatState::waiting, ChatState::open, "joe@x"}}));
    return id;
  }

  Seq say(ChatId chat, const std::string& text, OperatorStanza stanza,
          const std::string& from = "joe@x/laptop") {
    EXPECT_TRUE(m_store->apply({PostToChat{chat, Author::operator_, text, "Joe", from, stanza}}));
    return m_store->find_chat(chat)->last_seq;
  }

  Message message(ChatId chat, Seq seq) { return m_store->messages_after(chat, seq - 1, 1).at(0); }

  std::vector<OutboxItem> acknowledgements() {
    std::vector<OutboxItem> found;
    for (auto& item : m_store->undelivered(0, 100)) {
      if (item.kind != OutboxKind::message) found.push_back(item);
    }
    return found;
  }

  std::unique_ptr<Store> m_store = m_db.open();
};

TEST_P(InteropStoreTest, ACorrectionReplacesTheOriginalOfTheSameOperator) {
  const auto chat = open_chat();
  const auto original = say(chat, "Helo", {"a", "", false, false});
  EXPECT_FALSE(message(chat, original).replaces);
  EXPECT_EQ(message(chat, original).name, "Joe");
  const auto first = say(chat, "Hello", {"b", "a", false, false});
  EXPECT_EQ(message(chat, first).replaces, original);
  // Naming the correction (older clients) still replaces the original.
  const auto second = say(chat, "Hello!", {"c", "b", false, false}, "joe@x/phone");
  EXPECT_EQ(message(chat, second).replaces, original);
  // Unknown id, or another operator's message: a plain new message.
  EXPECT_FALSE(message(chat, say(chat, "?", {"d", "zzz", false, false})).replaces);
  EXPECT_FALSE(message(chat, say(chat, "!", {"e", "a", false, false}, "bob@x/pc")).replaces);
}

TEST_P(InteropStoreTest, ARetractionOfAnUnknownMessageWritesNothing) {
  const auto chat = open_chat();
  const auto before = m_store->find_chat(chat)->last_seq;
  OperatorStanza retraction{"r", "nope", false, false, true};
  EXPECT_TRUE(
      m_store->apply({PostToChat{chat, Author::operator_, "gone", "Joe", "joe@x/l", retraction}}));
  EXPECT_EQ(m_store->find_chat(chat)->last_seq, before);
}

TEST_P(InteropStoreTest, ReceiptsOnceWhenHandedUpAndOneMarkerWhenRead) {
  const auto chat = open_chat();
  const auto asked = say(chat, "one", {"m1", "", true, true});
  const auto silent = say(chat, "two", {"m2", "", false, false});
  const auto last = say(chat, "three", {"m3", "", true, true});
  EXPECT_TRUE(acknowledgements().empty());

  EXPECT_EQ(m_store->hand_up(chat, asked), 1);
  EXPECT_EQ(m_store->hand_up(chat, asked), 0);  // once
  EXPECT_EQ(m_store->hand_up(chat, last), 1);   // m2 asked for none
  auto acks = acknowledgements();
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].kind, OutboxKind::received);
  EXPECT_EQ(acks[0].ref, "m1");
  EXPECT_EQ(acks[0].jid, "joe@x/laptop");
  EXPECT_EQ(acks[1].ref, "m3");

  EXPECT_EQ(m_store->mark_read(chat, silent), 1);  // the last markable up to there: m1
  EXPECT_EQ(m_store->mark_read(chat, silent), 0);
  EXPECT_EQ(m_store->mark_read(chat, last), 1);
  acks = acknowledgements();
  ASSERT_EQ(acks.size(), 4u);
  EXPECT_EQ(acks[2].kind, OutboxKind::displayed);
  EXPECT_EQ(acks[2].ref, "m1");
  EXPECT_EQ(acks[3].ref, "m3");
  EXPECT_EQ(m_store->find_chat(chat)->read_seq, last);
  EXPECT_EQ(m_store->find_chat(chat)->handed_seq, last);
}

TEST_P(InteropStoreTest, ReadingMarksTheMessagesHandedUpToo) {
  const auto chat = open_chat();
  const auto seq = say(chat, "one", {"m1", "", true, true});
  EXPECT_EQ(m_store->mark_read(chat, seq), 2);  // the receipt and the marker
}

TEST_P(InteropStoreTest, VisitorTypingIsPendingUntilTheBrokerHandledIt) {
  const auto chat = open_chat();
  EXPECT_TRUE(m_store->set_visitor_typing(chat, true));
  EXPECT_FALSE(m_store->set_visitor_typing(chat, true));  // no change
  auto pending = m_store->pending().visitor_typing;
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].chat, chat);
  EXPECT_TRUE(pending[0].typing);
  EXPECT_TRUE(m_store->apply({core::SendTyping{chat, "joe@x", true}}));
  EXPECT_TRUE(m_store->pending().visitor_typing.empty());
  // Sending a message ends the typing, without anything pending.
  EXPECT_EQ(m_store->add_message(chat, Author::visitor, "hi").result, AddResult::added);
  EXPECT_TRUE(m_store->pending().visitor_typing.empty());
  EXPECT_TRUE(m_store->set_visitor_typing(chat, true));
  // Typing the broker has not handled yet: a line the widget sent ends it as well.
  EXPECT_EQ(m_store->add_visitor_message_once(chat, "there", "c1").result, AddResult::added);
  EXPECT_TRUE(m_store->pending().visitor_typing.empty());
  EXPECT_TRUE(m_store->set_visitor_typing(chat, true));
}

TEST_P(InteropStoreTest, OperatorTypingAndNameOnTheChat) {
  const auto chat = open_chat();
  EXPECT_TRUE(
      m_store->apply({core::SetOperatorName{chat, "Alice"}, core::SetOperatorTyping{chat, true}}));
  auto record = *m_store->find_chat(chat);
  EXPECT_EQ(record.operator_name, "Alice");
  EXPECT_TRUE(record.operator_typing);
  say(chat, "done", {});  // the message ends the typing
  EXPECT_FALSE(m_store->find_chat(chat)->operator_typing);
}

INSTANTIATE_TEST_SUITE_P(Backends, InteropStoreTest, testing::all_backends(),
                         testing::backend_name);

}  // namespace
}  // namespace seshat::store
