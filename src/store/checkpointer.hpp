#pragma once
// Keeps the write-ahead log short from a thread of its own. SQLite's automatic checkpoint runs
// inside whichever commit makes the log cross 1,000 pages, and stalls that request for
// milliseconds (it was the slowest 1% of relayed messages); checkpointing every `period` here
// leaves it nothing to do. Passive: it never waits for readers nor blocks writers.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "store/store.hpp"

namespace seshat::store {

class Checkpointer {
 public:
  Checkpointer(std::unique_ptr<Store> store, std::chrono::milliseconds period);
  ~Checkpointer();  // stops and joins at once
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // How many checkpoints were run, failed ones included (a busy database is tried again
  // later); a period with no commit since the last one runs none.
  [[nodiscard]] std::uint64_t runs() const;

 private:
  void run();

  std::unique_ptr<Store> m_store;
  std::chrono::milliseconds m_period;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::uint64_t m_runs = 0;
  std::int64_t m_checkpointed_version = -1;
  std::thread m_thread;
};

}  // namespace seshat::store
