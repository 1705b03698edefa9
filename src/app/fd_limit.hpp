#pragma once
// The process's descriptor limit (RLIMIT_NOFILE) and what it allows the HTTP gateway to hold.
// At start the soft limit is raised to the hard limit: the default soft limit (1,024 on most
// systems) would otherwise run out long before max_connections.

#include <cstdint>
#include <string>

namespace seshat::app {

struct FdLimit {
  std::uint64_t soft = 0;  // after raising
  std::uint64_t hard = 0;
  bool raised = false;  // the soft limit was below the hard one and was raised
  std::string error;    // why raising failed, if it did
};

// Raises the soft limit to the hard limit (or to what the system allows) and reports both.
[[nodiscard]] FdLimit raise_fd_limit();

// Descriptors kept for everything but HTTP connections (the database files, the XMPP socket,
// the event loop, logs, refusals in progress).
inline constexpr std::uint64_t k_fds_for_the_rest = 64;

// The connections `limit` allows: the soft limit minus k_fds_for_the_rest (at least 1).
[[nodiscard]] std::uint64_t connections_allowed(const FdLimit& limit);

}  // namespace seshat::app
