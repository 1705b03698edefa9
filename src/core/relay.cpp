#include "core/relay.hpp"

#include "core/texts.hpp"

namespace seshat::core {

std::string line_prefix(Addressing addressing, ChatId chat, std::string_view visitor_name,
                        std::size_t holding) {
  if (addressing == Addressing::component || holding <= 1) return {};
  return texts::line_prefix(chat, visitor_name);
}

SendToOperator line_to_operator(Addressing addressing, ChatId chat, std::string_view operator_jid,
                                std::string_view visitor_name, std::size_t holding,
                                std::string_view text) {
  auto line = line_prefix(addressing, chat, visitor_name, holding);
  line += text;
  return SendToOperator{std::string(operator_jid), std::move(line), chat};
}

}  // namespace seshat::core
