#include "store/sqlite_log_writes.hpp"

#include <sqlite3.h>

#include <cstddef>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace seshat::store::sqlite {
namespace {

constexpr const char* k_name = "seshat-log-writes";
constexpr int k_frame_header = 24;  // bytes before each page in the log
// The unix VFS writes at most 128 KiB - 1 with one call (a larger one fails as "disk full"): a
// larger transaction is written in parts.
constexpr std::size_t k_largest_write = 0x1ffff;
constexpr int k_write_lock = 0;  // the log's write lock, first of the shm locks

sqlite3_vfs* g_base = nullptr;

// One open file: ours in front, the base VFS's right behind it in the same allocation.
struct File {
  sqlite3_file base{};
  sqlite3_file* real = nullptr;
  // A database file: its connection's log, once that is open.
  File* log = nullptr;
  const char* name = nullptr;  // the database's name, as SQLite passed it (the registry's key)
  // A log: its connection's database file (nullptr, and any other file: every write goes
  // straight through).
  File* database = nullptr;
  // The transaction's frames not yet written, from `gathered_at`.
  std::vector<char> gathered;
  sqlite3_int64 gathered_at = 0;
  // The end of the furthest write of this transaction (-1 before its first). A write before it
  // rewrites a frame already given (a page changed again, checksums recomputed): it goes
  // straight through, after what is gathered.
  sqlite3_int64 furthest = -1;
  bool commit_page_next = false;  // the header just gathered marks a commit: its page ends it
};

constexpr int k_offset = (sizeof(File) + alignof(std::max_align_t) - 1) /
                         alignof(std::max_align_t) * alignof(std::max_align_t);

File& file_of(sqlite3_file* file) {
  return *reinterpret_cast<File*>(file);
}

// The database files open now, by the name SQLite gave them: one per connection, and the log a
// connection opens names its database file with the very same pointer.
std::mutex g_registry_mutex;
std::unordered_map<const char*, File*> g_databases;

int write_gathered(File& file) {
  if (file.gathered.empty()) return SQLITE_OK;
  const int rc = file.real->pMethods->xWrite(
      file.real, file.gathered.data(), static_cast<int>(file.gathered.size()), file.gathered_at);
  file.gathered.clear();
  return rc;
}

bool marks_commit(const void* header) {
  // The frame header's second big-endian word: the database's size after a commit, else 0.
  const auto* bytes = static_cast<const unsigned char*>(header);
  return (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

bool powersafe(File& database) {
  const int characteristics = database.real->pMethods->xDeviceCharacteristics(database.real);
  return (characteristics & SQLITE_IOCAP_POWERSAFE_OVERWRITE) != 0;
}

int log_write(File& file, const void* data, int amount, sqlite3_int64 offset) {
  if (offset < file.furthest || static_cast<std::size_t>(amount) > k_largest_write) {
    if (const int rc = write_gathered(file); rc != SQLITE_OK) return rc;
    return file.real->pMethods->xWrite(file.real, data, amount, offset);
  }
  if (file.gathered.empty()) {
    file.gathered_at = offset;
  } else if (offset != file.gathered_at + static_cast<sqlite3_int64>(file.gathered.size()) ||
             file.gathered.size() + static_cast<std::size_t>(amount) > k_largest_write) {
    if (const int rc = write_gathered(file); rc != SQLITE_OK) return rc;
    file.gathered_at = offset;
  }
  const auto* bytes = static_cast<const char*>(data);
  file.gathered.insert(file.gathered.end(), bytes, bytes + amount);
  file.furthest = offset + amount;
  bool ends_commit = false;
  if (file.commit_page_next) {
    file.commit_page_next = false;
    ends_commit = true;
  } else if (amount == k_frame_header && marks_commit(data)) {
    file.commit_page_next = true;
  }
  return ends_commit ? write_gathered(file) : SQLITE_OK;
}

// ---- the file methods: the base's, with the log's writes gathered ----

int x_close(sqlite3_file* handle) {
  auto& file = file_of(handle);
  if (file.database) {
    (void)write_gathered(file);
    file.database->log = nullptr;
  } else if (file.name) {
    const std::lock_guard lock(g_registry_mutex);
    g_databases.erase(file.name);
  }
  if (file.log) file.log->database = nullptr;
  const int rc = file.real->pMethods->xClose(file.real);
  file.~File();
  return rc;
}

int x_read(sqlite3_file* handle, void* data, int amount, sqlite3_int64 offset) {
  auto& file = file_of(handle);
  if (const int rc = write_gathered(file); rc != SQLITE_OK) return rc;
  return file.real->pMethods->xRead(file.real, data, amount, offset);
}

int x_write(sqlite3_file* handle, const void* data, int amount, sqlite3_int64 offset) {
  auto& file = file_of(handle);
  if (file.database) return log_write(file, data, amount, offset);
  return file.real->pMethods->xWrite(file.real, data, amount, offset);
}

int x_truncate(sqlite3_file* handle, sqlite3_int64 size) {
  auto& file = file_of(handle);
  if (const int rc = write_gathered(file); rc != SQLITE_OK) return rc;
  return file.real->pMethods->xTruncate(file.real, size);
}

int x_sync(sqlite3_file* handle, int flags) {
  auto& file = file_of(handle);
  if (const int rc = write_gathered(file); rc != SQLITE_OK) return rc;
  return file.real->pMethods->xSync(file.real, flags);
}

int x_file_size(sqlite3_file* handle, sqlite3_int64* size) {
  auto& file = file_of(handle);
  if (const int rc = write_gathered(file); rc != SQLITE_OK) return rc;
  return file.real->pMethods->xFileSize(file.real, size);
}

int x_lock(sqlite3_file* handle, int level) {
  auto& file = file_of(handle);
  return file.real->pMethods->xLock(file.real, level);
}

int x_unlock(sqlite3_file* handle, int level) {
  auto& file = file_of(handle);
  return file.real->pMethods->xUnlock(file.real, level);
}

int x_check_reserved_lock(sqlite3_file* handle, int* reserved) {
  auto& file = file_of(handle);
  return file.real->pMethods->xCheckReservedLock(file.real, reserved);
}

int x_file_control(sqlite3_file* handle, int op, void* argument) {
  auto& file = file_of(handle);
  if (const int rc = write_gathered(file); rc != SQLITE_OK) return rc;
  return file.real->pMethods->xFileControl(file.real, op, argument);
}

int x_sector_size(sqlite3_file* handle) {
  auto& file = file_of(handle);
  return file.real->pMethods->xSectorSize(file.real);
}

int x_device_characteristics(sqlite3_file* handle) {
  auto& file = file_of(handle);
  return file.real->pMethods->xDeviceCharacteristics(file.real);
}

int x_shm_map(sqlite3_file* handle, int page, int size, int extend, void volatile** memory) {
  auto& file = file_of(handle);
  return file.real->pMethods->xShmMap(file.real, page, size, extend, memory);
}

// The log's write lock, on the database file: taken, a transaction's writes begin; released,
// another connection may write where this one's gathered frames go, so they are written first.
// Frames still gathered then belong to a transaction that did not commit (a commit writes its
// frames at once): what fails of them fails nobody.
int x_shm_lock(sqlite3_file* handle, int offset, int count, int flags) {
  auto& file = file_of(handle);
  const bool write_lock = offset <= k_write_lock && k_write_lock < offset + count;
  if (write_lock && file.log) {
    if (flags & SQLITE_SHM_UNLOCK) {
      (void)write_gathered(*file.log);
      file.log->commit_page_next = false;
    }
    file.log->furthest = -1;
  }
  return file.real->pMethods->xShmLock(file.real, offset, count, flags);
}

// SQLite publishes a commit between two barriers, after its frames: anything still gathered
// then (which a commit never leaves) is written before, not after.
void x_shm_barrier(sqlite3_file* handle) {
  auto& file = file_of(handle);
  if (file.log) (void)write_gathered(*file.log);
  file.real->pMethods->xShmBarrier(file.real);
}

int x_shm_unmap(sqlite3_file* handle, int delete_flag) {
  auto& file = file_of(handle);
  return file.real->pMethods->xShmUnmap(file.real, delete_flag);
}

int x_fetch(sqlite3_file* handle, sqlite3_int64 offset, int amount, void** pointer) {
  auto& file = file_of(handle);
  return file.real->pMethods->xFetch(file.real, offset, amount, pointer);
}

int x_unfetch(sqlite3_file* handle, sqlite3_int64 offset, void* pointer) {
  auto& file = file_of(handle);
  return file.real->pMethods->xUnfetch(file.real, offset, pointer);
}

const sqlite3_io_methods k_methods = {3,
                                      x_close,
                                      x_read,
                                      x_write,
                                      x_truncate,
                                      x_sync,
                                      x_file_size,
                                      x_lock,
                                      x_unlock,
                                      x_check_reserved_lock,
                                      x_file_control,
                                      x_sector_size,
                                      x_device_characteristics,
                                      x_shm_map,
                                      x_shm_lock,
                                      x_shm_barrier,
                                      x_shm_unmap,
                                      x_fetch,
                                      x_unfetch};

int x_open(sqlite3_vfs*, const char* name, sqlite3_file* handle, int flags, int* out_flags) {
  auto* file = new (handle) File{};
  file->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(handle) + k_offset);
  const int rc = g_base->xOpen(g_base, name, file->real, flags, out_flags);
  if (rc != SQLITE_OK || file->real->pMethods == nullptr) {
    if (file->real->pMethods) file->real->pMethods->xClose(file->real);
    file->~File();
    handle->pMethods = nullptr;
    return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
  }
  // Every method forwards to the base's, which are of version 3 for files on disk.
  if (file->real->pMethods->iVersion < 3) {
    file->real->pMethods->xClose(file->real);
    file->~File();
    handle->pMethods = nullptr;
    return SQLITE_CANTOPEN;
  }
  handle->pMethods = &k_methods;
  if ((flags & SQLITE_OPEN_MAIN_DB) && name) {
    file->name = name;
    const std::lock_guard lock(g_registry_mutex);
    g_databases[name] = file;
  } else if ((flags & SQLITE_OPEN_WAL) && name) {
    const std::lock_guard lock(g_registry_mutex);
    // Without powersafe overwrite, SQLite pads a commit to a sector with frames it may split
    // around a sync: the commit is then not the header-and-page pair looked for. Not gathered.
    const auto found = g_databases.find(sqlite3_filename_database(name));
    if (found != g_databases.end() && powersafe(*found->second)) {
      file->database = found->second;
      found->second->log = file;
    }
  }
  return SQLITE_OK;
}

// ---- the rest of the VFS: the base's ----

int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_base->xDelete(g_base, name, sync_dir);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* result) {
  return g_base->xAccess(g_base, name, flags, result);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return g_base->xFullPathname(g_base, name, size, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) {
  return g_base->xDlOpen(g_base, name);
}
void x_dl_error(sqlite3_vfs*, int size, char* message) {
  g_base->xDlError(g_base, size, message);
}
void (*x_dl_sym(sqlite3_vfs*, void* library, const char* symbol))(void) {
  return g_base->xDlSym(g_base, library, symbol);
}
void x_dl_close(sqlite3_vfs*, void* library) {
  g_base->xDlClose(g_base, library);
}
int x_randomness(sqlite3_vfs*, int size, char* out) {
  return g_base->xRandomness(g_base, size, out);
}
int x_sleep(sqlite3_vfs*, int microseconds) {
  return g_base->xSleep(g_base, microseconds);
}
int x_current_time(sqlite3_vfs*, double* now) {
  return g_base->xCurrentTime(g_base, now);
}
int x_get_last_error(sqlite3_vfs*, int size, char* message) {
  return g_base->xGetLastError(g_base, size, message);
}
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* now) {
  return g_base->xCurrentTimeInt64(g_base, now);
}

sqlite3_vfs g_vfs{};

}  // namespace

const char* log_writes_vfs() {
  static const bool registered = [] {
    g_base = sqlite3_vfs_find(nullptr);
    if (g_base == nullptr || g_base->iVersion < 2) {
      throw std::runtime_error("SQLite has no default VFS of version 2 or later");
    }
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = k_offset + g_base->szOsFile;
    g_vfs.mxPathname = g_base->mxPathname;
    g_vfs.zName = k_name;
    g_vfs.xOpen = x_open;
    g_vfs.xDelete = x_delete;
    g_vfs.xAccess = x_access;
    g_vfs.xFullPathname = x_full_pathname;
    g_vfs.xDlOpen = x_dl_open;
    g_vfs.xDlError = x_dl_error;
    g_vfs.xDlSym = x_dl_sym;
    g_vfs.xDlClose = x_dl_close;
    g_vfs.xRandomness = x_randomness;
    g_vfs.xSleep = x_sleep;
    g_vfs.xCurrentTime = x_current_time;
    g_vfs.xGetLastError = x_get_last_error;
    g_vfs.xCurrentTimeInt64 = x_current_time_int64;
    if (sqlite3_vfs_register(&g_vfs, 0) != SQLITE_OK) {
      throw std::runtime_error("cannot register SQLite's VFS " + std::string(k_name));
    }
    return true;
  }();
  (void)registered;
  return k_name;
}

}  // namespace seshat::store::sqlite
