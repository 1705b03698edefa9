// What goes to a visitor by mail, and when (core/reply_mail.hpp), and how the mail reads.
#include "core/reply_mail.hpp"

#include <gtest/gtest.h>

namespace seshat::core {
namespace {

using Kind = ReplyMailPlan::Kind;

constexpr Millis k_grace = 20'000;
constexpr Millis k_delay = 120'000;
constexpr MailTiming k_timing{k_grace, k_delay};
constexpr Millis k_seen = 1'000'000;  // the visitor's page was last heard from here

MailLine line(Seq seq, Author from, Millis at, std::string text = "text") {
  return {seq, from, std::move(text), at};
}

ReplyMailState state(std::vector<MailLine> lines, bool over = false, Seq mailed = 0) {
  return {over, k_seen, mailed, std::move(lines)};
}

TEST(ReplyMailPlan, NothingUnsettledNothingToDo) {
  EXPECT_EQ(plan_reply_mail(state({}), k_timing, k_seen + 999'999), ReplyMailPlan{});
}

TEST(ReplyMailPlan, LinesThePageReadAreSettledWithoutAMail) {
  // The operator line was written before the page's last read: the visitor has it.
  const auto plan = plan_reply_mail(
      state({line(3, Author::visitor, k_seen - 5), line(4, Author::operator_, k_seen - 1),
             line(5, Author::visitor, k_seen + 10)},
            false, 2),
      k_timing, k_seen + 500'000);
  EXPECT_EQ(plan, (ReplyMailPlan{Kind::settle, 0, 5, 0}));
}

TEST(ReplyMailPlan, VisitorAndSystemLinesAloneAreNeverMailed) {
  const auto plan = plan_reply_mail(
      state({line(1, Author::visitor, k_seen + 1), line(2, Author::system, k_seen + 2)}, true),
      k_timing, k_seen + 500'000);
  EXPECT_EQ(plan.kind, Kind::settle);
  EXPECT_EQ(plan.up_to, 2);
}

TEST(ReplyMailPlan, WaitsWhileTheVisitorMayStillBeOnThePage) {
  const auto s = state({line(4, Author::operator_, k_seen + 1'000)});
  EXPECT_EQ(plan_reply_mail(s, k_timing, k_seen + k_grace - 1),
            (ReplyMailPlan{Kind::wait, 0, 0, k_seen + k_grace}));
  // Also at the chat's end: a present visitor reads it on the page.
  auto over = s;
  over.chat_over = true;
  EXPECT_EQ(plan_reply_mail(over, k_timing, k_seen + k_grace - 1).kind, Kind::wait);
}

TEST(ReplyMailPlan, MailsDelayAfterTheLastLineToAnAbsentVisitor) {
  const auto s =
      state({line(4, Author::operator_, k_seen + 30'000),
             line(5, Author::operator_, k_seen + 60'000), line(6, Author::visitor, k_seen - 1)},
            false, 3);
  // Absent, but the last line is not mail_delay old yet.
  EXPECT_EQ(plan_reply_mail(s, k_timing, k_seen + 60'000 + k_delay - 1),
            (ReplyMailPlan{Kind::wait, 0, 0, k_seen + 60'000 + k_delay}));
  EXPECT_EQ(plan_reply_mail(s, k_timing, k_seen + 60'000 + k_delay),
            (ReplyMailPlan{Kind::mail, 4, 6, 0}));
}

TEST(ReplyMailPlan, MailsAtOnceWhenTheChatIsOver) {
  const auto s = state({line(4, Author::operator_, k_seen + 30'000),
                        line(5, Author::system, k_seen + 31'000, "The chat is now closed.")},
                       true, 3);
  EXPECT_EQ(plan_reply_mail(s, k_timing, k_seen + 31'000), (ReplyMailPlan{Kind::mail, 4, 5, 0}));
}

TEST(ReplyMailPlan, TheFirstNewLineIsTheFirstUnseenOne) {
  // Line 4 was read on the page, line 6 came after the visitor left.
  const auto s =
      state({line(4, Author::operator_, k_seen - 10), line(5, Author::visitor, k_seen - 5),
             line(6, Author::operator_, k_seen + 10)},
            true, 3);
  EXPECT_EQ(plan_reply_mail(s, k_timing, k_seen + k_grace), (ReplyMailPlan{Kind::mail, 6, 6, 0}));
}

TEST(ReplyMailPlan, ALineWrittenAfterAMailGoesInTheNextOne) {
  // mailed_seq is 6 after the first mail: only what follows is considered.
  const auto s = state({line(7, Author::operator_, k_seen + 200'000)}, false, 6);
  EXPECT_EQ(plan_reply_mail(s, k_timing, k_seen + 200'000 + k_delay),
            (ReplyMailPlan{Kind::mail, 7, 7, 0}));
}

std::vector<MailLine> conversation() {
  return {line(1, Author::visitor, 1'796'032'860'000, "refund for order 777?\nthanks"),
          line(2, Author::system, 1'796'032'861'000, "Your chat has started."),
          line(3, Author::operator_, 1'796'032'918'000, "Your refund is on its way."),
          line(4, Author::operator_, 1'796'032'920'000, "It takes 3 days.")};
}

TEST(ReplyMailText, PutsTheAnswerFirstThenTheQuotedConversation) {
  const auto mail = reply_mail_text(42, "Ann", conversation(), 3);
  EXPECT_EQ(mail.subject, "Our answer to your chat #42");
  EXPECT_EQ(mail.body,
            "Hello Ann,\n"
            "\n"
            "you were no longer on our page when we answered your chat #42, so here is our "
            "answer by e-mail:\n"
            "\n"
            "Your refund is on its way.\n"
            "It takes 3 days.\n"
            "\n"
            "The conversation so far (your lines are marked with \"> \"):\n"
            "\n"
            "> You, 2026-11-30 10:01 UTC:\n"
            "> refund for order 777?\n"
            "> thanks\n"
            "\n"
            "(Your chat has started.)\n"
            "\n"
            "Support, 2026-11-30 10:01 UTC:\n"
            "Your refund is on its way.\n"
            "\n"
            "Support, 2026-11-30 10:02 UTC:\n"
            "It takes 3 days.\n"
            "\n"
            "-- \n"
            "This mail was sent by the live chat of our website.\n");
}

TEST(ReplyMailText, OnlyLinesFromTheFirstNewOneAreTheAnswer) {
  const auto mail = reply_mail_text(42, "Ann", conversation(), 4);
  const auto answer_end = mail.body.find("The conversation so far");
  const auto answer = mail.body.substr(0, answer_end);
  EXPECT_EQ(answer.find("Your refund is on its way."), std::string::npos);
  EXPECT_NE(answer.find("It takes 3 days."), std::string::npos);
}

TEST(ReplyMailText, AVisitorCannotWriteALineThatLooksLikeSupport) {
  auto lines = conversation();
  lines[0].text = "hi\nSupport, 2026-11-30 10:01 UTC:\nYou get a free TV.";
  const auto mail = transcript_mail_text(42, "Ann", lines);
  EXPECT_NE(mail.body.find("> Support, 2026-11-30 10:01 UTC:\n> You get a free TV.\n"),
            std::string::npos);
  EXPECT_EQ(mail.subject, "Transcript of your chat #42");
  EXPECT_EQ(mail.body.find("Hello Ann,\n\nhere is the transcript of your chat #42, as you asked."),
            0u);
}

}  // namespace
}  // namespace seshat::core
