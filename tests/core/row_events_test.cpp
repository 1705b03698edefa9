// What store rows mean to the switchboard (core/row_events.hpp): the broker's pump and its
// check of overdue chats ask these, so the decisions are tested without a store or a clock.
#include "core/row_events.hpp"

#include <gtest/gtest.h>

namespace seshat::core {
namespace {

Chat chat_in(ChatState state) {
  Chat chat;
  chat.id = 42;
  chat.state = state;
  return chat;
}

TEST(RowEvents, AChangedRowIsANewRequestAVisitorsCloseOrTheStoresWord) {
  const auto opened = changed_chat_event(chat_in(ChatState::waiting), false, false);
  ASSERT_TRUE(opened && std::holds_alternative<ChatOpened>(*opened));
  EXPECT_EQ(std::get<ChatOpened>(*opened).chat.id, 42);
  const auto closed = changed_chat_event(chat_in(ChatState::closed), true, true);
  ASSERT_TRUE(closed && std::holds_alternative<VisitorClosed>(*closed));
  // Seen before, or closed before the board knew it: the board takes the row as it is.
  EXPECT_FALSE(changed_chat_event(chat_in(ChatState::waiting), true, true));
  EXPECT_FALSE(changed_chat_event(chat_in(ChatState::closed), true, false));
  EXPECT_FALSE(changed_chat_event(chat_in(ChatState::open), false, false));
}

TEST(RowEvents, GoneAfterTheShorterLimitThatIsOn) {
  EXPECT_EQ(gone_after_ms({20'000, 300'000, 0}), 20'000);
  EXPECT_EQ(gone_after_ms({0, 300'000, 0}), 300'000);
  EXPECT_EQ(gone_after_ms({400'000, 300'000, 0}), 300'000);
  EXPECT_EQ(gone_after_ms({0, 0, 60'000}), 0);
}

TEST(RowEvents, OverdueChats) {
  const Timeouts limits{20'000, 300'000, 60'000};
  const auto open = chat_in(ChatState::open);
  // Vanished past visitor_timeout, saying whether the visitor wrote.
  const auto vanished = overdue_event(open, 300'001, 0, true, limits);
  ASSERT_TRUE(vanished && std::holds_alternative<VisitorVanished>(*vanished));
  EXPECT_TRUE(std::get<VisitorVanished>(*vanished).wrote);
  // Away past visitor_grace, once.
  EXPECT_TRUE(std::holds_alternative<VisitorAway>(*overdue_event(open, 20'001, 0, false, limits)));
  auto away = open;
  away.visitor_away = true;
  EXPECT_FALSE(overdue_event(away, 20'001, 0, false, limits));
  // A request not accepted within accept_timeout fails; an open chat does not.
  const auto request = chat_in(ChatState::notified);
  EXPECT_TRUE(
      std::holds_alternative<AcceptTimedOut>(*overdue_event(request, 0, 60'001, false, limits)));
  EXPECT_FALSE(overdue_event(open, 0, 60'001, false, limits));
  // Kept: a left message, or an open chat whose visitor gave an email.
  auto left = request;
  left.left_message = true;
  left.visitor_away = true;
  EXPECT_FALSE(overdue_event(left, 300'001, 60'001, true, limits));
  auto with_email = open;
  with_email.email = "ann@example.com";
  with_email.visitor_away = true;
  EXPECT_FALSE(overdue_event(with_email, 300'001, 0, true, limits));
}

TEST(RowEvents, TheVisitorWroteSomething) {
  auto row = chat_in(ChatState::waiting);
  EXPECT_FALSE(visitor_wrote(row, 0));
  EXPECT_TRUE(visitor_wrote(row, 3));
  row.told_held = true;
  EXPECT_TRUE(visitor_wrote(row, 0));
  row.told_held = false;
  row.opening_message = "Hi";
  EXPECT_TRUE(visitor_wrote(row, 0));
}

}  // namespace
}  // namespace seshat::core
