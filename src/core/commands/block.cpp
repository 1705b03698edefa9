#include "core/commands/commands.hpp"
#include "core/notices.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

// "!BLOCK n": chat n (held by this operator, or a request) ends politely ("The chat is now
// closed."), and its visitor's browser and address may start no chat for block_hours (the app
// writes the block: BlockVisitor). A chat that already ended can be blocked too.
void block(CommandContext& context, std::optional<ChatId> argument) {
  const auto id = argument.value_or(0);
  const auto& me = context.operator_jid;
  auto& actions = context.actions;
  if (const auto* chat = context.board.find(id)) {
    if (chat->state == ChatState::open && chat->operator_jid != me)
      return reply(context, texts::handled_by(id, chat->operator_jid));
    actions.push_back(BlockVisitor{me, id, true, context.window});
    if (chat->state == ChatState::open) {
      actions.push_back(SetState{id, ChatState::open, ChatState::closed, {}});
      actions.push_back(SendToOperator{me, texts::chat_closed(), id});
    } else {
      actions.push_back(SetState{id, chat->state, ChatState::canceled, {}});
      tell_notified(*chat, me, texts::canceled_by(id, me), actions);
    }
    actions.push_back(PostToChat{id, Author::system, texts::chat_closed()});
    return;
  }
  actions.push_back(BlockVisitor{me, id, true, context.window});
}

void unblock(CommandContext& context, std::optional<ChatId> argument) {
  context.actions.push_back(
      BlockVisitor{context.operator_jid, argument.value_or(0), false, context.window});
}

}  // namespace

Command block_command() {
  return {"BLOCK", "n",
          "End chat #n and refuse new chats from its visitor's browser and address for a while",
          block};
}

Command unblock_command() {
  return {"UNBLOCK", "n", "Welcome new chats from the visitor of chat #n again", unblock};
}

}  // namespace seshat::core::builtin
