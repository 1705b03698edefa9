#include "core/commands/commands.hpp"
#include "core/notices.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

// Takes over open chat `chat`, which its operator offered to `me` (!TRANSFER n jid).
void take_transfer(CommandContext& context, const Chat& chat) {
  const auto& me = context.operator_jid;
  auto& actions = context.actions;
  const auto& board = context.board;
  actions.push_back(SetState{chat.id, ChatState::open, ChatState::open, me});
  actions.push_back(SendToOperator{me, texts::now_handling(chat.id), chat.id});
  actions.push_back(SendToOperator{chat.operator_jid, texts::transferred_to(chat.id, me), chat.id});
  const bool hidden = board.options().names == OperatorNames::hidden;
  actions.push_back(
      PostToChat{chat.id, Author::system, texts::handed_to(hidden ? "" : board.display_name(me))});
}

void accept(CommandContext& context, std::optional<ChatId> argument) {
  const auto id = argument.value_or(0);
  const auto& me = context.operator_jid;
  auto& actions = context.actions;
  const auto& board = context.board;

  const auto* chat = live_chat(context, id);
  if (chat == nullptr) return;
  // An operator holds at most max_chats chats at once; plain text goes to the current one. A
  // chat whose visitor left the page does not count.
  if (!board.has_room(me)) {
    if (const auto* current = board.chat_of(me)) {
      return reply(context, texts::already_handling(current->id));
    }
  }
  if (chat->state == ChatState::open && board.transfer_target(id) == me) {
    return take_transfer(context, *chat);
  }
  if (!is_request(chat->state)) return reply(context, texts::handled_by(id, chat->operator_jid));

  actions.push_back(SetState{id, chat->state, ChatState::open, me});
  actions.push_back(SendToOperator{me, texts::now_handling(id), id});
  if (chat->visitor_away)
    actions.push_back(SendToOperator{me, texts::left_message_taken(*chat), id});
  actions.push_back(PostToChat{id, Author::system, texts::chat_started()});
  // With this one the operator may hold several: its backlog comes prefixed like its lines.
  actions.push_back(RelayBacklog{id, me, board.line_prefix(*chat, board.chats_of(me).size() + 1)});
  tell_notified(*chat, me, texts::accepted_by(id, me), actions);
}

}  // namespace

Command accept_command() {
  return {"ACCEPT", "n", "Accept chat request #n", accept};
}

}  // namespace seshat::core::builtin
