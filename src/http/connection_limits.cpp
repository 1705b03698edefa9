#include "http/connection_limits.hpp"

#include <algorithm>

namespace seshat::http {

ConnectionLimits::ConnectionLimits(ConnectionCaps caps)
    : m_caps(caps),
      // A tiny cap (tests) keeps at least one normal slot; the reserve takes what is left.
      m_normal_cap(caps.max_connections > caps.reserve
                       ? caps.max_connections - caps.reserve
                       : std::max<std::size_t>(1, caps.max_connections)),
      m_reserve_cap(caps.max_connections > m_normal_cap ? caps.max_connections - m_normal_cap : 0) {
}

Admission ConnectionLimits::admit(const std::string& address) {
  std::lock_guard lock(m_mutex);
  Admission over = Admission::normal;
  if (m_normal >= m_normal_cap) {
    over = Admission::reserve_full;
  } else if (m_caps.max_per_address > 0) {
    const auto found = m_per_address.find(address);
    if (found != m_per_address.end() && found->second >= m_caps.max_per_address)
      over = Admission::reserve_per_address;
  }
  if (over == Admission::normal) {
    ++m_normal;
    // Without a cap per address there is nothing to count them for (an idle stream's memory).
    if (m_caps.max_per_address > 0) ++m_per_address[address];
    return Admission::normal;
  }
  if (m_reserved < m_reserve_cap) {
    ++m_reserved;
    return over;
  }
  return over == Admission::reserve_full ? Admission::refused_full : Admission::refused_per_address;
}

void ConnectionLimits::release(const std::string& address, Admission admission) {
  std::lock_guard lock(m_mutex);
  if (is_reserve(admission)) {
    if (m_reserved > 0) --m_reserved;
    return;
  }
  if (admission != Admission::normal) return;
  if (m_normal > 0) --m_normal;
  const auto found = m_per_address.find(address);
  if (found != m_per_address.end() && --found->second == 0) m_per_address.erase(found);
}

bool ConnectionLimits::take_stream(core::ChatId chat) {
  if (m_caps.max_streams_per_chat == 0) return true;  // no cap: nothing to count
  std::lock_guard lock(m_mutex);
  auto& count = m_streams[chat];
  if (count >= m_caps.max_streams_per_chat) {
    if (count == 0) m_streams.erase(chat);
    return false;
  }
  ++count;
  return true;
}

void ConnectionLimits::release_stream(core::ChatId chat) {
  if (m_caps.max_streams_per_chat == 0) return;
  std::lock_guard lock(m_mutex);
  const auto found = m_streams.find(chat);
  if (found != m_streams.end() && --found->second == 0) m_streams.erase(found);
}

std::size_t ConnectionLimits::normal() const {
  std::lock_guard lock(m_mutex);
  return m_normal;
}

std::size_t ConnectionLimits::reserved() const {
  std::lock_guard lock(m_mutex);
  return m_reserved;
}

}  // namespace seshat::http
