#include "store/checkpointer.hpp"

#include <pthread.h>

namespace seshat::store {

Checkpointer::Checkpointer(std::unique_ptr<Store> store, std::chrono::milliseconds period)
    : m_store(std::move(store)), m_period(period), m_thread([this] { run(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_one();
  m_thread.join();
}

std::uint64_t Checkpointer::runs() const {
  std::lock_guard lock(m_mutex);
  return m_runs;
}

void Checkpointer::run() {
  pthread_setname_np(pthread_self(), "seshat-ckpt");
  std::unique_lock lock(m_mutex);
  while (!m_wake.wait_for(lock, m_period, [this] { return m_stop; })) {
    lock.unlock();
    bool ran = false;
    try {
      // Nothing committed since the last one: nothing to copy.
      const auto version = m_store->data_version();
      if (version != m_checkpointed_version) {
        ran = true;
        m_store->checkpoint();
        m_checkpointed_version = version;
      }
    } catch (const StoreError&) {
      // Busy or failing: the next period tries again, and SQLite's own checkpoint still works.
    }
    lock.lock();
    if (ran) ++m_runs;
  }
}

}  // namespace seshat::store
