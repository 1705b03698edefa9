#pragma once
// SIGINT and SIGTERM as an orderly shutdown request. Block them before any thread starts (so
// every thread inherits the mask), then wait for one on the main thread.

#include <csignal>

namespace seshat::app {

// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts later), and
// ignores SIGPIPE (a peer gone mid-write is an error code, not a death).
void block_shutdown_signals();
// Waits for SIGINT or SIGTERM and returns its number.
int wait_for_shutdown_signal();

}  // namespace seshat::app
