#pragma once
// Latency samples and the clock they are taken with. Every process on the machine reads the same
// CLOCK_MONOTONIC, so a timestamp written into a message by one process can be compared with the
// receiver's clock in another.

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace seshat::bench {

[[nodiscard]] inline std::int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

struct Summary {
  std::size_t count = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  // The distribution for pictures: (percentile, ms) at fixed percentiles, max last.
  std::vector<std::pair<double, double>> points;
};

// Percentiles the distribution is kept at (bench/run.py draws them).
inline constexpr double k_percentiles[] = {0,  1,  5,  10, 20,   30, 40,   50,   60,
                                           70, 80, 90, 95, 97.5, 99, 99.5, 99.9, 100};

[[nodiscard]] inline Summary summarize(std::vector<std::int64_t> values) {
  Summary result;
  result.count = values.size();
  if (values.empty()) return result;
  std::sort(values.begin(), values.end());
  const auto at = [&](double fraction) {
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1));
    return static_cast<double>(values[index]) / 1e6;
  };
  result.p50_ms = at(0.50);
  result.p99_ms = at(0.99);
  result.max_ms = static_cast<double>(values.back()) / 1e6;
  for (const double percentile : k_percentiles)
    result.points.emplace_back(percentile, at(percentile / 100));
  return result;
}

// Samples recorded by one thread and read by another once the phase is over; the mutex keeps
// the rare cross-thread read safe.
class Samples {
 public:
  void add(std::int64_t nanoseconds) {
    const std::int64_t now = monotonic_ns();
    const std::lock_guard lock(m_mutex);
    m_values.push_back(nanoseconds);
    m_arrivals.push_back(now);
  }

  // (arrival, latency) of each sample in the order taken: where the slow ones fall in time.
  [[nodiscard]] std::vector<std::pair<std::int64_t, std::int64_t>> timeline() const {
    const std::lock_guard lock(m_mutex);
    std::vector<std::pair<std::int64_t, std::int64_t>> result;
    result.reserve(m_values.size());
    for (std::size_t i = 0; i < m_values.size(); ++i)
      result.emplace_back(m_arrivals[i], m_values[i]);
    return result;
  }

  [[nodiscard]] std::vector<std::int64_t> values() const {
    const std::lock_guard lock(m_mutex);
    return m_values;
  }

  [[nodiscard]] Summary summary() const { return summarize(values()); }

  // This distribution and another's as one (a's steady messages and the first after each accept).
  [[nodiscard]] Summary summary_with(const Samples& other) const {
    auto all = values();
    const auto more = other.values();
    all.insert(all.end(), more.begin(), more.end());
    return summarize(std::move(all));
  }

 private:
  mutable std::mutex m_mutex;
  std::vector<std::int64_t> m_values;
  std::vector<std::int64_t> m_arrivals;
};

// The text of a timed message: "t=<send ns> s=<seq> p=<phase>".
[[nodiscard]] inline std::string timed_text(int phase, std::int64_t seq) {
  return "t=" + std::to_string(monotonic_ns()) + " s=" + std::to_string(seq) +
         " p=" + std::to_string(phase);
}

struct TimedText {
  std::int64_t sent_ns = 0;
  std::int64_t seq = 0;
  int phase = 0;
};

// Parses timed_text(); false for any other text (system notices and the like).
[[nodiscard]] inline bool parse_timed(std::string_view text, TimedText& out) {
  if (text.substr(0, 2) != "t=") return false;
  out.sent_ns = std::strtoll(std::string(text.substr(2, 24)).c_str(), nullptr, 10);
  const auto phase = text.find(" p=");
  if (phase == std::string_view::npos) return false;
  out.phase = static_cast<int>(text[phase + 3] - '0');
  if (const auto seq = text.find(" s="); seq != std::string_view::npos)
    out.seq = std::strtoll(std::string(text.substr(seq + 3, 20)).c_str(), nullptr, 10);
  return out.sent_ns > 0;
}

}  // namespace seshat::bench
