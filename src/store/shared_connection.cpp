#include "store/shared_connection.hpp"

#include <chrono>
#include <mutex>
#include <utility>

#include "store/forwarding_store.hpp"
#include "store/sqlite_db.hpp"

namespace seshat::store {

struct SharedConnection::Shared {
  std::shared_ptr<Store> store;
  std::recursive_timed_mutex turn;  // recursive: a batch's owner calls on inside it
};

namespace {

using Held = std::unique_lock<std::recursive_timed_mutex>;

// Holds the connection until committed or ended. The batch inside ends before the turn does.
class HeldBatch final : public Batch {
 public:
  HeldBatch(Held held, std::unique_ptr<Batch> batch)
      : m_held(std::move(held)), m_batch(std::move(batch)) {}

  void commit() override {
    m_batch->commit();
    m_batch.reset();
    m_held.unlock();
  }
  [[nodiscard]] bool intact() const override { return !m_batch || m_batch->intact(); }

 private:
  Held m_held;
  std::unique_ptr<Batch> m_batch;
};

class User final : public ForwardingStore {
 public:
  explicit User(std::shared_ptr<SharedConnection::Shared> shared)
      : ForwardingStore(shared->store), m_shared(std::move(shared)) {}

  std::unique_ptr<Batch> begin_batch() override {
    auto held = enter();
    return std::make_unique<HeldBatch>(std::move(held), real().begin_batch());
  }

  std::unique_ptr<Batch> try_begin_batch() override {
    Held held(m_shared->turn, std::try_to_lock);
    if (!held.owns_lock()) return nullptr;
    auto batch = real().try_begin_batch();
    if (!batch) return nullptr;
    return std::make_unique<HeldBatch>(std::move(held), std::move(batch));
  }

 private:
  Held enter() override {
    Held held(m_shared->turn, std::defer_lock);
    if (!held.try_lock_for(std::chrono::milliseconds(sqlite::k_busy_timeout_ms)))
      throw StoreError("the store's connection was held too long by another of its users");
    return held;
  }

  std::shared_ptr<SharedConnection::Shared> m_shared;
};

}  // namespace

SharedConnection::SharedConnection(std::unique_ptr<Store> store)
    : m_shared(std::make_shared<Shared>()) {
  m_shared->store = std::move(store);
}

std::unique_ptr<Store> SharedConnection::user() const {
  return std::make_unique<User>(m_shared);
}

}  // namespace seshat::store
