#include "core/commands/commands.hpp"
#include "core/notices.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

void cancel(CommandContext& context, std::optional<ChatId> argument) {
  const auto id = argument.value_or(0);
  const auto& me = context.operator_jid;
  auto& actions = context.actions;

  const auto* chat = live_chat(context, id);
  if (chat == nullptr) return;
  if (!is_request(chat->state)) {
    if (chat->operator_jid == me) return reply(context, texts::cancel_own_chat(id));
    return reply(context, texts::handled_by(id, chat->operator_jid));
  }

  // least-busy: "not me": the request goes on to the next free operator, or waits.
  if (context.board.options().routing == Routing::least_busy) {
    const auto next = context.board.offer_targets(me, chat);
    // Nobody else: it stays offered to this operator (OffersDue tries again in offer_timeout).
    if (next.empty()) return reply(context, texts::nobody_else_free(id), id);
    reply(context, texts::passed_on(id), id);
    actions.push_back(SendToOperator{next.front(), texts::chat_request(*chat), id});
    actions.push_back(Offered{next.front(), {id}});
    return;
  }
  actions.push_back(SetState{id, chat->state, ChatState::canceled, {}});
  actions.push_back(SendToOperator{me, texts::request_canceled(id), id});
  actions.push_back(PostToChat{id, Author::system, texts::nobody_can_take()});
  tell_notified(*chat, me, texts::canceled_by(id, me), actions);
}

}  // namespace

Command cancel_command() {
  return {"CANCEL", "n", "Cancel chat request #n", cancel};
}

}  // namespace seshat::core::builtin
