#include "core/commands/commands.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

void status(CommandContext& context, std::optional<ChatId>) {
  const auto& board = context.board;
  const auto& me = context.operator_jid;
  const auto* current = board.chat_of(me);
  if (current == nullptr) return reply(context, texts::status_idle(board.requests().size()));
  // The seed's one line while one chat at a time is all an operator may hold.
  if (board.max_chats() == 1 && board.chats_of(me).size() == 1)
    return reply(context, texts::status_handling(*current));
  const auto chats = board.chats_of(me);
  std::vector<std::string> lines;
  for (const auto* chat : chats) lines.push_back(board.last_line(chat->id));
  reply(context, texts::status_list(chats, current->id, lines));
}

}  // namespace

Command status_command() {
  return {"STATUS", "", "Show your current chat status", status};
}

}  // namespace seshat::core::builtin
