// Floor for durable ingest: single-row INSERT commits per second into a SQLite file with the
// settings seshat's store uses (WAL, synchronous=NORMAL, foreign_keys=ON).
//
//   sqlite_floor DB_PATH [SECONDS]   prints "RESULT {"commits_per_s": N}"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

bool exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_floor: %s: %s\n", sql, error != nullptr ? error : "?");
    sqlite3_free(error);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sqlite_floor DB_PATH [SECONDS]\n");
    return 2;
  }
  const double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
  sqlite3* db = nullptr;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
  if (!exec(db, "PRAGMA journal_mode = WAL") || !exec(db, "PRAGMA synchronous = NORMAL") ||
      !exec(db, "PRAGMA wal_autocheckpoint = 10000") || !exec(db, "PRAGMA foreign_keys = ON") ||
      !exec(db,
            "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, chat INTEGER NOT NULL, "
            "body TEXT NOT NULL, at INTEGER NOT NULL)")) {
    return 1;
  }
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO messages (chat, body, at) VALUES (?, ?, ?)", -1, &insert,
                     nullptr);
  const std::string body = "t=1234567890123456789 s=1 p=1";
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  long commits = 0;
  while (Clock::now() < end) {
    // One row, one transaction: what a 202 promises.
    if (!exec(db, "BEGIN IMMEDIATE")) return 1;
    sqlite3_bind_int64(insert, 1, commits % 100);
    sqlite3_bind_text(insert, 2, body.c_str(), static_cast<int>(body.size()), SQLITE_STATIC);
    sqlite3_bind_int64(insert, 3, commits);
    if (sqlite3_step(insert) != SQLITE_DONE) return 1;
    sqlite3_reset(insert);
    if (!exec(db, "COMMIT")) return 1;
    ++commits;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  std::printf("RESULT {\"commits_per_s\": %.0f, \"commits\": %ld}\n", commits / elapsed, commits);
  return 0;
}
