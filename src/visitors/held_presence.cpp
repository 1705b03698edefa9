#include "visitors/held_presence.hpp"

namespace seshat::visitors {

void HeldPresence::count(core::ChatId chat, int streams) {
  int& open = m_streams[chat];
  const bool was_held = open > 0;
  open += streams;
  const bool held = open > 0;
  if (!held) m_streams.erase(chat);
  if (held != was_held) m_unwritten.insert(chat);
}

void HeldPresence::write(store::Millis now) {
  if (m_unwritten.empty() || !add_gateway(now)) return;
  // In batches: thousands of streams opening at once (a restart) cost a few commits, and each
  // batch holds the database's write lock briefly.
  constexpr std::size_t k_batch = 256;
  while (!m_unwritten.empty()) {
    auto chat = m_unwritten.begin();
    try {
      const auto batch = m_store.begin_batch();
      for (std::size_t n = 0; n < k_batch && chat != m_unwritten.end(); ++n, ++chat) {
        if (m_streams.contains(*chat)) {
          m_store.hold_visitor(*chat, *m_gateway);
        } else {
          m_store.let_go_visitor(*chat, *m_gateway, now);
        }
      }
      batch->commit();
    } catch (const store::StoreError&) {
      return;  // the database fails: all of it waits for the next refresh
    }
    m_unwritten.erase(m_unwritten.begin(), chat);
    m_store.checkpoint_if_due();  // a batch leaves it to its owner
  }
}

void HeldPresence::refresh(store::Millis now) {
  if (!m_gateway) return write(now);
  try {
    if (!m_store.refresh_gateway(*m_gateway, now)) {
      // Reaped: this gateway was stuck for k_gateway_stale_ms. Its holds went with its row.
      m_gateway.reset();
      for (const auto& [chat, streams] : m_streams) m_unwritten.insert(chat);
    }
  } catch (const store::StoreError&) {
    return;
  }
  write(now);
}

void HeldPresence::let_go_all(store::Millis now) {
  if (!m_gateway) return;
  try {
    m_store.remove_gateway(*m_gateway, now);
  } catch (const store::StoreError&) {
    // The broker reaps the row once it is stale: its visitors then count as seen before that.
  }
  m_gateway.reset();
  m_streams.clear();
  m_unwritten.clear();
}

bool HeldPresence::add_gateway(store::Millis now) {
  if (m_gateway) return true;
  try {
    m_gateway = m_store.add_gateway(now);
    return true;
  } catch (const store::StoreError&) {
    return false;
  }
}

}  // namespace seshat::visitors
