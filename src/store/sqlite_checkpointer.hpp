#pragma once
// Copies the write-ahead log into the database file on a thread of its own, with a connection of
// its own. A checkpoint syncs the log and the file to disk (6-9 ms on the benchmark's disk at
// 2,000 pages of log): run by the thread whose commit filled the log, it held up every message
// that thread carried meanwhile (the slowest 1% of the relay, bench/rounds.md).
//
// Passive: it never waits for readers nor blocks writers. Except near a full disk: a commit that
// fails there can leave whole frames in the log past its end, and a checkpoint running beside it
// was seen to make such a refused message visible (the disk-full fault test, under load). So when
// the disk is nearly full the checkpoint holds the writers' lock, and after a write transaction
// that did not commit none runs until one does.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace seshat::store::sqlite {

class Checkpointer {
 public:
  // `writers`: the lock every writer of this process on `path` takes (Database::writers()).
  Checkpointer(std::string path, std::timed_mutex& writers);
  ~Checkpointer();  // stops and joins; a checkpoint under way finishes first
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // A commit found the log full: checkpoint soon. Returns at once (copies here only when no
  // thread can be started).
  void request();
  // A write transaction ended without committing (under the writers' lock): no checkpoint until
  // a commit succeeds again.
  void write_failed();
  void commit_succeeded();
  // Until nothing is requested or running (tests, and to see the file settled).
  void wait_idle();

  // Free bytes under which a checkpoint waits for the writers instead of running beside them.
  static constexpr std::uint64_t k_low_disk_bytes = 64ULL << 20;

 private:
  void run();
  void checkpoint();

  std::string m_path;
  std::timed_mutex& m_writers;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::condition_variable m_idle;
  bool m_requested = false;
  bool m_running = false;
  bool m_stop = false;
  bool m_held = false;      // a write failed since the last commit
  std::mutex m_copying;     // one copy at a time on m_db
  sqlite3* m_db = nullptr;  // its own connection
  std::thread m_thread;     // started by the first request
};

}  // namespace seshat::store::sqlite
