#pragma once
// Caps on what one process holds open: connections in total, connections per client address,
// and event streams plus long-polls per chat. Plain counters under a mutex, no sockets, so the
// rules are unit-tested without a network. Thread-safe.
//
// Admission: a connection under both caps is `normal`. One over a cap goes to a small reserve,
// when it has room, where only /healthz and /metrics are answered (anything else gets the
// refusal as JSON): a monitor keeps its answer while the normal slots are full, even from the
// attacker's own address. With the reserve full too, the connection is `refused`: the gateway
// writes a minimal response and closes at once, without reading. Every admitted connection
// calls release() with the same address and admission exactly once.

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/chat.hpp"

namespace seshat::http {

struct ConnectionCaps {
  std::size_t max_connections = 20000;   // in total, the reserve included
  std::size_t max_per_address = 200;     // normal connections from one address; 0: no cap
  std::size_t max_streams_per_chat = 8;  // streams + long-polls waiting on one chat; 0: no cap
  std::size_t reserve = 32;              // of max_connections, kept for /healthz and /metrics
};

enum class Admission {
  normal,
  reserve_full,         // over the total cap: reserve slot (answers 503 except health)
  reserve_per_address,  // over the address's cap: reserve slot (answers 429 except health)
  refused_full,         // no slot at all: a fast 503
  refused_per_address,  // no slot at all: a fast 429
};

[[nodiscard]] constexpr bool is_reserve(Admission admission) {
  return admission == Admission::reserve_full || admission == Admission::reserve_per_address;
}
[[nodiscard]] constexpr bool is_refused(Admission admission) {
  return admission == Admission::refused_full || admission == Admission::refused_per_address;
}

class ConnectionLimits {
 public:
  explicit ConnectionLimits(ConnectionCaps caps);

  [[nodiscard]] Admission admit(const std::string& address);
  // For every admission that is not refused.
  void release(const std::string& address, Admission admission);

  // A waiting slot on `chat` (an event stream or a long-poll); false when the chat has
  // max_streams_per_chat already. Each true is matched by one release_stream().
  [[nodiscard]] bool take_stream(core::ChatId chat);
  void release_stream(core::ChatId chat);

  [[nodiscard]] const ConnectionCaps& caps() const { return m_caps; }
  [[nodiscard]] std::size_t normal() const;
  [[nodiscard]] std::size_t reserved() const;

 private:
  ConnectionCaps m_caps;
  std::size_t m_normal_cap;
  std::size_t m_reserve_cap;
  mutable std::mutex m_mutex;
  std::size_t m_normal = 0;
  std::size_t m_reserved = 0;
  std::unordered_map<std::string, std::size_t> m_per_address;  // normal connections only
  std::unordered_map<core::ChatId, std::size_t> m_streams;
};

}  // namespace seshat::http
