#include "base/histogram.hpp"

namespace seshat::base {

void Histogram::observe(std::chrono::nanoseconds duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  std::size_t bucket = 0;
  while (bucket < k_buckets.size() && seconds > k_buckets[bucket]) ++bucket;
  m_buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  m_count.fetch_add(1, std::memory_order_relaxed);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
  m_sum_us.fetch_add(static_cast<std::uint64_t>(micros < 0 ? 0 : micros),
                     std::memory_order_relaxed);
}

void Histogram::render(std::ostream& out, std::string_view name, std::string_view labels) const {
  const std::string_view comma = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < m_buckets.size(); ++i) {
    cumulative += m_buckets[i].load(std::memory_order_relaxed);
    out << name << "_bucket{" << labels << comma << "le=\"";
    if (i < k_buckets.size()) {
      out << k_buckets[i];
    } else {
      out << "+Inf";
    }
    out << "\"} " << cumulative << '\n';
  }
  const std::string_view open = labels.empty() ? "" : "{";
  const std::string_view close = labels.empty() ? "" : "}";
  out << name << "_sum" << open << labels << close << ' '
      << static_cast<double>(m_sum_us.load(std::memory_order_relaxed)) / 1e6 << '\n'
      << name << "_count" << open << labels << close << ' '
      << m_count.load(std::memory_order_relaxed) << '\n';
}

}  // namespace seshat::base
