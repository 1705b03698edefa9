#include "core/command.hpp"

#include <gtest/gtest.h>

#include "core/switchboard.hpp"
#include "harness.hpp"

namespace seshat::core {
namespace {

using testing::describe;
using Lines = std::vector<std::string>;

TEST(ParseCommand, UpperCasesTheVerbAndTrimsTheArgument) {
  const auto line = parse_command("  !accept   42  ");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->verb, "ACCEPT");
  EXPECT_EQ(line->argument, "42");
}

TEST(ParseCommand, KeepsEverythingAfterTheVerbAsTheArgument) {
  const auto line = parse_command("!Cancel 42 please\tnow");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->verb, "CANCEL");
  EXPECT_EQ(line->argument, "42 please\tnow");
}

TEST(ParseCommand, VerbWithoutArgument) {
  const auto line = parse_command("!FINISH");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->verb, "FINISH");
  EXPECT_EQ(line->argument, "");
}

TEST(ParseCommand, PlainTextIsNoCommand) {
  EXPECT_EQ(parse_command("Hello, customer."), std::nullopt);
  EXPECT_EQ(parse_command("Hello! How are you?"), std::nullopt);
  EXPECT_EQ(parse_command(""), std::nullopt);
  EXPECT_EQ(parse_command("   "), std::nullopt);
}

TEST(ParseCommand, ABareExclamationMarkIsAnEmptyVerb) {
  const auto line = parse_command("!");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->verb, "");
}

TEST(Registry, RegistryHasTheSeedCommandsInHelpOrder) {
  Lines verbs;
  for (const auto& command : commands()) verbs.emplace_back(command.verb);
  EXPECT_EQ(verbs, (Lines{"ACCEPT", "BLOCK", "CANCEL", "FINISH", "HELP", "HISTORY", "INFO", "SAY",
                          "STATUS", "SWITCH", "TRANSFER", "UNBLOCK", "WAITING"}));
  for (const auto& command : commands()) EXPECT_TRUE(command.run) << command.verb;
}

TEST(Registry, FindIsCaseInsensitive) {
  ASSERT_NE(find_command("accept"), nullptr);
  EXPECT_EQ(find_command("accept")->verb, "ACCEPT");
  EXPECT_EQ(find_command("WaItInG")->verb, "WAITING");
  EXPECT_EQ(find_command("FOO"), nullptr);
  EXPECT_EQ(find_command(""), nullptr);
}

// run_command, through a board with no chats: what the registry does before any handler runs.
class RunCommand : public ::testing::Test {
 protected:
  Lines run(std::string_view text) {
    const auto line = parse_command(text);
    EXPECT_TRUE(line) << text;
    Actions actions;
    const std::string jid = "joe@example.com";
    CommandContext context{m_board, jid, actions};
    run_command(*line, context);
    return describe(actions);
  }

  Switchboard m_board{{"joe@example.com"}};
};

TEST_F(RunCommand, UnknownVerbNamesTheCommand) {
  EXPECT_EQ(run("!foo 1"), Lines{"> joe@example.com: Unknown command '!FOO'. Send '!HELP' for "
                                 "the list of commands."});
  EXPECT_EQ(run("!"), Lines{"> joe@example.com: Unknown command '!'. Send '!HELP' for the list "
                            "of commands."});
}

TEST_F(RunCommand, ChatIdArgumentMustBeAPositiveNumber) {
  for (const auto* text :
       {"!ACCEPT", "!ACCEPT x", "!ACCEPT 0", "!ACCEPT -1", "!ACCEPT +1", "!ACCEPT 42abc",
        "!ACCEPT 4 2", "!ACCEPT 99999999999999999999", "!ACCEPT #", "!cancel 1.5"}) {
    const std::string verb = std::string_view(text).starts_with("!cancel") ? "CANCEL" : "ACCEPT";
    EXPECT_EQ(run(text), Lines{"> joe@example.com: Usage: !" + verb + " n"}) << text;
  }
}

TEST_F(RunCommand, ChatIdMayBeWrittenWithAHash) {
  EXPECT_EQ(run("!ACCEPT #42"), Lines{"> joe@example.com: There is no open chat request #42."});
  EXPECT_EQ(run("!accept 42"), Lines{"> joe@example.com: There is no open chat request #42."});
}

TEST_F(RunCommand, CommandsWithoutArgumentIgnoreTrailingWords) {
  EXPECT_EQ(run("!finish now please"), Lines{"> joe@example.com: You are not in a chat."});
}

}  // namespace
}  // namespace seshat::core
