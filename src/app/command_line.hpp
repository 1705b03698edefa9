#pragma once
// The `seshat` command: `seshat broker|web|serve CONFIG SECTION [--log-level LEVEL]`.
// Exit codes: 0 after a clean shutdown, 1 when it could not run (store, network), 2 for a usage
// or configuration error.

namespace seshat::app {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failure = 1;
inline constexpr int k_exit_usage = 2;

[[nodiscard]] int run_command_line(int argc, char** argv);

}  // namespace seshat::app
