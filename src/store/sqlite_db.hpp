#pragma once
// Thin RAII wrappers over the SQLite C API, the only place besides the other sqlite_* files that
// knows SQLite. Every failure becomes a StoreError whose message names what was being done and
// SQLite's own explanation.
//
// Lifetime: a Statement must not outlive the Database it was prepared on. A Database is used by
// one thread at a time (it is opened without SQLite's internal mutex).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "store/sqlite_checkpointer.hpp"
#include "store/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace seshat::store::sqlite {

// How long a connection waits for another process's lock before it fails as "locked".
inline constexpr int k_busy_timeout_ms = 5000;

class Database {
 public:
  // Opens (creating when missing) the database file at `path`.
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows of interest (pragmas, DDL).
  void exec(const std::string& sql);

  // The statements of transactions, prepared once: every request runs several of them.
  enum class Control {
    begin_immediate,
    begin_deferred,
    commit,
    rollback,
    savepoint,
    release,
    rollback_to_savepoint
  };
  static constexpr std::size_t k_controls =
      static_cast<std::size_t>(Control::rollback_to_savepoint) + 1;
  void control(Control what);
  // The same without throwing, for clean-up paths; false if it failed.
  bool try_control(Control what) noexcept;
  [[nodiscard]] std::int64_t changes() const;
  [[nodiscard]] std::int64_t last_insert_rowid() const;
  [[nodiscard]] bool in_transaction() const;
  [[nodiscard]] const std::string& path() const { return m_path; }
  [[nodiscard]] sqlite3* handle() const { return m_db; }
  // Shared by every Database of this process on the same file: writers queue on it rather than
  // in the busy handler, which polls (on_busy: every 50 to 800 us).
  [[nodiscard]] std::timed_mutex& writers() const { return m_shared->writers; }

  // What every Database of this process on one file shares.
  struct FileShared {
    explicit FileShared(const std::string& path) : checkpointer(path, writers) {}
    std::timed_mutex writers;
    Checkpointer checkpointer;
  };

  // Throws StoreError "<what>: <sqlite message> (<path>)".
  [[noreturn]] void fail(std::string_view what) const;

  // Copies the write-ahead log into the database file (a checkpoint) once a commit finds it
  // holding `pages` or more, but not inside that commit, as SQLite's automatic checkpoint would
  // (every writer of the process, and whoever waits for the commit, would wait for the copy),
  // nor on this connection's thread: the file's Checkpointer does it. The outermost Transaction
  // asks for it after it committed, unless its owner answers its callers first and calls
  // checkpoint_if_due() itself (a batch).
  void checkpoint_after(int pages);
  // Outside transactions only; returns at once. A checkpoint that fails (busy, disk full) is
  // left for the next.
  void checkpoint_if_due();
  // Until the checkpoint asked for is done (tests).
  void wait_for_checkpoint();

 private:
  [[nodiscard]] int run_control(Control what) noexcept;
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);
  static int on_busy(void* self, int tries);

  sqlite3* m_db = nullptr;
  std::string m_path;
  friend class Transaction;
  std::shared_ptr<FileShared> m_shared;
  std::array<sqlite3_stmt*, k_controls> m_control{};  // by Control, prepared on first use
  int m_checkpoint_pages = 0;                         // 0: SQLite's own automatic checkpoint
  bool m_checkpoint_due = false;
  std::chrono::steady_clock::time_point m_busy_since;  // the first try of the wait under way
  bool m_busy_waits = true;                            // false: on_busy gives up at once
};

// A statement prepared once and reused; use it through a Query.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

 private:
  friend class Query;
  Database& m_db;
  sqlite3_stmt* m_stmt = nullptr;
  std::string m_sql;
};

// One use of a Statement: bind, step, read columns. Resets the statement and clears its
// bindings when it goes out of scope, so the next use starts clean even after an exception.
// Parameters and columns are numbered from 1 and 0 respectively, as in SQLite.
class Query {
 public:
  explicit Query(Statement& statement) : m_statement(statement) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, std::int64_t value);
  Query& bind(int index, std::string_view text);
  Query& bind_null(int index);

  // True when a row is ready to read; false when the statement is done.
  [[nodiscard]] bool step();
  // Steps a statement that must finish without returning a row.
  void run();

  [[nodiscard]] std::int64_t int_at(int column) const;
  [[nodiscard]] std::string text_at(int column) const;
  [[nodiscard]] bool is_null(int column) const;

 private:
  void check_bind(int rc, int index);
  Statement& m_statement;
};

// A write transaction: BEGIN IMMEDIATE on construction, so a writer takes the write lock at
// once (waiting up to the busy timeout) instead of failing later on a lock upgrade.
// Rolls back on destruction unless committed. Inside another (a batch), it is a savepoint by
// default (see Inside): its writes still succeed or fail as one, and become durable with the
// outer transaction.
enum class TransactionKind { write, read };
// Whether a write transaction waits for the write lock (up to k_busy_timeout_ms), or fails at
// once with StoreError when another writer holds it.
enum class Wait { up_to_timeout, no };
// What an outermost transaction does after its commit (see Database::checkpoint_after).
enum class AfterCommit { checkpoint_if_due, leave_checkpoint_to_owner };
// How a transaction inside another undoes itself. A savepoint copies each page before its first
// change there (for a relayed visitor line, 7% of seshat's instructions). A write that reads all
// it needs before its first write, and so is refused without writing, can go without: a failure
// after that rolls back the whole outer transaction (the batch is then not intact, and its owner
// runs its parts again one by one).
enum class Inside { savepoint, whole_batch };

class Transaction {
 public:
  explicit Transaction(Database& db, TransactionKind kind = TransactionKind::write,
                       AfterCommit after = AfterCommit::checkpoint_if_due,
                       Wait wait = Wait::up_to_timeout);
  // A write transaction; inside another, undone as `inside` says.
  Transaction(Database& db, Inside inside);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  void begin(TransactionKind kind, Wait wait);

  Database& m_db;
  bool m_nested = false;
  bool m_savepoint = false;  // nested and undone alone
  bool m_done = false;
  AfterCommit m_after;
  std::unique_lock<std::timed_mutex> m_writing;  // outermost write transactions only
};

}  // namespace seshat::store::sqlite
