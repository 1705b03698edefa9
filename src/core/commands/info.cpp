#include "core/commands/commands.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

// "!INFO n": any chat, a request before accepting it too; "!INFO": the current (or window's)
// chat. The app reads what is known of the visitor (SendInfo).
void info(CommandContext& context, std::optional<ChatId> argument) {
  const auto id = chat_meant(context, argument);
  if (!id) return reply(context, texts::not_in_chat());
  context.actions.push_back(SendInfo{context.operator_jid, *id, context.window});
}

}  // namespace

Command info_command() {
  return {"INFO", "[n]", "Show what is known of the visitor of your current chat (or of chat #n)",
          info};
}

}  // namespace seshat::core::builtin
