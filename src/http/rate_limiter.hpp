#pragma once
// At most `per_minute` events per client address in any minute (a token bucket that refills
// continuously): chat creation, wrong tokens. Thread-safe; memory bounded by forgetting addresses
// whose bucket is full again.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace seshat::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // per_minute <= 0: no limit.
  explicit RateLimiter(int per_minute) : m_per_minute(per_minute) {}

  // Takes one slot for `address` at `now`; false when none is left.
  [[nodiscard]] bool take(const std::string& address, Clock::time_point now = Clock::now());
  // Whether `address` has no slot left at `now` (takes nothing).
  [[nodiscard]] bool exhausted(const std::string& address, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  [[nodiscard]] double refill(const Bucket& bucket, Clock::time_point now) const;

  static constexpr std::size_t k_min_sweep_above = 4096;

  int m_per_minute;
  std::size_t m_sweep_above = k_min_sweep_above;  // more addresses: full buckets are forgotten
  std::mutex m_mutex;
  std::unordered_map<std::string, Bucket> m_buckets;
};

}  // namespace seshat::http
