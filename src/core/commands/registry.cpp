#include "core/commands/commands.hpp"

namespace seshat::core::builtin {

// To add a command: write commands/<verb>.cpp building its descriptor, declare it in
// commands.hpp, and add one line here (where it should appear in !HELP).
std::vector<Command> registry() {
  // One line each, in !HELP's (alphabetical) order.
  // clang-format off
  return {
      accept_command(),
      block_command(),
      cancel_command(),
      finish_command(),
      help_command(),
      history_command(),
      info_command(),
      say_command(),
      status_command(),
      switch_command(),
      transfer_command(),
      unblock_command(),
      waiting_command(),
  };
  // clang-format on
}

}  // namespace seshat::core::builtin
