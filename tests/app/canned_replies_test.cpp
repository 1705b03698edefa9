// The `replies` file: parsed into canned replies, or one clear line naming file and line.
#include "app/canned_replies.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace seshat::app {
namespace {

TEST(ParseReplies, KeysLowerCaseAndContinuedTexts) {
  const auto replies = parse_replies(
      "; canned\n[replies]\nHello = Hi there!\nbye = Thanks.\n  Have a nice day!\n", "replies.ini");
  EXPECT_EQ(replies.error, "");
  EXPECT_EQ(replies.texts, (std::map<std::string, std::string>{{"bye", "Thanks.\nHave a nice day!"},
                                                               {"hello", "Hi there!"}}));
}

TEST(ParseReplies, EachProblemIsOneLineWithItsPlace) {
  const auto error = [](std::string_view text) { return parse_replies(text, "r.ini").error; };
  EXPECT_EQ(error("[replies]\nhello = a\nhello = b\n"),
            "r.ini:3: the reply 'hello' is there twice");
  EXPECT_EQ(error("[replies]\nhello =\n"), "r.ini:2: the reply 'hello' is empty");
  EXPECT_EQ(error("[replies]\nsay hi = a\n"),
            "r.ini:2: 'say hi' is not a reply key (letters, digits, '-', '_' or '.', at most 64)");
  EXPECT_EQ(error("[texts]\nhello = a\n"),
            "r.ini:1: unknown section [texts]; canned replies go in [replies]");
  EXPECT_EQ(error("hello = a\n").rfind("r.ini:1: ", 0), 0u);
  EXPECT_EQ(error(""), "r.ini: no [replies] section");
  EXPECT_EQ(error("[replies]\n"), "");  // no replies is fine
}

TEST(RepliesFile, RereadOnlyWhenItChanges) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("seshat-replies-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "replies.ini").string();
  RepliesFile file(path);
  const auto missing = file.reload_if_changed();
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->error.rfind(path + ": cannot be read", 0), 0u);
  EXPECT_FALSE(file.reload_if_changed());  // said once
  {
    std::ofstream out(path);
    out << "[replies]\nhello = one\n";
  }
  const auto first = file.reload_if_changed();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->texts.at("hello"), "one");
  EXPECT_FALSE(file.reload_if_changed());
  {
    std::ofstream out(path);
    out << "[replies]\nhello = two, longer\n";
  }
  const auto second = file.reload_if_changed();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->texts.at("hello"), "two, longer");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace seshat::app
