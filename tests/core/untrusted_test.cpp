#include "core/untrusted.hpp"

#include <gtest/gtest.h>

namespace seshat::core {
namespace {

TEST(Untrusted, CleanLineKeepsOrdinaryTextAndTrims) {
  EXPECT_EQ(clean_line("  Ann Müller 李  "), "Ann Müller 李");
  EXPECT_EQ(clean_line(""), "");
  EXPECT_EQ(clean_line("a\r\nb\tc"), "a b c");
  EXPECT_EQ(clean_line("bad \xFF byte"), "bad \uFFFD byte");
}

TEST(Untrusted, QuoteLinesMarksEveryLine) {
  EXPECT_EQ(quote_lines("one"), "> one");
  EXPECT_EQ(quote_lines("\n one\n\n two \n\n"), "> one\n>\n>  two");
  EXPECT_EQ(quote_lines(" \n\u200B"), "");
  EXPECT_EQ(quote_lines("x\u202Ey"), "> xy");
}

TEST(Untrusted, ShortenCutsOnACharacterBoundary) {
  EXPECT_EQ(shorten("abc", 3), "abc");
  EXPECT_EQ(shorten("aé", 2), "a\u2026");
}

}  // namespace
}  // namespace seshat::core
