#include "http/waiters.hpp"

namespace seshat::http {

void WaiterRegistry::join(core::ChatId chat, Waiter* waiter, std::weak_ptr<Waiter> handle) {
  std::lock_guard lock(m_mutex);
  const auto [first, last] = m_waiters.equal_range(chat);
  for (auto found = first; found != last; ++found) {
    if (found->second.waiter == waiter) {
      found->second.handle = std::move(handle);
      return;
    }
  }
  m_waiters.emplace(chat, Entry{waiter, std::move(handle)});
}

void WaiterRegistry::leave(core::ChatId chat, Waiter* waiter) {
  std::lock_guard lock(m_mutex);
  const auto [first, last] = m_waiters.equal_range(chat);
  for (auto found = first; found != last; ++found) {
    if (found->second.waiter == waiter) {
      m_waiters.erase(found);
      return;
    }
  }
}

std::vector<std::shared_ptr<Waiter>> WaiterRegistry::live(core::ChatId chat) const {
  std::vector<std::shared_ptr<Waiter>> found;
  std::lock_guard lock(m_mutex);
  auto collect = [&](const auto& first, const auto& last) {
    for (auto entry = first; entry != last; ++entry) {
      if (auto waiter = entry->second.handle.lock()) found.push_back(std::move(waiter));
    }
  };
  if (chat == 0) {
    collect(m_waiters.begin(), m_waiters.end());
  } else {
    const auto [first, last] = m_waiters.equal_range(chat);
    collect(first, last);
  }
  return found;
}

void WaiterRegistry::wake(core::ChatId chat) {
  for (const auto& waiter : live(chat)) waiter->wake();
}

void WaiterRegistry::hand_line(core::ChatId chat, const store::Message& line,
                               std::string_view sender_stream) {
  for (const auto& waiter : live(chat)) waiter->take_line(line, sender_stream);
}

std::vector<core::ChatId> WaiterRegistry::chats() const {
  std::lock_guard lock(m_mutex);
  std::vector<core::ChatId> result;
  // The waiters of one chat are next to each other (std::unordered_multimap keeps equal keys
  // together).
  for (const auto& [id, entry] : m_waiters) {
    if (result.empty() || result.back() != id) result.push_back(id);
  }
  return result;
}

std::size_t WaiterRegistry::size() const {
  std::lock_guard lock(m_mutex);
  return m_waiters.size();
}

}  // namespace seshat::http
