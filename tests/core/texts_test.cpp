#include "core/texts.hpp"

#include <gtest/gtest.h>

#include "core/action.hpp"
#include "core/command.hpp"

namespace seshat::core {
namespace {

TEST(Texts, NotificationStartsWithTheSeedSentences) {
  Chat chat;
  chat.id = 42;
  chat.visitor_name = "customer";
  EXPECT_EQ(texts::chat_request(chat),
            "Remote user 'customer' wants to start a conversation. To accept this request, reply "
            "with the message '!ACCEPT 42'.");
}

TEST(Texts, NotificationCarriesOpeningMessageAndPage) {
  Chat chat;
  chat.id = 7;
  chat.visitor_name = "Ann";
  chat.opening_message = "Where is my order?";
  chat.page = "https://shop.example.com/orders";
  EXPECT_EQ(texts::chat_request(chat),
            "Remote user 'Ann' wants to start a conversation. To accept this request, reply with "
            "the message '!ACCEPT 7'.\n> Where is my order?\n> Page: "
            "https://shop.example.com/orders");
}

// What a visitor types can never look like the bot's own words (issue 18).
TEST(Texts, NotificationCannotBeForgedByTheOpeningMessage) {
  Chat chat;
  chat.id = 7;
  chat.visitor_name = "z";
  chat.opening_message =
      "hi\nRemote user 'boss' wants to start a conversation. To accept this request, reply with "
      "the message '!ACCEPT 31337'.\r\n\nbye\u2028again\u0085end";
  chat.page = "https://shop.example/x\nRemote user 'y'";
  EXPECT_EQ(texts::chat_request(chat),
            "Remote user 'z' wants to start a conversation. To accept this request, reply with "
            "the message '!ACCEPT 7'.\n"
            "> hi\n"
            "> Remote user 'boss' wants to start a conversation. To accept this request, reply "
            "with the message '!ACCEPT 31337'.\n"
            ">\n"
            "> bye\n"
            "> again\n"
            "> end\n"
            "> Page: https://shop.example/x Remote user 'y'");
}

TEST(Texts, NamesLoseLineBreaksBidiAndZeroWidthCharacters) {
  Chat chat;
  chat.id = 9;
  chat.visitor_name =
      "ann\u202Egro.live\u202C\u2066x\u2069\u200B\u200C\u200D\u2060\uFEFF\u200E\u200F\u061C"
      "\nRemote user 'boss'\x01\x7F\u0085";
  EXPECT_EQ(texts::chat_request(chat),
            "Remote user 'anngro.livex Remote user 'boss'' wants to start a conversation. To "
            "accept this request, reply with the message '!ACCEPT 9'.");
  EXPECT_EQ(texts::status_handling(chat),
            "You are handling chat #9 with 'anngro.livex Remote user 'boss''.");
}

TEST(Texts, StatusCountsRequestsInGoodEnglish) {
  EXPECT_EQ(texts::status_idle(0), "You are not in a chat. There are 0 open chat requests.");
  EXPECT_EQ(texts::status_idle(1), "You are not in a chat. There is 1 open chat request.");
  EXPECT_EQ(texts::status_idle(3), "You are not in a chat. There are 3 open chat requests.");
}

TEST(Texts, RequestListKeepsOneLinePerChat) {
  Chat first;
  first.id = 3;
  first.visitor_name = "ann";
  first.opening_message = "line one\nline two";
  Chat second;
  second.id = 4;
  second.visitor_name = "bob";
  EXPECT_EQ(texts::request_list({&first, &second}),
            "Open chat requests:\n#3 'ann' (email: no): line one line two\n#4 'bob' (email: no)");
  Chat third;
  third.id = 5;
  third.visitor_name = "e\u202Eve\n#6 'x'";
  third.opening_message = std::string(300, 'a') + "\n#7 'forged'";
  EXPECT_EQ(texts::request_list({&third}), "Open chat requests:\n#5 'eve #6 'x'' (email: no): " +
                                               std::string(120, 'a') + "\u2026");
}

TEST(Texts, UsageShowsTheArgument) {
  EXPECT_EQ(texts::usage("ACCEPT", "n"), "Usage: !ACCEPT n");
  EXPECT_EQ(texts::usage("FINISH", ""), "Usage: !FINISH");
}

TEST(Texts, HelpListsTheGivenCommands) {
  const Command list[] = {{"PING", "", "Answer pong", {}}, {"KICK", "n", "Kick chat #n", {}}};
  EXPECT_EQ(texts::help(list), "Available commands:\n!PING - Answer pong\n!KICK n - Kick chat #n");
}

TEST(Texts, MessagePiecesKeepWholeLinesAndCutOnlyLongOnesOnCharacters) {
  using Pieces = std::vector<std::string>;
  EXPECT_EQ(texts::message_pieces("", 10), Pieces{});
  EXPECT_EQ(texts::message_pieces("short", 10), Pieces{"short"});
  EXPECT_EQ(texts::message_pieces("aaaa\nbbbb\ncccc", 10), (Pieces{"aaaa\nbbbb", "cccc"}));
  // A line longer than a piece is cut, never inside a character (é is two bytes).
  EXPECT_EQ(texts::message_pieces("ab\n\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 5),
            (Pieces{"ab", "\u00e9\u00e9", "\u00e9\u00e9", "\u00e9\u00e9"}));
  EXPECT_EQ(texts::message_pieces("x\n\ny", 10), Pieces{"x\n\ny"});  // blank lines kept
}

// The actions around a long text keep their order; its pieces keep its operator and chat.
TEST(FitToStanzas, ALongTextToAnOperatorBecomesSeveralInItsPlace) {
  const std::string line(4000, 'h');
  const Actions actions{PostToChat{7, Author::system, "before"},
                        SendToOperator{"joe@example.com", line + "\n" + line, 7},
                        SendToOperator{"joe@example.com", "after", 0}};
  const auto fitted = fit_to_stanzas(actions);
  ASSERT_EQ(fitted.size(), 4u);
  EXPECT_EQ(fitted[0], actions[0]);
  EXPECT_EQ(fitted[1], (Action{SendToOperator{"joe@example.com", line, 7}}));
  EXPECT_EQ(fitted[2], (Action{SendToOperator{"joe@example.com", line, 7}}));
  EXPECT_EQ(fitted[3], actions[2]);
}

}  // namespace
}  // namespace seshat::core
