#include "app/log_limiter.hpp"

namespace seshat::app {

std::optional<std::string> LogLimiter::admit(const std::string& line, Clock::time_point now) {
  std::string key = line;
  if (!m_kinds.contains(key) && m_kinds.size() >= m_max_kinds) {
    std::erase_if(m_kinds, [&](const auto& entry) {
      return now - entry.second.period_start >= m_period && entry.second.suppressed == 0;
    });
    if (m_kinds.size() >= m_max_kinds) key = "(other senders)";
  }
  const auto suffix = key == line ? "" : " (and lines like it from other senders)";
  auto [found, inserted] = m_kinds.try_emplace(key, Kind{now, 0, 0});
  auto& kind = found->second;
  if (!inserted && now - kind.period_start >= m_period) {
    std::string out = line + suffix;
    if (kind.suppressed > 0) {
      const auto seconds =
          std::chrono::duration_cast<std::chrono::seconds>(now - kind.period_start).count();
      out += " (" + std::to_string(kind.suppressed) + " more like it left out in the last " +
             std::to_string(seconds) + " s)";
    }
    kind = Kind{now, 1, 0};
    return out;
  }
  if (kind.logged < m_burst) {
    ++kind.logged;
    return line + suffix;
  }
  ++kind.suppressed;
  return std::nullopt;
}

}  // namespace seshat::app
