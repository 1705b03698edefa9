#include "core/commands/commands.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

void finish(CommandContext& context, std::optional<ChatId>) {
  const auto& me = context.operator_jid;
  auto& actions = context.actions;
  const auto* chat = context.board.chat_of(me);
  if (chat == nullptr) {
    actions.push_back(SendToOperator{me, texts::not_in_chat(), 0});
    return;
  }
  actions.push_back(SetState{chat->id, ChatState::open, ChatState::closed, {}});
  actions.push_back(SendToOperator{me, texts::chat_closed(), chat->id});
  actions.push_back(PostToChat{chat->id, Author::system, texts::chat_closed()});
}

}  // namespace

Command finish_command() {
  return {"FINISH", "", "Close your current chat", finish};
}

}  // namespace seshat::core::builtin
