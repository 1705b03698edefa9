#include "app/fd_limit.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace seshat::app {

FdLimit raise_fd_limit() {
  FdLimit result;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    result.error = std::strerror(errno);
    return result;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      limit = raised;
      result.raised = true;
    } else {
      result.error = std::strerror(errno);
    }
  }
  result.soft = limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : limit.rlim_cur;
  result.hard = limit.rlim_max == RLIM_INFINITY ? UINT64_MAX : limit.rlim_max;
  return result;
}

std::uint64_t connections_allowed(const FdLimit& limit) {
  if (limit.soft <= k_fds_for_the_rest + 1) return 1;
  return limit.soft - k_fds_for_the_rest;
}

}  // namespace seshat::app
