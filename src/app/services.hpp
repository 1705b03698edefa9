#pragma once
// Wires the parts of each mode and runs them until SIGINT or SIGTERM.

#include "app/config.hpp"

namespace seshat::app {

enum class Mode {
  broker,  // the broker bot alone; learns of the gateway's writes by watching the database
  web,     // the HTTP gateway alone; learns of the broker's writes by watching the database
  serve,   // both in one process, sharing an in-process change feed (no watching)
};

// Returns the process exit code.
[[nodiscard]] int run_services(Mode mode, const Config& config);

}  // namespace seshat::app
