#include "core/commands/commands.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

// "!SAY": the keys; "!SAY key": its text to the current (or window's) chat; "!SAY key n": to
// chat n. The texts come from the `replies` file (Switchboard::replies).
void say(CommandContext& context, std::optional<ChatId>) {
  const auto& replies = context.board.replies();
  if (!replies.error.empty()) return reply(context, texts::replies_broken(replies.error));
  auto words = context.argument;
  if (words.empty()) return reply(context, texts::reply_keys(replies.texts));
  const auto space = words.find_first_of(" \t");
  std::string key(words.substr(0, space));
  for (auto& c : key) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  auto rest = space == std::string_view::npos ? std::string_view{} : words.substr(space + 1);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  std::optional<ChatId> id;
  if (!rest.empty()) {
    id = parse_chat_id(rest);
    if (!id) return reply(context, texts::usage("SAY", "[key [n]]"));
  }
  const auto found = replies.texts.find(key);
  if (found == replies.texts.end()) return reply(context, texts::no_such_reply(key));
  const auto* chat = own_chat(context, chat_meant(context, id));
  if (chat == nullptr) return;
  const auto& me = context.operator_jid;
  context.actions.push_back(
      PostToChat{chat->id, Author::operator_, found->second, context.board.display_name(me), me});
  reply(context, texts::reply_sent(chat->id, key), chat->id);
}

}  // namespace

Command say_command() {
  return {"SAY", "[key [n]]",
          "Send the canned reply `key` to your current chat (or chat #n); alone: list the keys",
          say};
}

}  // namespace seshat::core::builtin
