#include "core/notices.hpp"

#include "core/texts.hpp"

namespace seshat::core {

void offer(const Chat& chat, const std::vector<std::string>& operators, Actions& actions) {
  if (operators.empty()) return;
  if (chat.state == ChatState::waiting) {
    actions.push_back(SetState{chat.id, ChatState::waiting, ChatState::notified, {}});
  }
  const auto text = texts::chat_request(chat);
  for (const auto& jid : operators) actions.push_back(SendToOperator{jid, text, chat.id});
}

void tell_notified(const Chat& chat, std::string_view except, const std::string& text,
                   Actions& actions) {
  for (const auto& jid : chat.notified) {
    if (jid != except) actions.push_back(SendToOperator{jid, text, chat.id});
  }
}

}  // namespace seshat::core
