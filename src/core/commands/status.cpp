#include "core/commands/commands.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

void status(CommandContext& context, std::optional<ChatId>) {
  const auto* chat = context.board.chat_of(context.operator_jid);
  auto text = chat != nullptr ? texts::status_handling(*chat)
                              : texts::status_idle(context.board.requests().size());
  context.actions.push_back(SendToOperator{context.operator_jid, std::move(text), 0});
}

}  // namespace

Command status_command() {
  return {"STATUS", "", "Show your current chat status", status};
}

}  // namespace seshat::core::builtin
