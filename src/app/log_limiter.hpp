#pragma once
// Bounds log lines that outsiders can cause (a stranger's XMPP messages): the first `burst`
// lines of a kind in a `period` are logged, the rest of that period left out; the first line of
// a later period says how many were left out. A kind is the line's text without the count (for
// "ignored: from X, who is not a configured operator" that is one kind per sender). Memory is
// bounded: beyond `max_kinds` kinds, the ones quiet for a period are forgotten; if all are recent,
// new kinds share one. Not thread-safe (the broker's thread uses it).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace seshat::app {

class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogLimiter(std::chrono::seconds period = std::chrono::seconds(60), std::size_t burst = 5,
                      std::size_t max_kinds = 4096)
      : m_period(period), m_burst(burst), m_max_kinds(max_kinds) {}

  // The line to log for `line` now, or nothing. A line after suppressed ones ends with
  // " (N more like it in the last P s)".
  [[nodiscard]] std::optional<std::string> admit(const std::string& line,
                                                 Clock::time_point now = Clock::now());

 private:
  struct Kind {
    Clock::time_point period_start;
    std::size_t logged = 0;  // in this period
    std::uint64_t suppressed = 0;
  };

  std::chrono::seconds m_period;
  std::size_t m_burst;
  std::size_t m_max_kinds;
  std::unordered_map<std::string, Kind> m_kinds;
};

}  // namespace seshat::app
