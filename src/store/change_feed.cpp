#include "store/change_feed.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

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

void ChangeFeed::publish_line(ChatId chat, const Message& line, std::string_view sender_stream) {
  for (const auto& entry : listeners()) {
    if (entry.lines)
      (*entry.lines)(chat, line, sender_stream);
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

// Reads whatever inotify queued; true if there was something.
bool drain(int fd) {
  alignas(inotify_event) char buffer[4096];
  bool any = false;
  while (::read(fd, buffer, sizeof buffer) > 0) any = true;
  return any;
}

}  // namespace

DataVersionWatcher::DataVersionWatcher(std::unique_ptr<Store> store, ChangeFeed& feed,
                                       std::chrono::milliseconds period,
                                       const std::string& wal_file)
    : m_store(std::move(store)), m_feed(feed), m_period(period) {
  if (!wal_file.empty()) {
    m_writes = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    m_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_writes < 0 || m_wake < 0 ||
        inotify_add_watch(m_writes, wal_file.c_str(), IN_MODIFY) < 0) {
      if (m_writes >= 0) ::close(std::exchange(m_writes, -1));  // poll, as without the file
    }
  }
  // The first readings are taken here, so a commit made after construction is never missed.
  m_thread = std::thread([this, wal_file, seen = read_version(*m_store),
                          logged = m_store->log_chat_changes()]() mutable {
    pthread_setname_np(pthread_self(), "seshat-watch");
    using Clock = std::chrono::steady_clock;
    auto prune_at = Clock::now();
    auto busy_at = Clock::now();  // the last write or change seen
    while (!m_stop.load(std::memory_order_relaxed)) {
      if (m_writes < 0 || Clock::now() - busy_at < k_busy_window) {
        std::this_thread::sleep_for(m_period);
        if (m_writes >= 0 && drain(m_writes)) busy_at = Clock::now();
      } else {
        pollfd fds[] = {{m_writes, POLLIN, 0}, {m_wake, POLLIN, 0}};
        const auto ready =
            ::poll(fds, 2, static_cast<int>(std::chrono::milliseconds(k_rest_check).count()));
        if (ready < 0) continue;  // interrupted
        if (ready == 0) {
          // Watch the file again in case it was made anew (the same file: no change); look.
          (void)inotify_add_watch(m_writes, wal_file.c_str(), IN_MODIFY);
        } else if (drain(m_writes)) {
          busy_at = Clock::now();  // its commit may not be visible yet: the polling above sees it
        } else {
          continue;  // the destructor's wake
        }
      }
      const auto now = read_version(*m_store);
      if (!now) {
        seen.reset();  // what happened meanwhile is unknown: report the next reading
        continue;
      }
      if (now == seen) continue;
      seen = now;
      busy_at = Clock::now();
      try {
        auto changes = m_store->chat_changes_after(logged, k_changes_per_read);
        logged = changes.last;
        if (!changes.complete) {
          m_feed.publish(any_chat);
        } else {
          for (const auto chat : changes.chats) m_feed.publish(chat);
        }
        if (const auto at = Clock::now(); at >= prune_at) {
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
  if (m_wake >= 0) (void)eventfd_write(m_wake, 1);
  m_thread.join();
  if (m_writes >= 0) ::close(m_writes);
  if (m_wake >= 0) ::close(m_wake);
}

}  // namespace seshat::store
