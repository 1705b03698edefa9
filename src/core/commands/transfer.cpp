#include "core/commands/commands.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

// !TRANSFER n: the chat goes back to the queue, offered to the other free operators.
void to_queue(CommandContext& context, const Chat& chat) {
  const auto& me = context.operator_jid;
  auto& actions = context.actions;
  std::vector<std::string> others;
  for (auto& jid : context.board.offer_targets(me, &chat)) others.push_back(std::move(jid));
  const auto to = others.empty() ? ChatState::waiting : ChatState::notified;
  // Told before the chat is a request again: a notice about a request counts as an offer.
  actions.push_back(SendToOperator{me, texts::returned_to_queue(chat.id), chat.id});
  actions.push_back(SetState{chat.id, ChatState::open, to, {}});
  actions.push_back(PostToChat{chat.id, Author::system, texts::handed_on()});
  Chat request = chat;
  request.state = to;
  request.operator_jid.clear();
  request.notified.clear();
  for (const auto& jid : others) {
    actions.push_back(SendToOperator{jid, texts::chat_request(request), chat.id});
    actions.push_back(Offered{jid, {chat.id}});
  }
}

// !TRANSFER n jid: `jid` is offered the chat with its history; it stays ours until they accept.
void to_operator(CommandContext& context, const Chat& chat, std::string_view target) {
  const auto& me = context.operator_jid;
  const auto& board = context.board;
  const auto jid = split_jid(target).bare;
  if (!board.is_operator(jid)) return reply(context, texts::no_such_operator(target), chat.id);
  if (jid == me) return reply(context, texts::already_yours(chat.id), chat.id);
  if (!board.presence().is_available(jid))
    return reply(context, texts::operator_not_available(jid), chat.id);
  auto& actions = context.actions;
  actions.push_back(OfferTransfer{chat.id, jid});
  actions.push_back(SendToOperator{jid, texts::transfer_offer(chat, me), chat.id});
  actions.push_back(SendHistory{jid, chat.id, 1, chat.id});
  actions.push_back(SendToOperator{me, texts::transfer_offered(chat.id, jid), chat.id});
}

void transfer(CommandContext& context, std::optional<ChatId>) {
  // "n", "n jid", or in a chat's own window (component mode) "jid" or nothing.
  auto words = context.argument;
  const auto space = words.find_first_of(" \t");
  auto first = words.substr(0, space);
  auto rest = space == std::string_view::npos ? std::string_view{} : words.substr(space + 1);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  std::optional<ChatId> id = parse_chat_id(first);
  if (!id && context.window != 0 && rest.empty()) {
    id = context.window;
    rest = first;
  }
  if (!id || rest.find_first_of(" \t") != std::string_view::npos)
    return reply(context, texts::usage("TRANSFER", "n [jid]"));
  const auto* chat = own_chat(context, id);
  if (chat == nullptr) return;
  if (rest.empty()) return to_queue(context, *chat);
  to_operator(context, *chat, rest);
}

}  // namespace

Command transfer_command() {
  return {"TRANSFER", "n [jid]",
          "Hand chat #n to operator jid (they accept it with !ACCEPT n), or back to the queue",
          transfer};
}

}  // namespace seshat::core::builtin
