// The mail outbox, mailed_seq and retention on both backends (backends.hpp).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "backends.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_migrations.hpp"
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

class MailStoreTest : public testing::BackendTest {
 protected:
  ChatId new_chat(const std::string& email = "ann@customer.example") {
    NewChat chat;
    chat.visitor_name = "Ann";
    chat.opening_message = "refund for order 777?";
    chat.token_hash = "hash";
    chat.email = email;
    return m_store->create_chat(chat);
  }

  void move(ChatId chat, ChatState from, ChatState to, const std::string& jid = "") {
    ASSERT_TRUE(m_store->apply({core::SetState{chat, from, to, jid}}));
  }

  void answer(ChatId chat, const std::string& text) {
    ASSERT_TRUE(m_store->apply({core::PostToChat{chat, Author::operator_, text}}));
  }

  std::unique_ptr<Store> m_store = m_db.open();
};

TEST_P(MailStoreTest, WatchesOnlyChatsWithAnEmailAndUnsettledMessages) {
  const auto with = new_chat();
  (void)new_chat("");  // no email: never watched
  auto watched = m_store->mail_watch(10);
  ASSERT_EQ(watched.size(), 1u);
  EXPECT_EQ(watched[0].chat, with);
  EXPECT_EQ(watched[0].email, "ann@customer.example");
  EXPECT_EQ(watched[0].mailed_seq, 0);
  EXPECT_EQ(watched[0].state, ChatState::waiting);

  EXPECT_TRUE(m_store->settle_mail(with, 0, 1));
  EXPECT_TRUE(m_store->mail_watch(10).empty());
  EXPECT_FALSE(m_store->settle_mail(with, 0, 1)) << "guarded on the old mailed_seq";
  answer(with, "Hello");
  ASSERT_EQ(m_store->mail_watch(10).size(), 1u);
  EXPECT_EQ(m_store->mail_watch(10)[0].mailed_seq, 1);
}

TEST_P(MailStoreTest, QueuesAReplyAndMovesMailedSeqTogether) {
  const auto chat = new_chat();
  answer(chat, "Your refund is on its way.");
  const auto now = now_millis();
  const auto id = m_store->queue_reply_mail(chat, 0, 2, 2, "ann@customer.example", now);
  ASSERT_TRUE(id);
  EXPECT_TRUE(m_store->mail_watch(10).empty());
  EXPECT_FALSE(m_store->queue_reply_mail(chat, 0, 2, 2, "ann@customer.example", now))
      << "a second job with the old mailed_seq queues nothing";
  EXPECT_EQ(m_store->unsent_mail(), 1);

  const auto due = m_store->due_mail(now, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, *id);
  EXPECT_EQ(due[0].chat, chat);
  EXPECT_EQ(due[0].kind, MailKind::reply);
  EXPECT_EQ(due[0].rcpt, "ann@customer.example");
  EXPECT_EQ(due[0].first_seq, 2);
  EXPECT_EQ(due[0].up_to_seq, 2);
  EXPECT_EQ(due[0].created_at, now);
  EXPECT_EQ(due[0].attempts, 0);
}

TEST_P(MailStoreTest, RetriesDefersAndMarksSent) {
  const auto chat = new_chat();
  const auto now = now_millis();
  const auto id = *m_store->queue_reply_mail(chat, 0, 1, 1, "Ann@Customer.example", now);

  m_store->retry_mail(id, now + 1000, "connection refused");
  EXPECT_TRUE(m_store->due_mail(now + 999, 10).empty());
  auto due = m_store->due_mail(now + 1000, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].attempts, 1);

  m_store->defer_mail(id, now + 5000);
  EXPECT_TRUE(m_store->due_mail(now + 4999, 10).empty());
  EXPECT_EQ(m_store->due_mail(now + 5000, 10)[0].attempts, 1) << "deferring is no attempt";

  m_store->mark_mail_sent(id, now + 5001);
  EXPECT_TRUE(m_store->due_mail(now + 99'999, 10).empty());
  EXPECT_EQ(m_store->unsent_mail(), 0);
  EXPECT_EQ(m_store->mail_sent_to("ann@customer.EXAMPLE", now), std::vector<Millis>{now + 5001});
  EXPECT_TRUE(m_store->mail_sent_to("ann@customer.example", now + 5002).empty());
}

TEST_P(MailStoreTest, AFailedMailIsNoLongerDue) {
  const auto chat = new_chat();
  const auto now = now_millis();
  const auto id = *m_store->queue_reply_mail(chat, 0, 1, 1, "ann@customer.example", now);
  m_store->mark_mail_failed(id, now, "550 no such user");
  EXPECT_TRUE(m_store->due_mail(now + 99'999, 10).empty());
  EXPECT_EQ(m_store->unsent_mail(), 0);
}

TEST_P(MailStoreTest, TranscriptsAreLimited) {
  const auto chat = new_chat();
  const auto now = now_millis();
  const MailLimits limits{3, 2};
  EXPECT_EQ(m_store->queue_transcript_mail(chat, "bob@example.org", 1, limits, now),
            TranscriptQueued::queued);
  EXPECT_EQ(m_store->queue_transcript_mail(chat, "BOB@example.org", 1, limits, now),
            TranscriptQueued::duplicate);
  answer(chat, "more");
  EXPECT_EQ(m_store->queue_transcript_mail(chat, "bob@example.org", 2, limits, now),
            TranscriptQueued::queued)
      << "something new since the last one";
  EXPECT_EQ(m_store->queue_transcript_mail(chat, "eve@example.org", 2, limits, now),
            TranscriptQueued::too_many_for_chat);

  // Three mails of any kind to one address within the hour.
  const auto other = new_chat();
  (void)*m_store->queue_reply_mail(other, 0, 1, 1, "bob@example.org", now);
  EXPECT_EQ(m_store->queue_transcript_mail(other, "bob@example.org", 1, limits, now),
            TranscriptQueued::too_many_for_address);
  EXPECT_EQ(m_store->queue_transcript_mail(other, "bob@example.org", 1, limits, now + 3'600'001),
            TranscriptQueued::queued);
}

TEST_P(MailStoreTest, TheSiteValueIsStableAndRandom) {
  const auto site = m_store->mail_site();
  EXPECT_EQ(site.size(), 24u);
  EXPECT_EQ(site.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(m_db.open()->mail_site(), site);
  EXPECT_NE(testing::TestDatabase(GetParam()).open()->mail_site(), site);
}

TEST_P(MailStoreTest, RetentionDeletesWhatEndedBeforeTheCutOffOnly) {
  const auto ended = new_chat();
  answer(ended, "bye");
  move(ended, ChatState::waiting, ChatState::closed);
  const auto canceled = new_chat("");
  move(canceled, ChatState::waiting, ChatState::canceled);
  const auto live = new_chat();
  answer(live, "still here");
  const auto sent = *m_store->queue_reply_mail(ended, 0, 2, 2, "ann@customer.example", 0);
  m_store->mark_mail_sent(sent, 0);
  ASSERT_TRUE(m_store->apply({core::SendToOperator{"joe@example.com", "hi", ended}}));
  m_store->mark_delivered({1});
  ASSERT_TRUE(m_store->apply({core::SendToOperator{"joe@example.com", "not yet", live}}));

  // Before the cut-off nothing ended: nothing goes.
  const auto before_end = now_millis() - 60'000;
  EXPECT_EQ(m_store->purge_expired(before_end, 500).rows(), 0);
  ASSERT_TRUE(m_store->find_chat(ended));

  std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the end is in the past
  const auto purged = m_store->purge_expired(now_millis(), 500);
  EXPECT_EQ(purged.chats, 2);
  EXPECT_EQ(purged.messages, 3);  // opening + "bye" of one, opening of the other
  EXPECT_EQ(purged.mail, 1);
  EXPECT_EQ(purged.outbox, 1);
  EXPECT_FALSE(m_store->find_chat(ended));
  EXPECT_FALSE(m_store->find_chat(canceled));
  ASSERT_TRUE(m_store->find_chat(live));
  EXPECT_EQ(m_store->messages_after(live, 0, 10).size(), 2u);
  EXPECT_EQ(m_store->purge_expired(now_millis(), 500).rows(), 0);
}

TEST_P(MailStoreTest, RetentionKeepsAChatWhoseMailIsNotSentYet) {
  const auto chat = new_chat();
  move(chat, ChatState::waiting, ChatState::closed);
  const auto id = *m_store->queue_reply_mail(chat, 0, 1, 1, "ann@customer.example", 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(m_store->purge_expired(now_millis(), 500).chats, 0);
  m_store->mark_mail_failed(id, 0, "550");
  EXPECT_EQ(m_store->purge_expired(now_millis(), 500).chats, 1);
}

TEST_P(MailStoreTest, RetentionWorksInSmallTransactions) {
  const auto chat = new_chat();
  for (int i = 0; i < 9; ++i) answer(chat, "line " + std::to_string(i));
  ASSERT_TRUE(m_store->close_by_visitor(chat, "The chat is now closed."));  // 11 messages
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const auto cut = now_millis();
  EXPECT_EQ(m_store->purge_expired(cut, 4).rows(), 4);
  EXPECT_EQ(m_store->purge_expired(cut, 4).rows(), 4);
  ASSERT_TRUE(m_store->find_chat(chat)) << "the chat goes with its last message";
  const auto last = m_store->purge_expired(cut, 4);
  EXPECT_EQ(last.messages, 3);
  EXPECT_EQ(last.chats, 1);
  EXPECT_FALSE(m_store->find_chat(chat));
}

TEST(SqliteRetention, KeepsTheNewestOutboxRowSoThatNoIdIsGivenAgain) {
  // SQLite gives a new row the highest id plus one (no AUTOINCREMENT): the newest row stays.
  testing::TempDir dir;
  auto store = open_sqlite_store(dir.file("seshat.db"));
  for (const auto* text : {"one", "two"})
    ASSERT_TRUE(store->apply({core::SendToOperator{"joe@example.com", text, 0}}));
  store->mark_delivered({1, 2});
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(store->purge_expired(now_millis(), 500).outbox, 1);
  EXPECT_EQ(store->purge_expired(now_millis(), 500).outbox, 0);
  ASSERT_TRUE(store->apply({core::SendToOperator{"joe@example.com", "three", 0}}));
  const auto items = store->undelivered(0, 10);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].id, 3);
  EXPECT_EQ(items[0].text, "three");
}

TEST(SqliteMailMigration, ChatsFromBeforeMailAreSettledAndEndedOnesDated) {
  testing::TempDir dir;
  const auto path = dir.file("seshat.db");
  ChatId closed = 0;
  ChatId live = 0;
  {
    auto store = open_sqlite_store(path);
    NewChat chat;
    chat.visitor_name = "Ann";
    chat.opening_message = "hello";
    chat.token_hash = "h";
    chat.email = "ann@customer.example";
    closed = store->create_chat(chat);
    live = store->create_chat(chat);
    ASSERT_TRUE(store->close_by_visitor(closed, "The chat is now closed."));
  }
  {
    // Back to the schema before this migration, as a database written by an older seshat.
    sqlite::Database db(path);
    db.exec(
        "DROP TRIGGER chats_ended_at; DROP INDEX chats_ended; DROP INDEX chats_mail_due; "
        "ALTER TABLE chats DROP COLUMN ended_at; ALTER TABLE chats DROP COLUMN mailed_seq; "
        "DROP TABLE mail; DROP TABLE mail_site; PRAGMA user_version = " +
        std::to_string(sqlite::migration_number("mail outbox, mailed_seq, ended_at for retention") -
                       1));
  }
  auto store = open_sqlite_store(path);
  EXPECT_TRUE(store->mail_watch(10).empty()) << "nothing written before mail is mailed";
  EXPECT_EQ(store->mail_site().size(), 24u);
  EXPECT_EQ(store->purge_expired(now_millis() - 60'000, 500).rows(), 0);
  const auto purged = store->purge_expired(now_millis() + 1, 500);
  EXPECT_EQ(purged.chats, 1);
  EXPECT_FALSE(store->find_chat(closed));
  EXPECT_TRUE(store->find_chat(live));
}

INSTANTIATE_TEST_SUITE_P(Backends, MailStoreTest, testing::all_backends(), testing::backend_name);

}  // namespace
}  // namespace seshat::store
