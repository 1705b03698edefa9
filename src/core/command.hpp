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
#include "core/chat.hpp"

namespace seshat::core {

class Switchboard;

// What a command handler sees: the state (read only), who asked, where to put its actions.
struct CommandContext {
  const Switchboard& board;
  const std::string& operator_jid;  // bare JID of the operator who typed the command
  Actions& actions;
  // Component mode: the chat whose address the command was sent to (a command without a chat
  // number means that chat); 0 otherwise.
  ChatId window = 0;
  std::string_view argument{};  // everything after the verb, trimmed
};

struct Command {
  std::string_view verb;  // upper case, without '!': "ACCEPT"
  // What it takes, for help and parsing: "n" (a chat id; the window's when left out), "[n]"
  // (an optional chat id), "" (nothing; trailing words ignored), or anything else, which the
  // handler parses from CommandContext::argument itself ("n [jid]").
  std::string_view argument;
  std::string_view help;  // "Accept chat request #n"
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

// "42" or "#42", a positive chat id; nothing else (no sign, no trailing words).
[[nodiscard]] std::optional<ChatId> parse_chat_id(std::string_view text);

// The common opening of the commands (issue 13):
// Replies `text` to the operator who typed the command (about `chat`, 0: about none).
void reply(CommandContext& context, std::string text, ChatId chat = 0);
// The chat a command is about: `argument` if given, else the window (component mode), else the
// operator's current chat; nullopt when there is none.
[[nodiscard]] std::optional<ChatId> chat_meant(const CommandContext& context,
                                               std::optional<ChatId> argument);
// The live chat `id`, or nullptr after replying that there is no such request.
[[nodiscard]] const Chat* live_chat(CommandContext& context, ChatId id);
// The open chat `id` that this operator handles, or nullptr after replying why not ("You are
// not in a chat." when `id` is nullopt, "You are not handling chat #n." otherwise).
[[nodiscard]] const Chat* own_chat(CommandContext& context, std::optional<ChatId> id);

// Runs `line` for the operator in `context`: looks its verb up and checks its argument (an "n"
// argument is a positive chat id, "#42" or "42"; commands without one ignore trailing words),
// then appends the command's actions, or the unknown-command or usage reply, to the context.
void run_command(const CommandLine& line, CommandContext& context);

}  // namespace seshat::core
