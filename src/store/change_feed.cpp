#include "store/change_feed.hpp"

#include <pthread.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <utility>

namespace seshat::store {

ChangeFeed::Subscription::Subscription(Subscription&& other) noexcept
    : m_feed(std::exchange(other.m_feed, nullptr)), m_id(other.m_id) {}

ChangeFeed::Subscription& ChangeFeed::Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    m_feed = std::exchange(other.m_feed, nullptr);
    m_id = other.m_id;
  }
  return *this;
}

void ChangeFeed::Subscription::reset() {
  if (m_feed) std::exchange(m_feed, nullptr)->unsubscribe(m_id);
}

ChangeFeed::Subscription ChangeFeed::subscribe(Listener listener, LineListener lines) {
  std::lock_guard lock(m_mutex);
  auto id = m_next_id++;
  m_listeners.push_back({id, std::make_shared<const Listener>(std::move(listener)),
                         lines ? std::make_shared<const LineListener>(std::move(lines)) : nullptr});
  return Subscription(this, id);
}

void ChangeFeed::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(m_mutex);
  std::erase_if(m_listeners, [id](const auto& entry) { return entry.id == id; });
}

std::vector<ChangeFeed::Entry> ChangeFeed::listeners() {
  // Copied under the lock, called outside it: a listener may subscribe or unsubscribe.
  std::lock_guard lock(m_mutex);
  return m_listeners;
}

void ChangeFeed::publish(ChatId chat) {
  for (const auto& entry : listeners()) (*entry.listener)(chat);
}

void ChangeFeed::publish_line(ChatId chat, const Message& line) {
  for (const auto& entry : listeners()) {
    if (entry.lines)
      (*entry.lines)(chat, line);
    else
      (*entry.listener)(chat);
  }
}

void ChangeFeed::publish_all(std::vector<ChatId>& chats) {
  std::sort(chats.begin(), chats.end());
  chats.erase(std::unique(chats.begin(), chats.end()), chats.end());
  for (const auto chat : chats) publish(chat);
  chats.clear();
}

namespace {

// A failing read (database busy past the timeout, disk trouble) must not end the process: the
// watcher tries again next period.
std::optional<std::int64_t> read_version(Store& store) {
  try {
    return store.data_version();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

DataVersionWatcher::DataVersionWatcher(std::unique_ptr<Store> store, ChangeFeed& feed,
                                       std::chrono::milliseconds period)
    : m_store(std::move(store)), m_feed(feed), m_period(period) {
  // The first readings are taken here, so a commit made after construction is never missed.
  m_thread = std::thread(
      [this, seen = read_version(*m_store), logged = m_store->log_chat_changes()]() mutable {
        pthread_setname_np(pthread_self(), "seshat-watch");
        auto prune_at = std::chrono::steady_clock::now();
        while (!m_stop.load(std::memory_order_relaxed)) {
          std::this_thread::sleep_for(m_period);
          const auto now = read_version(*m_store);
          if (!now) {
            seen.reset();  // what happened meanwhile is unknown: report the next reading
            continue;
          }
          if (now == seen) continue;
          seen = now;
          try {
            auto changes = m_store->chat_changes_after(logged, k_changes_per_read);
            logged = changes.last;
            if (!changes.complete) {
              m_feed.publish(any_chat);
            } else {
              for (const auto chat : changes.chats) m_feed.publish(chat);
            }
            if (const auto at = std::chrono::steady_clock::now(); at >= prune_at) {
              m_store->prune_chat_changes(k_changes_kept);
              prune_at = at + k_prune_period;
            }
          } catch (const std::exception&) {
            seen.reset();
            m_feed.publish(any_chat);  // the log could not be read: any chat may have changed
          }
        }
      });
}

DataVersionWatcher::~DataVersionWatcher() {
  m_stop = true;
  m_thread.join();
}

}  // namespace seshat::store
