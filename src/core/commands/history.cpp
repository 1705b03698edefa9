#include <charconv>

#include "core/commands/commands.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

// "!HISTORY n [page]": any chat, live or ended; the app reads the store (SendHistory).
void history(CommandContext& context, std::optional<ChatId>) {
  auto words = context.argument;
  const auto space = words.find_first_of(" \t");
  auto id = parse_chat_id(words.substr(0, space));
  auto rest = space == std::string_view::npos ? std::string_view{} : words.substr(space + 1);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  if (!id && context.window != 0 && space == std::string_view::npos) {
    // In a chat's own window (component mode): "!HISTORY" or "!HISTORY page".
    rest = words;
    id = context.window;
  }
  int page = 1;
  if (!rest.empty()) {
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), page);
    if (error != std::errc{} || end != rest.data() + rest.size() || page < 1) id.reset();
  }
  if (!id) return reply(context, texts::usage("HISTORY", "n [page]"));
  context.actions.push_back(SendHistory{context.operator_jid, *id, page, context.window});
}

}  // namespace

Command history_command() {
  return {"HISTORY", "n [page]", "Show the transcript of chat #n, newest lines first, 20 a page",
          history};
}

}  // namespace seshat::core::builtin
