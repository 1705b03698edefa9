#pragma once
// A Prometheus histogram of durations: atomics any thread may bump, rendered as the _bucket,
// _sum and _count lines of one series. Used for request durations (gateway) and relay
// latencies (broker).

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string_view>

namespace seshat::base {

class Histogram {
 public:
  // Upper bounds in seconds; +Inf is implied.
  static constexpr std::array<double, 10> k_buckets{0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,  0.1,    0.25,  1.0,  5.0};

  void observe(std::chrono::nanoseconds duration);

  // `name` without a suffix ("seshat_relay_latency_seconds"); `labels` like `direction="x"`,
  // or empty. The caller writes the # HELP and # TYPE lines once per name.
  void render(std::ostream& out, std::string_view name, std::string_view labels = {}) const;

 private:
  std::array<std::atomic<std::uint64_t>, k_buckets.size() + 1> m_buckets{};
  std::atomic<std::uint64_t> m_count{0};
  std::atomic<std::uint64_t> m_sum_us{0};
};

}  // namespace seshat::base
