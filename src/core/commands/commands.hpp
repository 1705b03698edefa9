#pragma once
// The descriptors of the built-in commands, one file each; commands/registry.cpp lists them.

#include <vector>

#include "core/command.hpp"

namespace seshat::core::builtin {

[[nodiscard]] Command accept_command();
[[nodiscard]] Command cancel_command();
[[nodiscard]] Command finish_command();
[[nodiscard]] Command help_command();
[[nodiscard]] Command status_command();
[[nodiscard]] Command waiting_command();
[[nodiscard]] Command switch_command();
[[nodiscard]] Command transfer_command();
[[nodiscard]] Command history_command();
[[nodiscard]] Command info_command();
[[nodiscard]] Command say_command();
[[nodiscard]] Command block_command();
[[nodiscard]] Command unblock_command();

// The registry: every command, in the order !HELP lists them.
[[nodiscard]] std::vector<Command> registry();

}  // namespace seshat::core::builtin
