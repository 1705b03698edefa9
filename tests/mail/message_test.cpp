// RFC 5322 messages: headers, encodings, and that nothing given can add a header.
#include "mail/message.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace seshat::mail {
namespace {

constexpr std::int64_t k_date = 1'796'032'918'000;  // Mon, 30 Nov 2026 10:01:58 UTC

Message sample() {
  Message message;
  message.from = {"Shop Support", "support@shop.example"};
  message.to = "ann@customer.example";
  message.subject = "Our answer to your chat #42";
  message.body = "Hello Ann,\n\nYour refund is on its way.\n";
  message.message_id = make_message_id(7, "0a1b2c", "shop.example");
  message.date_ms = k_date;
  return message;
}

// The header block (up to the first empty line), unfolded, one entry per field.
std::vector<std::string> header_fields(const std::string& text) {
  const auto end = text.find("\r\n\r\n");
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (start < end) {
    auto stop = text.find("\r\n", start);
    const auto line = text.substr(start, stop - start);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      fields.back() += line;
    } else {
      fields.push_back(line);
    }
    start = stop + 2;
  }
  return fields;
}

TEST(Message, HasEveryHeaderOnceWithCrlfLineEnds) {
  const auto text = render(sample());
  EXPECT_EQ(text.find("Date: Mon, 30 Nov 2026 10:01:58 +0000\r\n"), 0u);
  EXPECT_NE(text.find("\r\nFrom: \"Shop Support\" <support@shop.example>\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nTo: <ann@customer.example>\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nSubject: Our answer to your chat #42\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nMessage-ID: <seshat.7.0a1b2c@shop.example>\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nContent-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nContent-Transfer-Encoding: quoted-printable\r\n"), std::string::npos);
  EXPECT_EQ(header_fields(text).size(), 8u);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(text[i - 1], '\r') << "bare LF at " << i;
    }
  }
  EXPECT_TRUE(text.ends_with("Hello Ann,\r\n\r\nYour refund is on its way.\r\n"));
}

TEST(Message, IsTheSameTextEverySend) {
  EXPECT_EQ(render(sample()), render(sample()));
  EXPECT_EQ(make_message_id(7, "0a1b2c", "shop.example"), "seshat.7.0a1b2c@shop.example");
  EXPECT_NE(make_message_id(8, "0a1b2c", "shop.example"),
            make_message_id(7, "0a1b2c", "shop.example"));
}

TEST(Message, ASubjectCannotAddAHeader) {
  auto message = sample();
  message.subject = "Hi\r\nBcc: victim@example.com\nX-Evil: 1\r";
  const auto fields = header_fields(render(message));
  EXPECT_EQ(fields.size(), 8u);
  for (const auto& field : fields) {
    EXPECT_FALSE(field.starts_with("Bcc:")) << field;
    EXPECT_FALSE(field.starts_with("X-Evil:")) << field;
  }
  EXPECT_NE(
      std::find(fields.begin(), fields.end(), "Subject: Hi Bcc: victim@example.com X-Evil: 1"),
      fields.end());
}

TEST(Message, ADisplayNameCannotAddAHeaderEither) {
  auto message = sample();
  message.from.display_name = "Shop\r\nBcc: victim@example.com";
  const auto fields = header_fields(render(message));
  EXPECT_EQ(fields.size(), 8u);
  EXPECT_NE(std::find(fields.begin(), fields.end(),
                      "From: \"Shop Bcc: victim@example.com\" <support@shop.example>"),
            fields.end());
}

TEST(Message, RefusesAnAddressThatIsNotOne) {
  auto message = sample();
  message.to = "ann@customer.example\r\nBcc: victim@example.com";
  EXPECT_THROW((void)render(message), std::invalid_argument);
  message = sample();
  message.message_id = "a>\r\nX: y@shop.example";
  EXPECT_THROW((void)render(message), std::invalid_argument);
}

TEST(Message, EncodesANonAsciiSubjectAsEncodedWords) {
  EXPECT_EQ(encode_header_text("Grüße"), "=?utf-8?B?R3LDvMOfZQ==?=");
  // Long text: several words of at most 75 characters on continuation lines, never splitting
  // a character (each word decodes on its own).
  std::string subject;
  for (int i = 0; i < 30; ++i) subject += "\xC3\xA9";  // "é" x 30 = 60 bytes
  const auto encoded = encode_header_text(subject);
  std::size_t start = 0;
  int words = 0;
  while (start < encoded.size()) {
    auto end = encoded.find("\r\n ", start);
    if (end == std::string::npos) end = encoded.size();
    const auto word = encoded.substr(start, end - start);
    EXPECT_LE(word.size(), 75u);
    EXPECT_TRUE(word.starts_with("=?utf-8?B?") && word.ends_with("?=")) << word;
    ++words;
    start = end == encoded.size() ? end : end + 3;
  }
  EXPECT_EQ(words, 2);  // 45 bytes, then 15
}

TEST(Message, CleansControlCharactersAndBrokenUtf8) {
  EXPECT_EQ(clean_header_text("a\tb\r\nc\x01\x7F"
                              "d"),
            "a b cd");
  EXPECT_EQ(clean_header_text("caf\xC3\xA9 \xFF"
                              "ok"),
            "caf\xC3\xA9 ok");
  EXPECT_EQ(clean_header_text("x\xC2\x85y"), "xy");  // U+0085, a C1 control (NEL)
  EXPECT_EQ(clean_header_text("  end  \n"), "  end");
}

TEST(Message, QuotedPrintableKeepsLinesShortAndSafe) {
  EXPECT_EQ(quoted_printable("a=b\n"), "a=3Db\r\n");
  EXPECT_EQ(quoted_printable("trailing space \nnext"), "trailing space=20\r\nnext\r\n");
  EXPECT_EQ(quoted_printable("caf\xC3\xA9"), "caf=C3=A9\r\n");
  EXPECT_EQ(quoted_printable("bare\rCR\n"), "bare=0DCR\r\n");
  EXPECT_EQ(quoted_printable("windows\r\nline"), "windows\r\nline\r\n");
  // A lone dot stays a lone dot: dot-stuffing is SMTP's (libcurl's) job.
  EXPECT_EQ(quoted_printable("a\n.\nb"), "a\r\n.\r\nb\r\n");
  const auto long_line = quoted_printable(std::string(200, 'x') + "\xC3\xA9");
  std::size_t start = 0;
  std::string decoded;
  while (start < long_line.size()) {
    const auto end = long_line.find("\r\n", start);
    const auto line = long_line.substr(start, end - start);
    EXPECT_LE(line.size(), 76u);
    decoded += line.ends_with("=") ? line.substr(0, line.size() - 1) : line;
    start = end + 2;
  }
  EXPECT_EQ(decoded, std::string(200, 'x') + "=C3=A9");
}

TEST(Message, FormatsTheDate) {
  EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(k_date), "Mon, 30 Nov 2026 10:01:58 +0000");
}

}  // namespace
}  // namespace seshat::mail
