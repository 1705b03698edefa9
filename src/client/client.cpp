// seshat::Client: the public C++ API, a thin wrapper around Visitors that adds a mutex (so
// threads may share a Client), waiting fetches, and exceptions instead of Result values.

#include "seshat/client.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>

#include "base/time_format.hpp"
#include "store/change_feed.hpp"
#include "visitors/visitors.hpp"

namespace seshat {
namespace {

// Often enough that a wait ends within a few milliseconds of another process's commit.
constexpr std::chrono::milliseconds k_watch_period{2};

// seshat::ErrorCode lists base::Error's failures in the same order (base/error.hpp).
ErrorCode to_public(base::Error error) {
  return static_cast<ErrorCode>(static_cast<int>(error));
}

template <class T>
T value_or_throw(base::Result<T> result) {
  if (!result) throw Error(to_public(result.failure().code), result.failure().message);
  return std::move(result).value();
}

std::unique_ptr<store::Store> open_store(const std::string& path) {
  try {
    return store::open_sqlite_store(path);
  } catch (const store::StoreError& error) {
    throw Error(ErrorCode::unavailable,
                "Cannot open the chat database '" + path + "': " + error.what());
  }
}

Messages to_public(visitors::Transcript transcript) {
  Messages messages;
  messages.status = std::string(core::to_string(transcript.status));
  messages.position = transcript.position.value_or(0);
  messages.messages.reserve(transcript.messages.size());
  for (auto& message : transcript.messages) {
    messages.messages.push_back(
        Message{message.seq, std::string(core::to_string(message.from)), std::move(message.text),
                std::chrono::system_clock::time_point(std::chrono::milliseconds(message.at))});
  }
  return messages;
}

// Counts the changes published for one chat, so a waiting fetch can tell whether something
// happened since it last read (no lost wake-up between reading and waiting).
struct ChangeCounter {
  std::mutex mutex;
  std::condition_variable changed;
  std::uint64_t changes = 0;

  [[nodiscard]] std::uint64_t current() {
    std::lock_guard lock(mutex);
    return changes;
  }
  void bump() {
    {
      std::lock_guard lock(mutex);
      ++changes;
    }
    changed.notify_all();
  }
  void wait_for_change(std::uint64_t seen, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex);
    changed.wait_until(lock, deadline, [&] { return changes != seen; });
  }
};

}  // namespace

struct Client::Impl {
  explicit Impl(const std::string& path)
      : store(open_store(path)),
        visitors(*store, &feed),
        watcher(open_store(path), feed, k_watch_period) {}

  std::mutex mutex;  // one caller at a time on `store` and `visitors`
  std::unique_ptr<store::Store> store;
  store::ChangeFeed feed;  // this Client's writes, and other connections' commits (watcher)
  visitors::Visitors visitors;
  store::DataVersionWatcher watcher;  // declared last: stops before the feed goes away

  template <class Operation>
  auto locked(Operation operation) {
    std::lock_guard lock(mutex);
    return operation(visitors);
  }
};

Client::Client(const std::string& sqlite_path) : m_impl(std::make_unique<Impl>(sqlite_path)) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

ChatTicket Client::start_chat(std::string_view name, std::string_view message,
                              std::string_view page, std::string_view email) {
  auto ticket = value_or_throw(m_impl->locked(
      [&](visitors::Visitors& visitors) { return visitors.start(name, message, page, email); }));
  return ChatTicket{ticket.id, std::move(ticket.token)};
}

std::int64_t Client::send(std::int64_t id, std::string_view token, std::string_view text) {
  return value_or_throw(
      m_impl->locked([&](visitors::Visitors& visitors) { return visitors.send(id, token, text); }));
}

Messages Client::fetch(std::int64_t id, std::string_view token, std::int64_t after,
                       std::chrono::milliseconds wait) {
  auto read = [&] {
    return value_or_throw(m_impl->locked(
        [&](visitors::Visitors& visitors) { return visitors.read(id, token, after); }));
  };
  if (wait <= std::chrono::milliseconds(0)) return to_public(read());

  const auto deadline = std::chrono::steady_clock::now() + wait;
  auto counter = std::make_shared<ChangeCounter>();
  const auto subscription = m_impl->feed.subscribe([counter, id](store::ChatId chat) {
    if (chat == id || chat == store::any_chat) counter->bump();
  });
  std::optional<core::VisitorStatus> first_status;
  for (;;) {
    const auto seen = counter->current();  // before reading: a change after it wakes us
    auto transcript = read();
    if (!first_status) first_status = transcript.status;
    if (!transcript.messages.empty() || transcript.status != *first_status ||
        transcript.status == core::VisitorStatus::closed ||
        std::chrono::steady_clock::now() >= deadline)
      return to_public(std::move(transcript));
    counter->wait_for_change(seen, deadline);
  }
}

void Client::end(std::int64_t id, std::string_view token) {
  (void)value_or_throw(
      m_impl->locked([&](visitors::Visitors& visitors) { return visitors.close(id, token); }));
}

Availability Client::availability() {
  const auto availability = value_or_throw(
      m_impl->locked([](visitors::Visitors& visitors) { return visitors.availability(); }));
  return Availability{availability.available, availability.operators, availability.free};
}

std::string format_time(std::chrono::system_clock::time_point time) {
  return base::format_rfc3339(
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count());
}

}  // namespace seshat
