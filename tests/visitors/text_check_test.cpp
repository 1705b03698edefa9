#include "visitors/text_check.hpp"

#include <gtest/gtest.h>

namespace seshat::visitors {
namespace {

using namespace std::string_literals;

void expect_failure(const Result<std::string>& result, Error code, const std::string& message) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure().code, code);
  EXPECT_EQ(result.failure().message, message);
}

TEST(Utf8, AcceptsValidText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII"));
  EXPECT_TRUE(is_valid_utf8("Grüße, 你好, \xF0\x9F\x98\x80"));  // 2, 3 and 4 byte forms
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));               // U+10FFFF
}

TEST(Utf8, RefusesMalformedSequences) {
  for (const auto& bad : {"\xC3"s, "\xC3("s, "\x80"s, "\xC0\xAF"s /* overlong '/' */,
                          "\xE0\x80\xAF"s /* overlong */, "\xED\xA0\x80"s /* surrogate */,
                          "\xF4\x90\x80\x80"s /* above U+10FFFF */, "\xFF"s, "abc\xE2\x82"s}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << ::testing::PrintToString(bad);
  }
}

TEST(Name, IsTrimmedRequiredAndOneLine) {
  EXPECT_EQ(check_name("  customer \t", 100).value(), "customer");
  EXPECT_EQ(check_name("Zoë", 100).value(), "Zoë");
  EXPECT_EQ(check_name("eve\u202Egnp.exe\u200B\u2066x\u2069\uFEFF\u2028y", 100).value(),
            "evegnp.exex y")
      << "bidi and zero-width characters are removed, separators become spaces";
  expect_failure(check_name("\u200B\u202E", 100), Error::bad_request, "A name is required.");
  expect_failure(check_name(" \t ", 100), Error::bad_request, "A name is required.");
  expect_failure(check_name("a\nb", 100), Error::bad_request,
                 "The name must be a single line without control characters.");
  expect_failure(check_name("a\x07", 100), Error::bad_request,
                 "The name must be a single line without control characters.");
  expect_failure(check_name("a\xFF", 100), Error::bad_request, "The name is not valid UTF-8 text.");
}

TEST(Name, LimitCountsBytesAfterTrimming) {
  EXPECT_TRUE(check_name(" " + std::string(100, 'x') + " ", 100).ok());
  expect_failure(check_name(std::string(101, 'x'), 100), Error::too_large,
                 "The name is longer than 100 bytes.");
}

TEST(Message, AllowsLineBreaksAndTabsOnly) {
  EXPECT_EQ(check_message("line 1\n\tline 2", 4096).value(), "line 1\n\tline 2");
  EXPECT_EQ(check_message("a\r\nb", 4096).value(), "a\nb");
  expect_failure(check_message("a\rb", 4096), Error::bad_request,
                 "The message contains a control character (only line breaks and tabs are "
                 "allowed).");
  expect_failure(check_message("bell\x07", 4096), Error::bad_request,
                 "The message contains a control character (only line breaks and tabs are "
                 "allowed).");
  expect_failure(check_message("a\0b"s, 4096), Error::bad_request,
                 "The message contains a NUL character.");
  expect_failure(check_message("\xEF\xBF\xBF", 4096), Error::bad_request,
                 "The message contains U+FFFE or U+FFFF, which are not characters.");
  expect_failure(check_message("caf\xE9", 4096), Error::bad_request,
                 "The message is not valid UTF-8 text.");
}

TEST(Message, RefusesC1Controls) {
  // U+0085 NEXT LINE would break a one-line name; U+009B is a terminal's CSI (found by fuzzing).
  expect_failure(check_name("\xC2\x85x", 100), Error::bad_request,
                 check_name("bell\x07", 100).failure().message);
  expect_failure(check_message("esc\xC2\x9B[2J", 4096), Error::bad_request,
                 "The message contains a control character (only line breaks and tabs are "
                 "allowed).");
  EXPECT_TRUE(check_message("caf\xC3\xA9 \xC2\xA0non-breaking", 4096).ok());
}

TEST(Message, KeepsHtmlVerbatim) {
  const std::string html = "<b>bold</b> & <script>alert('x')</script> &amp;";
  EXPECT_EQ(check_message(html, 4096).value(), html);
}

TEST(Message, LimitInBytes) {
  EXPECT_TRUE(check_message(std::string(4096, 'x'), 4096).ok());
  expect_failure(check_message(std::string(4097, 'x'), 4096), Error::too_large,
                 "The message is longer than 4096 bytes.");
}

TEST(Page, OneLineWithinLimit) {
  EXPECT_EQ(check_page("https://shop.example.com/cart?x=1", 2048).value(),
            "https://shop.example.com/cart?x=1");
  EXPECT_EQ(check_page("", 2048).value(), "");
  expect_failure(check_page("https://a\n", 2048), Error::bad_request,
                 "The page address must be a single line without control characters.");
  EXPECT_EQ(check_page(std::string(2049, 'x'), 2048).value(), std::string(2048, 'x'))
      << "an over-long page is cut, not refused";
  EXPECT_EQ(check_page("ab\u00e9", 3).value(), "ab") << "cut on a character boundary";
}

TEST(Email, EmptyMeansNoneAndPlausibleAddressesPass) {
  EXPECT_EQ(check_email("").value(), "");
  EXPECT_EQ(check_email("  ").value(), "");
  EXPECT_EQ(check_email(" ann.lee+shop@mail.example.com \n").value(),
            "ann.lee+shop@mail.example.com");
  EXPECT_EQ(check_email("o'brien@x-1.example").value(), "o'brien@x-1.example");
  const std::string longest = std::string(64, 'l') + "@" + std::string(63, 'd') + "." +
                              std::string(63, 'd') + "." + std::string(61, 'd');
  ASSERT_EQ(longest.size(), 254u);
  EXPECT_TRUE(check_email(longest).ok());
}

TEST(Email, RefusesAnythingButOneAddressWithOneSentenceEach) {
  const auto refused = [](std::string_view email, const std::string& sentence) {
    expect_failure(check_email(email), Error::bad_request, sentence);
  };
  const std::string example = " (like name@example.com).";
  refused("ann", "The email address must be one address" + example);
  refused("a@b@c.example", "The email address must be one address" + example);
  refused("a@b.example,c@d.example", "The email address must be one address" + example);
  refused("a@b.example, c@d.example", "The email address must not contain spaces.");
  refused("Ann <ann@b.example>", "The email address must not contain spaces.");
  refused("a@b.example\r\nBcc: c@d.example",
          "The email address must be a single line without control characters.");
  refused("a@b.example\nx", "The email address must be a single line without control characters.");
  refused("a\tb@c.example", "The email address must be a single line without control characters.");
  refused("\xC3\xA9@b.example", "The email address must be written in plain ASCII" + example);
  refused("@b.example", "The part of the email address before '@' is not valid" + example);
  refused(".a@b.example", "The part of the email address before '@' is not valid" + example);
  refused("a..b@b.example", "The part of the email address before '@' is not valid" + example);
  refused("\"a\"@b.example", "The part of the email address before '@' is not valid" + example);
  refused("<a>@b.example", "The part of the email address before '@' is not valid" + example);
  refused(std::string(65, 'l') + "@b.example",
          "The part of the email address before '@' is not valid" + example);
  const std::string not_domain = "The part of the email address after '@' is not a valid domain";
  refused("a@localhost", not_domain + example);
  refused("a@", not_domain + example);
  refused("a@b..example", not_domain + example);
  refused("a@-b.example", not_domain + example);
  refused("a@b.example.", not_domain + example);
  refused("a@[127.0.0.1]", not_domain + example);
  refused("a@b_c.example", not_domain + example);
  refused("a@" + std::string(64, 'd') + ".example", not_domain + example);
  refused(std::string(64, 'l') + "@" + std::string(190, 'd') + ".ex",
          "The email address is longer than 254 characters.");
}

TEST(Blank, OnlyWhiteSpace) {
  EXPECT_TRUE(is_blank(""));
  EXPECT_TRUE(is_blank(" \n\t"));
  EXPECT_FALSE(is_blank(" a "));
}

}  // namespace
}  // namespace seshat::visitors
