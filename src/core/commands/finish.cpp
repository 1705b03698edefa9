#include "core/commands/commands.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

void finish(CommandContext& context, std::optional<ChatId> argument) {
  const auto* chat = own_chat(context, chat_meant(context, argument));
  if (chat == nullptr) return;
  auto& actions = context.actions;
  actions.push_back(SetState{chat->id, ChatState::open, ChatState::closed, {}});
  actions.push_back(SendToOperator{context.operator_jid, texts::chat_closed(), chat->id});
  actions.push_back(PostToChat{chat->id, Author::system, texts::chat_closed()});
}

}  // namespace

Command finish_command() {
  return {"FINISH", "[n]", "Close your current chat (or chat #n)", finish};
}

}  // namespace seshat::core::builtin
