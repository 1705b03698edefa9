#include "xmpp/backoff.hpp"

#include <algorithm>

namespace seshat::xmpp {
namespace {
constexpr int k_max_doublings = 30;  // keeps the shift below overflow whatever min is
}

Backoff::Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
    : m_min(std::max(min, std::chrono::milliseconds(1))),
      m_max(std::max(max, m_min)),
      m_random(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next() {
  const auto doublings = std::min(m_attempt, k_max_doublings);
  const auto step = std::min<long long>(m_min.count() << doublings, m_max.count());
  if (m_attempt < k_max_doublings) ++m_attempt;
  std::uniform_int_distribution<long long> jitter(step / 2, step);
  return std::chrono::milliseconds(jitter(m_random));
}

}  // namespace seshat::xmpp
