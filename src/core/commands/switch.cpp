#include "core/commands/commands.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

void switch_to(CommandContext& context, std::optional<ChatId> argument) {
  const auto* chat = own_chat(context, argument);
  if (chat == nullptr) return;
  context.actions.push_back(SetCurrent{context.operator_jid, chat->id});
  reply(context, texts::current_chat(*chat), chat->id);
}

}  // namespace

Command switch_command() {
  return {"SWITCH", "n", "Make chat #n your current chat (plain text goes there)", switch_to};
}

}  // namespace seshat::core::builtin
