#include "http/waiters.hpp"

namespace seshat::http {

void WaiterRegistry::join(core::ChatId chat, Waiter* waiter, std::weak_ptr<Waiter> handle) {
  std::lock_guard lock(m_mutex);
  if (m_waiters[chat].insert_or_assign(waiter, std::move(handle)).second) ++m_size;
}

void WaiterRegistry::leave(core::ChatId chat, Waiter* waiter) {
  std::lock_guard lock(m_mutex);
  const auto found = m_waiters.find(chat);
  if (found == m_waiters.end()) return;
  if (found->second.erase(waiter) > 0) --m_size;
  if (found->second.empty()) m_waiters.erase(found);
}

void WaiterRegistry::wake(core::ChatId chat) {
  std::vector<std::shared_ptr<Waiter>> woken;
  {
    std::lock_guard lock(m_mutex);
    auto collect = [&](const auto& waiters) {
      for (const auto& [raw, handle] : waiters) {
        if (auto waiter = handle.lock()) woken.push_back(std::move(waiter));
      }
    };
    if (chat == 0) {
      for (const auto& [id, waiters] : m_waiters) collect(waiters);
    } else if (const auto found = m_waiters.find(chat); found != m_waiters.end()) {
      collect(found->second);
    }
  }
  for (const auto& waiter : woken) waiter->wake();
}

std::vector<core::ChatId> WaiterRegistry::chats() const {
  std::lock_guard lock(m_mutex);
  std::vector<core::ChatId> result;
  result.reserve(m_waiters.size());
  for (const auto& [id, waiters] : m_waiters) result.push_back(id);
  return result;
}

std::size_t WaiterRegistry::size() const {
  std::lock_guard lock(m_mutex);
  return m_size;
}

}  // namespace seshat::http
