// The Mailer's rounds with a clock of the test's choosing: retention, and a reply mail queued
// for an absent visitor and retried while no SMTP server answers.
#include "app/mailer.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "temp_dir.hpp"

namespace seshat::app {
namespace {

constexpr store::Millis k_day = 86'400'000;

store::Millis now_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

class MailerTest : public ::testing::Test {
 protected:
  MailerTest() { m_config.sqlitedb = m_dir.file("seshat.db"); }

  store::ChatId chat(const std::string& email = "") {
    store::NewChat chat;
    chat.visitor_name = "Ann";
    chat.opening_message = "refund?";
    chat.token_hash = "h";
    chat.email = email;
    return m_store->create_chat(chat);
  }

  bool has_metric(const Mailer& mailer, const std::string& line) {
    return mailer.metrics().find("\n" + line + "\n") != std::string::npos;
  }

  testing::TempDir m_dir;
  Config m_config;
  std::unique_ptr<store::Store> m_store;
};

TEST_F(MailerTest, RetentionDeletesWhatEndedLongerAgoThanRetentionDays) {
  m_config.retention = std::chrono::milliseconds(k_day);
  m_store = store::open_sqlite_store(m_config.sqlitedb);
  const auto ended = chat();
  ASSERT_TRUE(m_store->apply(
      {core::SetState{ended, core::ChatState::waiting, core::ChatState::closed, ""}}));
  const auto live = chat();
  Mailer mailer(m_config);
  EXPECT_FALSE(Mailer::needed(Config{}));
  EXPECT_TRUE(Mailer::needed(m_config));

  mailer.run_round(now_millis() + k_day / 2);
  EXPECT_TRUE(m_store->find_chat(ended));
  mailer.run_round(now_millis() + 2 * k_day);
  EXPECT_FALSE(m_store->find_chat(ended));
  EXPECT_TRUE(m_store->find_chat(live));
  EXPECT_TRUE(has_metric(mailer, "seshat_retention_deleted_total{table=\"chats\"} 1"));
  EXPECT_TRUE(has_metric(mailer, "seshat_retention_deleted_total{table=\"messages\"} 1"));
}

TEST_F(MailerTest, AnAbsentVisitorsAnswerIsQueuedAndRetriedWhileSmtpIsDown) {
  m_config.mail.smtp = "smtp://127.0.0.1:1";  // nothing listens there: refused at once
  m_config.mail.smtp_tls = TlsPolicy::off;
  m_config.mail.mail_from = "support@shop.example";
  m_config.mail.mail_delay = std::chrono::seconds(120);
  m_config.visitor_grace = std::chrono::seconds(20);
  m_store = store::open_sqlite_store(m_config.sqlitedb);
  const auto id = chat("ann@customer.example");
  ASSERT_TRUE(m_store->apply({core::PostToChat{id, core::Author::operator_, "On its way."}}));
  const auto written = m_store->messages_after(id, 1, 1).at(0).at;
  m_store->touch_visitor(id, written - 1);  // the page was last heard from just before
  Mailer mailer(m_config);

  mailer.run_round(written + 119'000);  // absent, but mail_delay has not passed
  EXPECT_TRUE(has_metric(mailer, "seshat_mail_queued_total 0"));
  EXPECT_TRUE(m_store->due_mail(written + 10 * k_day, 10).empty());

  mailer.run_round(written + 120'000);
  EXPECT_TRUE(has_metric(mailer, "seshat_mail_queued_total 1"));
  EXPECT_TRUE(has_metric(mailer, "seshat_mail_retries_total 1"));
  EXPECT_TRUE(has_metric(mailer, "seshat_mail_sent_total 0"));
  EXPECT_TRUE(has_metric(mailer, "seshat_mail_unsent 1"));
  const auto due = m_store->due_mail(written + 10 * k_day, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].attempts, 1);
  EXPECT_EQ(due[0].first_seq, 2);
  EXPECT_EQ(due[0].rcpt, "ann@customer.example");
  EXPECT_TRUE(m_store->mail_watch(10).empty()) << "settled: the line is in that mail";
}

}  // namespace
}  // namespace seshat::app
