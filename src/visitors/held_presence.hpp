#pragma once
// Presence held by a gateway: while one of a visitor's event streams is open here, their page is
// there. The gateway says so once per chat (Store::hold_visitor) and refreshes one row of its
// own every k_gateway_refresh_ms, instead of writing every stream's presence at every
// heartbeat: among 10,000 idle streams that was 1,700 writes a second. If the gateway stops
// without letting go, the broker reaps its row (Store::reap_gateways) and its visitors count as
// seen when it last was.
//
// Counted per chat (a visitor may have several streams). A write that fails is kept and tried
// again at the next refresh, so the store catches up with the count. Used from one thread, the
// gateway's database thread; the Store must outlive it.

#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>

#include "store/store.hpp"

namespace seshat::visitors {

class HeldPresence {
 public:
  explicit HeldPresence(store::Store& store) : m_store(store) {}

  // One more (+1) or one fewer (-1) stream of `chat` open here.
  void count(core::ChatId chat, int streams);
  // Writes what the counts changed since the last time; each write is its own transaction.
  void write(store::Millis now);
  // Every k_gateway_refresh_ms: the gateway's row (added again, with every hold, if the broker
  // reaped it meanwhile), then what write() could not store.
  void refresh(store::Millis now);
  // The gateway stops: lets go of every chat and of its row.
  void let_go_all(store::Millis now);

  [[nodiscard]] std::size_t held() const { return m_streams.size(); }

 private:
  [[nodiscard]] bool add_gateway(store::Millis now);

  store::Store& m_store;
  std::optional<std::int64_t> m_gateway;            // added at the first hold
  std::unordered_map<core::ChatId, int> m_streams;  // chats with streams open here
  std::set<core::ChatId> m_unwritten;  // the store does not have their hold (or its end) yet
};

}  // namespace seshat::visitors
