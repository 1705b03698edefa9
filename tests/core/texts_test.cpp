#include "core/texts.hpp"

#include <gtest/gtest.h>

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
            "the message '!ACCEPT 7'.\nThey wrote: Where is my order?\nPage: "
            "https://shop.example.com/orders");
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
}

TEST(Texts, UsageShowsTheArgument) {
  EXPECT_EQ(texts::usage("ACCEPT", "n"), "Usage: !ACCEPT n");
  EXPECT_EQ(texts::usage("FINISH", ""), "Usage: !FINISH");
}

TEST(Texts, HelpListsTheGivenCommands) {
  const Command list[] = {{"PING", "", "Answer pong", {}}, {"KICK", "n", "Kick chat #n", {}}};
  EXPECT_EQ(texts::help(list), "Available commands:\n!PING - Answer pong\n!KICK n - Kick chat #n");
}

}  // namespace
}  // namespace seshat::core
