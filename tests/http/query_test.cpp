#include "http/query.hpp"

#include <gtest/gtest.h>

namespace seshat::http {
namespace {

TEST(Query, FindsDecodedValues) {
  EXPECT_EQ(query_value("after=3&wait=10", "wait"), "10");
  EXPECT_EQ(query_value("token=a%2Bb%3D&x", "token"), "a+b=");
  EXPECT_EQ(query_value("name=J+Doe", "name"), "J Doe");
  EXPECT_EQ(query_value("flag&after=1", "flag"), "");
  EXPECT_EQ(query_value("after=1&after=2", "after"), "1");
  EXPECT_EQ(query_value("waiting=1", "wait"), std::nullopt);
  EXPECT_EQ(query_value("", "wait"), std::nullopt);
}

TEST(Query, BrokenEscapesAreRefused) {
  EXPECT_EQ(percent_decode("%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
  EXPECT_EQ(percent_decode("a%"), std::nullopt);
  EXPECT_EQ(percent_decode("%41%42"), "AB");
}

TEST(Query, CountsAreNonNegativeAndCapped) {
  EXPECT_EQ(parse_count(std::nullopt, "wait", 0, 60).value(), 0);
  EXPECT_EQ(parse_count(std::string("25"), "wait", 0, 60).value(), 25);
  EXPECT_EQ(parse_count(std::string("600"), "wait", 0, 60).value(), 60);
  EXPECT_EQ(parse_count(std::string("99999999999999999999999"), "wait", 0, 60).value(), 60);
  for (const char* bad : {"", "-1", "1.5", "ten", " 1", "+1", "1 "}) {
    const auto result = parse_count(std::string(bad), "wait", 0, 60);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.failure().code, base::Error::bad_request);
    EXPECT_EQ(result.failure().message, "The parameter 'wait' must be a whole number, 0 or more.");
  }
}

}  // namespace
}  // namespace seshat::http
