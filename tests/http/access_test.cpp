#include "http/access.hpp"

#include <gtest/gtest.h>

namespace seshat::http {
namespace {

TEST(Origin, NoOriginAndSameOriginAreAllowed) {
  EXPECT_EQ(check_origin("", "chat.example.com", {}), OriginVerdict::no_origin);
  EXPECT_EQ(check_origin("https://chat.example.com", "chat.example.com", {}),
            OriginVerdict::same_origin);
  EXPECT_EQ(check_origin("http://127.0.0.1:8080", "127.0.0.1:8080", {}),
            OriginVerdict::same_origin);
}

TEST(Origin, OthersOnlyWhenListed) {
  const std::vector<std::string> allowed{"https://www.example.com/", "http://localhost:3000"};
  EXPECT_EQ(check_origin("https://www.example.com", "chat.example.com", allowed),
            OriginVerdict::allowed);
  EXPECT_EQ(check_origin("HTTP://LOCALHOST:3000", "chat.example.com", allowed),
            OriginVerdict::allowed);
  EXPECT_EQ(check_origin("https://evil.example", "chat.example.com", allowed),
            OriginVerdict::refused);
  EXPECT_EQ(check_origin("http://127.0.0.1:8081", "127.0.0.1:8080", allowed),
            OriginVerdict::refused);
  EXPECT_EQ(check_origin("null", "chat.example.com", allowed), OriginVerdict::refused);
  EXPECT_EQ(check_origin("https://evil.example", "chat.example.com", {"*"}),
            OriginVerdict::allowed);
}

TEST(Bearer, TakesTheTokenOfTheBearerScheme) {
  EXPECT_EQ(bearer_token("Bearer abc-_123"), "abc-_123");
  EXPECT_EQ(bearer_token("bearer  abc "), "abc");
  EXPECT_EQ(bearer_token("Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(bearer_token("Bearer"), "");
  EXPECT_EQ(bearer_token(""), "");
}

}  // namespace
}  // namespace seshat::http
