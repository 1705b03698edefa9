#include "xmpp/component_address.hpp"

#include <gtest/gtest.h>

namespace seshat::xmpp {
namespace {

TEST(ComponentAddress, ChatNIsNAtTheComponent) {
  EXPECT_EQ(chat_address(42, "chat.example.com"), "42@chat.example.com");
  EXPECT_EQ(chat_of_address("42@chat.example.com", "chat.example.com"), 42);
  EXPECT_EQ(chat_of_address("42@Chat.Example.COM/gajim", "chat.example.com"), 42);
  EXPECT_EQ(chat_of_address("9223372036854775807@c.example", "c.example"), INT64_MAX);
}

TEST(ComponentAddress, AnythingElseIsNoChat) {
  for (const auto* jid :
       {"chat.example.com", "@chat.example.com", "042@chat.example.com", "0@chat.example.com",
        "-4@chat.example.com", "4a@chat.example.com", "42@example.com", "42@chat.example.com.evil",
        "99999999999999999999@chat.example.com", "42", ""}) {
    EXPECT_EQ(chat_of_address(jid, "chat.example.com"), std::nullopt) << jid;
  }
}

}  // namespace
}  // namespace seshat::xmpp
