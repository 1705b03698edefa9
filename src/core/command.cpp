#include "core/command.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "base/text.hpp"
#include "core/commands/commands.hpp"
#include "core/texts.hpp"

namespace seshat::core {
namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string_view trim(std::string_view text) {
  return base::trim(text, base::k_white_space);
}

std::string upper(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return result;
}

// "42" or "#42", a positive chat id; nothing else (no sign, no trailing words).
std::optional<ChatId> parse_chat_id(std::string_view text) {
  if (!text.empty() && text.front() == '#') text.remove_prefix(1);
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return std::nullopt;
  ChatId id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc{} || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

}  // namespace

std::span<const Command> commands() {
  // Built once, on first use; descriptors are immutable afterwards.
  static const std::vector<Command> k_registry = builtin::registry();
  return k_registry;
}

const Command* find_command(std::string_view verb) {
  const auto wanted = upper(verb);
  for (const auto& command : commands()) {
    if (command.verb == wanted) return &command;
  }
  return nullptr;
}

std::optional<CommandLine> parse_command(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.front() != '!') return std::nullopt;
  text.remove_prefix(1);
  const auto verb_end = std::find_if(text.begin(), text.end(), is_space);
  const auto verb_length = static_cast<std::size_t>(verb_end - text.begin());
  return CommandLine{upper(text.substr(0, verb_length)),
                     std::string(trim(text.substr(verb_length)))};
}

void run_command(const CommandLine& line, CommandContext& context) {
  const auto reply = [&](std::string text) {
    context.actions.push_back(SendToOperator{context.operator_jid, std::move(text), 0});
  };
  const auto* command = find_command(line.verb);
  if (command == nullptr) return reply(texts::unknown_command(line.verb));
  std::optional<ChatId> argument;
  if (command->argument == "n") {
    argument = parse_chat_id(line.argument);
    if (!argument) return reply(texts::usage(command->verb, command->argument));
  }
  command->run(context, argument);
}

}  // namespace seshat::core
