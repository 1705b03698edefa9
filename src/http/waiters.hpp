#pragma once
// Who waits for which chat: long-polls and event streams register here, and a change of a chat
// (published on the ChangeFeed) wakes its waiters, which then read again after their last seq.
//
// Ownership (as Beast's chat-multi shared_state): the registry holds raw pointers for lookup
// and weak_ptrs for waking; a waiter leaves in its destructor at the latest. wake() copies the
// live waiters under the lock and calls them after releasing it.

#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/chat.hpp"
#include "store/store.hpp"

namespace seshat::http {

class Waiter {
 public:
  virtual ~Waiter() = default;
  // Called on any thread (the publisher's): must only post work to the waiter's own executor.
  virtual void wake() = 0;
  // A new `line` was committed in the chat (ChangeFeed::publish_line), sent from the page
  // whose event stream is `sender_stream` (may be empty). A waiter that can send it on without
  // reading it back does; the others read as for any change.
  virtual void take_line(const store::Message& /*line*/, std::string_view /*sender_stream*/) {
    wake();
  }
};

class WaiterRegistry {
 public:
  void join(core::ChatId chat, Waiter* waiter, std::weak_ptr<Waiter> handle);
  void leave(core::ChatId chat, Waiter* waiter);

  // Wakes the waiters of `chat`; chat 0 (store::any_chat) wakes every waiter.
  void wake(core::ChatId chat);
  // Hands the waiters of `chat` a new line (Waiter::take_line).
  void hand_line(core::ChatId chat, const store::Message& line, std::string_view sender_stream);

  // The chats somebody waits for.
  [[nodiscard]] std::vector<core::ChatId> chats() const;
  [[nodiscard]] std::size_t size() const;

 private:
  struct Entry {
    Waiter* waiter;
    std::weak_ptr<Waiter> handle;
  };
  // The live waiters of `chat` (0: all), copied under the lock so that they are called outside it.
  [[nodiscard]] std::vector<std::shared_ptr<Waiter>> live(core::ChatId chat) const;

  mutable std::mutex m_mutex;
  // One node per waiter (a chat has a few at most): a map of maps cost an idle stream about
  // four times as much (a node, a bucket array of its own and an inner node).
  std::unordered_multimap<core::ChatId, Entry> m_waiters;
};

}  // namespace seshat::http
