// The mail and retention keys: smtp, smtp_tls, smtp_user, smtp_password (SESHAT_SMTP_PASSWORD),
// mail_from, mail_delay, retention_days, visitor_grace.
#include <gtest/gtest.h>

#include <map>

#include "app/config.hpp"
#include "config_parsing.hpp"

namespace seshat::app {
namespace {

using config_testing::env_of;
using config_testing::seeded::error_of;
using config_testing::seeded::parse;

TEST(MailConfig, IsOffByDefault) {
  const auto config = parse("");
  EXPECT_FALSE(config.mail.enabled());
  EXPECT_EQ(config.mail.mail_delay, std::chrono::seconds(120));
  EXPECT_EQ(config.mail.smtp_tls, TlsPolicy::verify);
  EXPECT_EQ(config.visitor_grace, std::chrono::seconds(20));
  EXPECT_EQ(config.retention, std::chrono::milliseconds(0));
}

TEST(MailConfig, ReadsEveryKey) {
  const auto config = parse(
      "smtp = SMTP://Mail.Example.com:587\n"
      "smtp_tls = no-verify\n"
      "smtp_user = webchat\n"
      "smtp_password = s3cret\n"
      "seshat_mail_from = Shop Support <support@shop.example>\n"
      "mail_delay = 30\n"
      "retention_days = 90\n"
      "visitor_grace = 5\n");
  EXPECT_TRUE(config.mail.enabled());
  EXPECT_EQ(config.mail.smtp, "smtp://mail.example.com:587");
  EXPECT_EQ(config.mail.smtp_tls, TlsPolicy::no_verify);
  EXPECT_EQ(config.mail.smtp_user, "webchat");
  EXPECT_EQ(config.mail.smtp_password, "s3cret");
  EXPECT_EQ(config.mail.mail_from, "Shop Support <support@shop.example>");
  EXPECT_EQ(config.mail.mail_delay, std::chrono::seconds(30));
  EXPECT_EQ(config.retention, std::chrono::milliseconds(90LL * 86'400'000));
  EXPECT_EQ(config.visitor_grace, std::chrono::seconds(5));
}

TEST(MailConfig, PortsDefaultByScheme) {
  EXPECT_EQ(parse("smtp = smtp://mail.example.com\nmail_from = a@shop.example\n").mail.smtp,
            "smtp://mail.example.com:25");
  EXPECT_EQ(parse("smtp = smtps://mail.example.com/\nmail_from = a@shop.example\n").mail.smtp,
            "smtps://mail.example.com:465");
  EXPECT_EQ(
      parse("smtp = smtp://[::1]:2525\nmail_from = a@shop.example\nsmtp_tls = off\n").mail.smtp,
      "smtp://[::1]:2525");
}

TEST(MailConfig, RetentionTakesDecimals) {
  EXPECT_EQ(parse("retention_days = 0.5\n").retention, std::chrono::milliseconds(43'200'000));
  EXPECT_EQ(error_of("retention_days = -1\n"),
            "sample.ini:6: [Seshat] retention_days: must be a number of days, 0 or more "
            "(decimals allowed), not '-1'");
  EXPECT_NE(error_of("retention_days = 1e3\n").find("must be a number of days"), std::string::npos);
}

TEST(MailConfig, TheEnvironmentOverridesTheSmtpPassword) {
  const auto config = parse(
      "smtp = smtps://mail.example.com\nmail_from = a@shop.example\nsmtp_user = u\n"
      "smtp_password = from-file\n",
      env_of({{"SESHAT_SMTP_PASSWORD", "from-env"}}));
  EXPECT_EQ(config.mail.smtp_password, "from-env");
  EXPECT_EQ(parse("smtp = smtps://mail.example.com\nmail_from = a@shop.example\nsmtp_user = u\n",
                  env_of({{"SESHAT_SMTP_PASSWORD", "from-env"}}))
                .mail.smtp_password,
            "from-env");
}

TEST(MailConfig, ProblemsAreOneClearLine) {
  EXPECT_EQ(error_of("smtp = mail.example.com\n"),
            "sample.ini:6: [Seshat] smtp: must be smtp://host:port or smtps://host:port, not "
            "'mail.example.com'");
  EXPECT_EQ(error_of("smtp = smtp://user:pw@mail.example.com\nmail_from = a@shop.example\n"),
            "sample.ini:6: [Seshat] smtp: must be smtp://host:port or smtps://host:port with "
            "nothing after (a login goes in smtp_user and smtp_password)");
  EXPECT_EQ(error_of("smtp = smtp://mail.example.com\n"),
            "sample.ini: [Seshat] mail_from: missing (required with smtp)");
  EXPECT_EQ(error_of("smtp = smtp://mail.example.com\nmail_from = support\n"),
            "sample.ini:7: [Seshat] mail_from: 'support' is not a mail address (like "
            "support@example.com)");
  EXPECT_EQ(error_of("smtp = smtp://mail.example.com\nmail_from = a@shop.example\n"
                     "smtp_tls = off\n"),
            "sample.ini:8: [Seshat] smtp_tls: off is refused unless smtp is a loopback address "
            "(127.0.0.1, ::1, localhost), and it is 'mail.example.com'");
  EXPECT_EQ(error_of("smtp = smtp://127.0.0.1:2525\nmail_from = a@shop.example\n"
                     "smtp_tls = maybe\n"),
            "sample.ini:8: [Seshat] smtp_tls: must be verify, no-verify or off, not 'maybe'");
  EXPECT_EQ(error_of("smtp = smtp://mail.example.com\nmail_from = a@shop.example\n"
                     "smtp_user = u\n"),
            "sample.ini: [Seshat] smtp_password: missing (required with smtp_user; or set the "
            "environment variable SESHAT_SMTP_PASSWORD)");
  EXPECT_EQ(error_of("mail_delay = soon\n").substr(0, 35), "sample.ini:6: [Seshat] mail_delay: ");
  EXPECT_EQ(error_of("smtp_tl = off\n"),
            "sample.ini:6: [Seshat] smtp_tl: unknown key (a typo for 'smtp_tls'?)");
}

TEST(MailConfig, OffIsAllowedForALoopbackServer) {
  const auto config =
      parse("smtp = smtp://127.0.0.1:2525\nmail_from = a@shop.example\nsmtp_tls = off\n");
  EXPECT_EQ(config.mail.smtp_tls, TlsPolicy::off);
}

}  // namespace
}  // namespace seshat::app
