#include "core/action.hpp"

#include <algorithm>

#include "core/texts.hpp"

namespace seshat::core {

Actions fit_to_stanzas(Actions actions) {
  const auto too_long = [](const Action& action) {
    const auto* send = std::get_if<SendToOperator>(&action);
    return send != nullptr && send->text.size() > texts::k_max_message_bytes;
  };
  if (std::none_of(actions.begin(), actions.end(), too_long)) return actions;  // the usual case
  Actions fitted;
  for (auto& action : actions) {
    if (!too_long(action)) {
      fitted.push_back(std::move(action));
      continue;
    }
    const auto& send = std::get<SendToOperator>(action);
    for (auto& piece : texts::message_pieces(send.text))
      fitted.push_back(SendToOperator{send.jid, std::move(piece), send.chat});
  }
  return fitted;
}

}  // namespace seshat::core
