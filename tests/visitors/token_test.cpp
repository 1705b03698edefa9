#include "visitors/token.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace seshat::visitors {
namespace {

std::string encode(std::string_view text) {
  return base64url(std::span(reinterpret_cast<const unsigned char*>(text.data()), text.size()));
}

TEST(Base64url, MatchesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(encode(""), "");
  EXPECT_EQ(encode("f"), "Zg");
  EXPECT_EQ(encode("fo"), "Zm8");
  EXPECT_EQ(encode("foo"), "Zm9v");
  EXPECT_EQ(encode("foob"), "Zm9vYg");
  EXPECT_EQ(encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(encode("foobar"), "Zm9vYmFy");
}

TEST(Base64url, UsesTheUrlAlphabet) {
  const std::array<unsigned char, 3> bytes = {0xFB, 0xFF, 0xBF};
  EXPECT_EQ(base64url(bytes), "-_-_");
}

TEST(Token, Is43UrlSafeCharactersAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto token = make_token();
    ASSERT_TRUE(token);
    EXPECT_EQ(token->size(), 43u);
    EXPECT_EQ(token->find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_TRUE(seen.insert(*token).second);
  }
}

TEST(Token, HashIsSha256Hex) {
  EXPECT_EQ(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Token, MatchesOnlyItsOwnHash) {
  const auto token = *make_token();
  const auto hash = hash_token(token);
  EXPECT_TRUE(token_matches(token, hash));
  EXPECT_FALSE(token_matches(token + "x", hash));
  EXPECT_FALSE(token_matches(*make_token(), hash));
  EXPECT_FALSE(token_matches(token, ""));
  EXPECT_FALSE(token_matches(token, hash.substr(1)));
  EXPECT_FALSE(token_matches(hash, hash));  // the stored hash is no key
}

TEST(Token, SameTokenOnlyForTheSameText) {
  const auto token = *make_token();
  EXPECT_TRUE(same_token(token, std::string(token)));
  EXPECT_FALSE(same_token(token + "x", token));
  EXPECT_FALSE(same_token(token.substr(1), token));
  EXPECT_FALSE(same_token("", token));
  EXPECT_FALSE(same_token(*make_token(), token));
}

}  // namespace
}  // namespace seshat::visitors
