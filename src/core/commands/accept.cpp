#include "core/commands/commands.hpp"
#include "core/notices.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

void accept(CommandContext& context, std::optional<ChatId> argument) {
  const auto id = argument.value_or(0);
  const auto& me = context.operator_jid;
  auto& actions = context.actions;
  const auto reply = [&](std::string text) {
    actions.push_back(SendToOperator{me, std::move(text), 0});
  };

  const auto* chat = context.board.find(id);
  if (chat == nullptr) return reply(texts::no_such_request(id));
  // One chat at a time (max_chats): an operator's plain text goes to their current chat. A
  // chat whose visitor left the page does not count.
  if (!context.board.has_room(me)) {
    if (const auto* current = context.board.chat_of(me)) {
      return reply(texts::already_handling(current->id));
    }
  }
  if (!is_request(chat->state)) return reply(texts::handled_by(id, chat->operator_jid));

  actions.push_back(SetState{id, chat->state, ChatState::open, me});
  actions.push_back(SendToOperator{me, texts::now_handling(id), id});
  if (chat->visitor_away)
    actions.push_back(SendToOperator{me, texts::left_message_taken(*chat), id});
  actions.push_back(PostToChat{id, Author::system, texts::chat_started()});
  actions.push_back(RelayBacklog{id, me});
  tell_notified(*chat, me, texts::accepted_by(id, me), actions);
}

}  // namespace

Command accept_command() {
  return {"ACCEPT", "n", "Accept chat request #n", accept};
}

}  // namespace seshat::core::builtin
