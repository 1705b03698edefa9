#include "app/ini.hpp"

#include <gtest/gtest.h>

namespace seshat::app::ini {
namespace {

Document parsed(std::string_view text) {
  auto result = parse(text);
  if (auto* error = std::get_if<ParseError>(&result))
    ADD_FAILURE() << "line " << error->line << ": " << error->message;
  return std::get_if<Document>(&result) ? std::get<Document>(result) : Document{};
}

ParseError failed(std::string_view text) {
  auto result = parse(text);
  EXPECT_TRUE(std::holds_alternative<ParseError>(result));
  return std::holds_alternative<ParseError>(result) ? std::get<ParseError>(result) : ParseError{};
}

TEST(Ini, ReadsSectionsKeysValuesAndLines) {
  const auto document = parsed("; top\n[A]\nkey = value\n# c\nother:  x = y \n\n[B]\nk=\n");
  ASSERT_EQ(document.sections.size(), 2u);
  EXPECT_EQ(document.sections[0].name, "A");
  EXPECT_EQ(document.sections[0].line, 2);
  ASSERT_EQ(document.sections[0].entries.size(), 2u);
  EXPECT_EQ(document.sections[0].entries[0].key, "key");
  EXPECT_EQ(document.sections[0].entries[0].value, "value");
  EXPECT_EQ(document.sections[0].entries[0].line, 3);
  EXPECT_EQ(document.sections[0].entries[1].key, "other");
  EXPECT_EQ(document.sections[0].entries[1].value, "x = y");
  EXPECT_EQ(document.sections[0].entries[1].line, 5);
  ASSERT_EQ(document.sections[1].entries.size(), 1u);
  EXPECT_EQ(document.sections[1].entries[0].value, "");
}

TEST(Ini, KeepsCommentCharactersInsideValues) {
  const auto document = parsed("[A]\npassword = se;cret #1\n");
  EXPECT_EQ(document.sections[0].entries[0].value, "se;cret #1");
}

TEST(Ini, JoinsIndentedContinuationLines) {
  const auto document = parsed("[A]\nlist = a,\n  b\n\tc\nnext = 1\n");
  ASSERT_EQ(document.sections[0].entries.size(), 2u);
  EXPECT_EQ(document.sections[0].entries[0].value, "a,\nb\nc");
  EXPECT_EQ(document.sections[0].entries[1].line, 5);
}

TEST(Ini, AcceptsBomAndCrlf) {
  const auto document = parsed("\xEF\xBB\xBF[A]\r\nkey = v\r\n");
  ASSERT_EQ(document.sections.size(), 1u);
  EXPECT_EQ(document.sections[0].entries[0].value, "v");
}

TEST(Ini, EmptyTextIsAnEmptyDocument) {
  EXPECT_TRUE(parsed("").sections.empty());
}

TEST(Ini, RejectsMalformedLinesWithTheirNumber) {
  auto error = failed("[A]\nkey = v\njust words\n");
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.section, "A");
  EXPECT_EQ(error.message, "expected 'key = value', '[section]' or a comment, not 'just words'");
  EXPECT_EQ(failed("[A\n").message, "section header without ']'");
  EXPECT_EQ(failed("[A] x\n").message, "text after the section header's ']'");
  EXPECT_EQ(failed("[ ]\n").message, "empty section name '[]'");
  EXPECT_EQ(failed("[A]\n= v\n").message, "a value without a key");
  error = failed("key = v\n[A]\n");
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.message, "key 'key' before any [section]");
  EXPECT_EQ(failed(std::string_view("[A]\nk = a\0b\n", 11)).message, "NUL character in the file");
}

}  // namespace
}  // namespace seshat::app::ini
