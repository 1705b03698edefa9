#include "core/commands/commands.hpp"
#include "core/texts.hpp"

namespace seshat::core::builtin {
namespace {

void help(CommandContext& context, std::optional<ChatId>) {
  context.actions.push_back(SendToOperator{context.operator_jid, texts::help(commands()), 0});
}

}  // namespace

Command help_command() {
  return {"HELP", "", "Show available commands", help};
}

}  // namespace seshat::core::builtin
