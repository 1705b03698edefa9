#pragma once
// Operator commands ("!ACCEPT 42"): a registry of descriptors. Adding a command is one file in
// commands/ that builds its descriptor, plus one line in commands/registry.cpp; !HELP lists
// whatever is registered.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/action.hpp"

namespace seshat::core {

class Switchboard;

// What a command handler sees: the state (read only), who asked, where to put its actions.
struct CommandContext {
  const Switchboard& board;
  const std::string& operator_jid;  // bare JID of the operator who typed the command
  Actions& actions;
};

struct Command {
  std::string_view verb;      // upper case, without '!': "ACCEPT"
  std::string_view argument;  // what it takes, for help and parsing: "n" (a chat id) or ""
  std::string_view help;      // "Accept chat request #n"
  std::function<void(CommandContext&, std::optional<ChatId> argument)> run;
};

// Every registered command, in the order !HELP lists them.
[[nodiscard]] std::span<const Command> commands();
// The registered command for `verb` (any case, without '!'), or nullptr.
[[nodiscard]] const Command* find_command(std::string_view verb);

// A parsed command line: "!accept 42" -> verb "ACCEPT", argument "42".
struct CommandLine {
  std::string verb;      // upper-cased
  std::string argument;  // trimmed, may be empty
};
// nullopt unless `text` starts with '!' (after leading white space).
[[nodiscard]] std::optional<CommandLine> parse_command(std::string_view text);

// Runs `line` for the operator in `context`: looks its verb up and checks its argument (an "n"
// argument is a positive chat id, "#42" or "42"; commands without one ignore trailing words),
// then appends the command's actions, or the unknown-command or usage reply, to the context.
void run_command(const CommandLine& line, CommandContext& context);

}  // namespace seshat::core
