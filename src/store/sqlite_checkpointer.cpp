#include "store/sqlite_checkpointer.hpp"

#include <pthread.h>
#include <sqlite3.h>
#include <sys/statvfs.h>

#include <filesystem>
#include <system_error>
#include <utility>

#include "store/sqlite_log_writes.hpp"

namespace seshat::store::sqlite {
namespace {

bool disk_nearly_full(const std::string& path) {
  auto folder = std::filesystem::path(path).parent_path();
  if (folder.empty()) folder = ".";
  struct statvfs disk {};
  if (::statvfs(folder.c_str(), &disk) != 0) return true;  // unknown: the careful way
  return std::uint64_t{disk.f_bavail} * disk.f_frsize < Checkpointer::k_low_disk_bytes;
}

}  // namespace

Checkpointer::Checkpointer(std::string path, std::timed_mutex& writers)
    : m_path(std::move(path)), m_writers(writers) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_one();
  if (m_thread.joinable()) m_thread.join();
  sqlite3_close(m_db);
}

void Checkpointer::request() {
  {
    std::lock_guard lock(m_mutex);
    if (m_stop) return;
    try {
      if (!m_thread.joinable()) m_thread = std::thread([this] { run(); });
      m_requested = true;
      m_wake.notify_one();
      return;
    } catch (const std::system_error&) {
      // No thread to be had: copy here rather than let the log grow without end.
    }
  }
  checkpoint();
}

void Checkpointer::write_failed() {
  std::lock_guard lock(m_mutex);
  m_held = true;
}

void Checkpointer::commit_succeeded() {
  std::lock_guard lock(m_mutex);
  m_held = false;
}

void Checkpointer::wait_idle() {
  std::unique_lock lock(m_mutex);
  m_idle.wait(lock, [this] { return !m_requested && !m_running; });
}

void Checkpointer::run() {
  pthread_setname_np(pthread_self(), "seshat-ckpt");
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_wake.wait(lock, [this] { return m_stop || m_requested; });
    if (m_stop) break;
    m_requested = false;
    m_running = true;
    lock.unlock();
    checkpoint();
    lock.lock();
    m_running = false;
    m_idle.notify_all();
  }
  m_requested = false;
  m_idle.notify_all();
}

void Checkpointer::checkpoint() {
  const std::lock_guard copying(m_copying);  // the thread, or a caller that could not start it
  std::unique_lock<std::timed_mutex> writers(m_writers, std::defer_lock);
  if (disk_nearly_full(m_path)) writers.lock();
  {
    std::lock_guard lock(m_mutex);
    if (m_held) return;  // the next successful commit asks again
  }
  int rc = SQLITE_OK;
  if (m_db == nullptr) {
    rc = sqlite3_open_v2(m_path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                         log_writes_vfs());
    // A connection finds the log only once it has read the file: until then it has nothing to
    // copy.
    if (rc == SQLITE_OK)
      rc = sqlite3_exec(m_db, "PRAGMA schema_version", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_close(m_db);
      m_db = nullptr;
    }
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  // Busy or failing (disk full): the log only grows until the next request; nothing is lost.
  (void)rc;
}

}  // namespace seshat::store::sqlite
