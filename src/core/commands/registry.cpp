#include "core/commands/commands.hpp"

namespace seshat::core::builtin {

// To add a command: write commands/<verb>.cpp building its descriptor, declare it in
// commands.hpp, and add one line here (where it should appear in !HELP).
std::vector<Command> registry() {
  return {
      accept_command(), cancel_command(), finish_command(),   help_command(),    history_command(),
      status_command(), switch_command(), transfer_command(), waiting_command(),
  };
}

}  // namespace seshat::core::builtin
