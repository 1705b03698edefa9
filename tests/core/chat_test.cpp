#include "core/chat.hpp"

#include <gtest/gtest.h>

namespace seshat::core {
namespace {

constexpr ChatState k_all_states[] = {ChatState::waiting,  ChatState::notified, ChatState::open,
                                      ChatState::closed,   ChatState::canceled, ChatState::failed,
                                      ChatState::abandoned};

TEST(ChatState, NamesRoundTrip) {
  for (const auto state : k_all_states) {
    EXPECT_EQ(chat_state_from_string(to_string(state)), state) << to_string(state);
  }
  EXPECT_EQ(to_string(ChatState::notified), "notified");
  EXPECT_EQ(to_string(ChatState::abandoned), "abandoned");
}

TEST(ChatState, RejectsUnknownNames) {
  EXPECT_EQ(chat_state_from_string(""), std::nullopt);
  EXPECT_EQ(chat_state_from_string("OPEN"), std::nullopt);
  EXPECT_EQ(chat_state_from_string("opened"), std::nullopt);
}

TEST(ChatState, FinalStatesAreTheEndedOnes) {
  EXPECT_FALSE(is_final(ChatState::waiting));
  EXPECT_FALSE(is_final(ChatState::notified));
  EXPECT_FALSE(is_final(ChatState::open));
  EXPECT_TRUE(is_final(ChatState::closed));
  EXPECT_TRUE(is_final(ChatState::canceled));
  EXPECT_TRUE(is_final(ChatState::failed));
  EXPECT_TRUE(is_final(ChatState::abandoned));
}

TEST(ChatState, RequestsAreWaitingOrNotified) {
  for (const auto state : k_all_states) {
    EXPECT_EQ(is_request(state), state == ChatState::waiting || state == ChatState::notified)
        << to_string(state);
  }
}

TEST(ChatState, VisitorSeesThreeStates) {
  EXPECT_EQ(visitor_status(ChatState::waiting), VisitorStatus::waiting);
  EXPECT_EQ(visitor_status(ChatState::notified), VisitorStatus::waiting);
  EXPECT_EQ(visitor_status(ChatState::open), VisitorStatus::open);
  for (const auto state : k_all_states) {
    if (is_final(state)) {
      EXPECT_EQ(visitor_status(state), VisitorStatus::closed) << to_string(state);
    }
  }
}

TEST(ChatState, VisitorStatusNamesRoundTrip) {
  for (const auto status : {VisitorStatus::waiting, VisitorStatus::open, VisitorStatus::closed}) {
    EXPECT_EQ(visitor_status_from_string(to_string(status)), status);
  }
  EXPECT_EQ(to_string(VisitorStatus::closed), "closed");
  EXPECT_EQ(visitor_status_from_string("notified"), std::nullopt);
}

TEST(Author, NamesRoundTrip) {
  EXPECT_EQ(to_string(Author::visitor), "visitor");
  EXPECT_EQ(to_string(Author::operator_), "operator");
  EXPECT_EQ(to_string(Author::system), "system");
  for (const auto author : {Author::visitor, Author::operator_, Author::system}) {
    EXPECT_EQ(author_from_string(to_string(author)), author);
  }
  EXPECT_EQ(author_from_string("operator_"), std::nullopt);
  EXPECT_EQ(author_from_string(""), std::nullopt);
}

}  // namespace
}  // namespace seshat::core
