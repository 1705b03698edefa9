#include "core/notices.hpp"

namespace seshat::core {

void tell_notified(const Chat& chat, std::string_view except, const std::string& text,
                   Actions& actions) {
  for (const auto& jid : chat.notified) {
    if (jid != except) actions.push_back(SendToOperator{jid, text, chat.id});
  }
}

}  // namespace seshat::core
