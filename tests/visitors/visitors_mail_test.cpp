// The visitor's side of mail: transcripts on request, and the presence record the reply-mail
// job relies on (visitors/visitors.hpp, core/reply_mail.hpp).
#include <gtest/gtest.h>

#include "temp_dir.hpp"
#include "visitors/visitors.hpp"

namespace seshat::visitors {
namespace {

constexpr store::Millis k_start = 1'795'599'839'000;

Limits mail_limits() {
  Limits limits;
  limits.mail = true;
  limits.mail_limits = store::MailLimits{2, 2};
  return limits;
}

class VisitorsMailTest : public ::testing::Test {
 protected:
  VisitorsMailTest()
      : m_store(store::open_sqlite_store(m_db.file("seshat.db"))),
        m_visitors(*m_store, nullptr, mail_limits(), [this] { return m_now; }) {}

  Ticket start(std::string_view email = "ann@customer.example") {
    auto ticket = m_visitors.start("Ann", "hello", "", email);
    EXPECT_TRUE(ticket.ok());
    return ticket.ok() ? ticket.value() : Ticket{};
  }

  void operator_says(core::ChatId chat, const std::string& text) {
    ASSERT_TRUE(m_store->apply({core::PostToChat{chat, core::Author::operator_, text}}));
  }

  store::Millis seen(core::ChatId chat) { return m_store->find_chat(chat)->visitor_seen_at; }

  template <class T>
  void expect_failure(const Result<T>& result, Error code) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.failure().code, code) << result.failure().message;
  }

  testing::TempDir m_db;
  std::unique_ptr<store::Store> m_store;
  store::Millis m_now = k_start;
  Visitors m_visitors;
};

TEST_F(VisitorsMailTest, AReadThatHandsOverAnOperatorLineRecordsPresenceAtOnce) {
  const auto ticket = start();
  m_now = k_start + 10'000;
  ASSERT_TRUE(m_visitors.read(ticket.id, ticket.token, 0).ok());
  EXPECT_EQ(seen(ticket.id), k_start + 10'000);
  operator_says(ticket.id, "Hello Ann");
  m_now = k_start + 11'000;  // within the touch interval, but an operator line goes out
  ASSERT_TRUE(m_visitors.read(ticket.id, ticket.token, 1).ok());
  EXPECT_EQ(seen(ticket.id), k_start + 11'000);
  m_now = k_start + 12'000;  // nothing new from the operator: throttled as always
  ASSERT_TRUE(m_visitors.read(ticket.id, ticket.token, 2).ok());
  EXPECT_EQ(seen(ticket.id), k_start + 11'000);

  // Also in a chat that is over: the page got the last answer, it is not to be mailed.
  operator_says(ticket.id, "Bye");
  ASSERT_TRUE(m_visitors.close(ticket.id, ticket.token).ok());
  m_now = k_start + 13'000;
  ASSERT_TRUE(m_visitors.read(ticket.id, ticket.token, 2).ok());
  EXPECT_EQ(seen(ticket.id), k_start + 13'000);
}

// An operator line an event stream sent from its commit is handed over like one a read returned:
// by the read after it (`handed`), or by hand_over when the stream ended first. A line past
// what the page got is not.
TEST_F(VisitorsMailTest, AnEchoedOperatorLineHandedOverRecordsPresenceAtOnce) {
  const auto ticket = start();
  m_now = k_start + 10'000;
  ASSERT_TRUE(m_visitors.read(ticket.id, ticket.token, 0).ok());
  operator_says(ticket.id, "Hello Ann");  // seq 2, sent by the stream without a read
  m_now = k_start + 11'000;
  ASSERT_TRUE(m_visitors.read(ticket.id, ticket.token, 2, 0, 2).ok());
  EXPECT_EQ(seen(ticket.id), k_start + 11'000);
  operator_says(ticket.id, "Anything else?");  // seq 3
  m_now = k_start + 12'000;
  ASSERT_TRUE(m_visitors.hand_over(ticket.id, ticket.token, 3).ok());
  EXPECT_EQ(seen(ticket.id), k_start + 12'000);
  m_now = k_start + 13'000;
  ASSERT_TRUE(m_visitors.hand_over(ticket.id, ticket.token, 0).ok());  // nothing handed
  EXPECT_EQ(seen(ticket.id), k_start + 12'000);
  EXPECT_EQ(m_visitors.hand_over(ticket.id, "wrong", 3).failure().code, Error::wrong_token);
}

TEST_F(VisitorsMailTest, WithoutAnEmailReadsStayThrottled) {
  const auto ticket = start("");
  m_now = k_start + 10'000;
  ASSERT_TRUE(m_visitors.read(ticket.id, ticket.token, 0).ok());
  operator_says(ticket.id, "Hello");
  m_now = k_start + 11'000;
  ASSERT_TRUE(m_visitors.read(ticket.id, ticket.token, 1).ok());
  EXPECT_EQ(seen(ticket.id), k_start + 10'000);
}

TEST_F(VisitorsMailTest, ATranscriptIsQueuedOnceAndLimited) {
  const auto ticket = start("");
  ASSERT_TRUE(m_visitors.request_transcript(ticket.id, ticket.token, " bob@example.org ").ok());
  const auto due = m_store->due_mail(m_now, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].kind, store::MailKind::transcript);
  EXPECT_EQ(due[0].rcpt, "bob@example.org");
  EXPECT_EQ(due[0].up_to_seq, 1);

  expect_failure(m_visitors.request_transcript(ticket.id, ticket.token, "bob@example.org"),
                 Error::chat_closed);  // nothing new: the same mail again
  expect_failure(m_visitors.request_transcript(ticket.id, ticket.token, "bob@@example.org"),
                 Error::bad_request);
  expect_failure(m_visitors.request_transcript(ticket.id, ticket.token, ""), Error::bad_request);
  expect_failure(m_visitors.request_transcript(ticket.id, "", "bob@example.org"),
                 Error::missing_token);
  expect_failure(m_visitors.request_transcript(ticket.id + 1, ticket.token, "bob@example.org"),
                 Error::no_such_chat);
  ASSERT_TRUE(m_visitors.request_transcript(ticket.id, ticket.token, "eve@example.org").ok());
  expect_failure(m_visitors.request_transcript(ticket.id, ticket.token, "joe@example.org"),
                 Error::too_many);  // two per chat here
  EXPECT_EQ(m_store->due_mail(m_now, 10).size(), 2u);
}

TEST(VisitorsWithoutMail, RefuseTranscriptsAsUnavailable) {
  testing::TempDir db;
  auto store = store::open_sqlite_store(db.file("seshat.db"));
  Visitors visitors(*store, nullptr);
  auto ticket = visitors.start("Ann", "hello", "", "");
  ASSERT_TRUE(ticket.ok());
  const auto result =
      visitors.request_transcript(ticket->id, ticket->token, "ann@customer.example");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure().code, Error::unavailable);
  EXPECT_EQ(result.failure().message, "This site does not send mail, so no transcript.");
  EXPECT_TRUE(store->due_mail(k_start * 2, 10).empty());
}

}  // namespace
}  // namespace seshat::visitors
