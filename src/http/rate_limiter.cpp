#include "http/rate_limiter.hpp"

#include <algorithm>

namespace seshat::http {
double RateLimiter::refill(const Bucket& bucket, Clock::time_point now) const {
  const double minutes =
      std::chrono::duration<double, std::ratio<60>>(now - bucket.updated).count();
  return std::min<double>(m_per_minute, bucket.tokens + minutes * m_per_minute);
}

bool RateLimiter::take(const std::string& address, Clock::time_point now) {
  if (m_per_minute <= 0) return true;
  std::lock_guard lock(m_mutex);
  if (m_buckets.size() > m_sweep_above) {
    std::erase_if(m_buckets,
                  [&](const auto& entry) { return refill(entry.second, now) >= m_per_minute; });
    // Many addresses busy within a minute survive a sweep: the next one waits until their
    // number doubles, or every request would walk them all.
    m_sweep_above = std::max(k_min_sweep_above, 2 * m_buckets.size());
  }
  auto [found, inserted] = m_buckets.try_emplace(address, Bucket{double(m_per_minute), now});
  Bucket& bucket = found->second;
  if (!inserted) {
    bucket.tokens = refill(bucket, now);
    bucket.updated = now;
  }
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

bool RateLimiter::exhausted(const std::string& address, Clock::time_point now) {
  if (m_per_minute <= 0) return false;
  std::lock_guard lock(m_mutex);
  const auto found = m_buckets.find(address);
  return found != m_buckets.end() && refill(found->second, now) < 1.0;
}

}  // namespace seshat::http
