#include "core/commands/commands.hpp"
#include "core/switchboard.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

void waiting(CommandContext& context, std::optional<ChatId>) {
  const auto requests = context.board.requests();
  auto text =
      requests.empty() ? texts::no_requests() : texts::request_list(requests, context.board.now());
  context.actions.push_back(SendToOperator{context.operator_jid, std::move(text), 0});
}

}  // namespace

Command waiting_command() {
  return {"WAITING", "", "Show all open chat requests", waiting};
}

}  // namespace seshat::core::builtin
