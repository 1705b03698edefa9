#include "base/text.hpp"

#include <gtest/gtest.h>

namespace seshat::base {
namespace {

TEST(Trim, RemovesBlanksAtBothEndsOnly) {
  EXPECT_EQ(trim("  a b\t"), "a b");
  EXPECT_EQ(trim("a"), "a");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim(""), "");
}

TEST(Trim, LeavesOtherCharactersUnlessAsked) {
  EXPECT_EQ(trim("\n a \r"), "\n a \r");
  EXPECT_EQ(trim("\n a \r", k_white_space), "a");
  EXPECT_EQ(trim("\v\fa\v", k_white_space), "a");
  EXPECT_EQ(trim("xxaxx", "x"), "a");
}

}  // namespace
}  // namespace seshat::base
