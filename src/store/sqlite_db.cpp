#include "store/sqlite_db.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>
#include <utility>

#include "store/sqlite_log_writes.hpp"

namespace seshat::store::sqlite {
namespace {

std::shared_ptr<Database::FileShared> shared_of(const std::string& path) {
  if (path.empty() || path == ":memory:") return std::make_shared<Database::FileShared>(path);
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<Database::FileShared>> registry;
  std::error_code ignored;
  auto key = std::filesystem::weakly_canonical(path, ignored).string();
  if (key.empty()) key = path;
  const std::lock_guard lock(registry_mutex);
  std::erase_if(registry, [](const auto& entry) { return entry.second.expired(); });
  auto& slot = registry[key];
  auto shared = slot.lock();
  if (!shared) {
    shared = std::make_shared<Database::FileShared>(path);
    slot = shared;
  }
  return shared;
}

// Memory statistics put a global mutex around every allocation SQLite makes; nothing reads them.
// Only possible before SQLite initializes (else SQLITE_MISUSE, harmless).
void configure_sqlite_once() {
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
}

}  // namespace

Database::Database(const std::string& path) : m_path(path), m_shared(shared_of(path)) {
  configure_sqlite_once();
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &m_db, flags, log_writes_vfs());
  if (rc != SQLITE_OK) {
    // SQLite may hand back a handle even on failure; it only carries the message.
    std::string message = m_db != nullptr ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
    sqlite3_close(m_db);
    throw StoreError("cannot open database: " + message + " (" + path + ")");
  }
  sqlite3_extended_result_codes(m_db, 1);
  sqlite3_busy_handler(m_db, &Database::on_busy, this);
}

// SQLite's own busy handler (PRAGMA busy_timeout) sleeps 1, 2, 5, 10, 15 ... 100 ms between
// tries, so a lock that another process held for a fraction of a millisecond (a gateway's write
// on the same file) cost a writer here at least 1 ms and often several. This one tries again
// after 50 us, doubling up to 0.8 ms, until k_busy_timeout_ms have passed since the first try.
int Database::on_busy(void* self, int tries) {
  auto& db = *static_cast<Database*>(self);
  if (!db.m_busy_waits) return 0;
  const auto now = std::chrono::steady_clock::now();
  if (tries == 0) db.m_busy_since = now;
  if (now - db.m_busy_since >= std::chrono::milliseconds(k_busy_timeout_ms)) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(50 << std::min(tries, 4)));
  return 1;
}

Database::~Database() {
  // Every Statement is finalized before its Database goes (they are members declared after it).
  for (auto* statement : m_control) sqlite3_finalize(statement);
  sqlite3_close(m_db);
}

namespace {
constexpr std::array<const char*, Database::k_controls> k_control_sql = {
    "BEGIN IMMEDIATE", "BEGIN DEFERRED",    "COMMIT", "ROLLBACK", "SAVEPOINT nested",
    "RELEASE nested",  "ROLLBACK TO nested"};
static_assert(k_control_sql.back() != nullptr, "one statement for each Database::Control");
}  // namespace

int Database::run_control(Control what) noexcept {
  auto*& statement = m_control[static_cast<std::size_t>(what)];
  if (statement == nullptr) {
    const int rc = sqlite3_prepare_v3(m_db, k_control_sql[static_cast<std::size_t>(what)], -1,
                                      SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  const int rc = sqlite3_step(statement);
  sqlite3_reset(statement);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void Database::control(Control what) {
  if (run_control(what) != SQLITE_OK) {
    fail(std::string("cannot run \"") + k_control_sql[static_cast<std::size_t>(what)] + "\"");
  }
}

bool Database::try_control(Control what) noexcept {
  return run_control(what) == SQLITE_OK;
}

void Database::exec(const std::string& sql) {
  if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    constexpr std::size_t k_quoted = 60;  // enough to recognise a migration script by
    fail("cannot run \"" + (sql.size() > k_quoted ? sql.substr(0, k_quoted) + "..." : sql) + "\"");
  }
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(m_db);
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(m_db);
}

bool Database::in_transaction() const {
  return sqlite3_get_autocommit(m_db) == 0;
}

void Database::checkpoint_after(int pages) {
  m_checkpoint_pages = pages;
  sqlite3_wal_hook(m_db, &Database::on_wal_commit, this);  // replaces the automatic checkpoint
}

int Database::on_wal_commit(void* self, sqlite3*, const char*, int pages) {
  auto& db = *static_cast<Database*>(self);
  if (pages >= db.m_checkpoint_pages) db.m_checkpoint_due = true;
  return SQLITE_OK;
}

void Database::checkpoint_if_due() {
  if (!m_checkpoint_due || in_transaction()) return;
  m_checkpoint_due = false;
  m_shared->checkpointer.request();
}

void Database::wait_for_checkpoint() {
  m_shared->checkpointer.wait_idle();
}

void Database::fail(std::string_view what) const {
  throw StoreError(std::string(what) + ": " + sqlite3_errmsg(m_db) + " (" + m_path + ")");
}

Statement::Statement(Database& db, std::string_view sql) : m_db(db), m_sql(sql) {
  const int rc = sqlite3_prepare_v3(db.handle(), m_sql.data(), static_cast<int>(m_sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
  if (rc != SQLITE_OK) db.fail("cannot prepare \"" + m_sql + "\"");
}

Statement::~Statement() {
  sqlite3_finalize(m_stmt);
}

Query::~Query() {
  sqlite3_reset(m_statement.m_stmt);
  sqlite3_clear_bindings(m_statement.m_stmt);
}

void Query::check_bind(int rc, int index) {
  if (rc != SQLITE_OK) {
    m_statement.m_db.fail("cannot bind parameter " + std::to_string(index) + " of \"" +
                          m_statement.m_sql + "\"");
  }
}

Query& Query::bind(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(m_statement.m_stmt, index, value), index);
  return *this;
}

Query& Query::bind(int index, std::string_view text) {
  // A null pointer would bind SQL NULL; an empty text must stay an empty text.
  const char* data = text.data() != nullptr ? text.data() : "";
  check_bind(sqlite3_bind_text64(m_statement.m_stmt, index, data, text.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8),
             index);
  return *this;
}

Query& Query::bind_null(int index) {
  check_bind(sqlite3_bind_null(m_statement.m_stmt, index), index);
  return *this;
}

bool Query::step() {
  const int rc = sqlite3_step(m_statement.m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  m_statement.m_db.fail("cannot run \"" + m_statement.m_sql + "\"");
}

void Query::run() {
  if (step()) {
    throw StoreError("unexpected row from \"" + m_statement.m_sql + "\"");
  }
}

std::int64_t Query::int_at(int column) const {
  return sqlite3_column_int64(m_statement.m_stmt, column);
}

std::string Query::text_at(int column) const {
  const auto* text = sqlite3_column_text(m_statement.m_stmt, column);
  if (text == nullptr) return {};
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(m_statement.m_stmt, column));
  return {reinterpret_cast<const char*>(text), size};
}

bool Query::is_null(int column) const {
  return sqlite3_column_type(m_statement.m_stmt, column) == SQLITE_NULL;
}

Transaction::Transaction(Database& db, TransactionKind kind, AfterCommit after, Wait wait)
    : m_db(db), m_nested(db.in_transaction()), m_savepoint(m_nested), m_after(after) {
  if (m_nested) {
    m_db.control(Database::Control::savepoint);
    return;
  }
  begin(kind, wait);
}

Transaction::Transaction(Database& db, Inside inside)
    : m_db(db),
      m_nested(db.in_transaction()),
      m_savepoint(m_nested && inside == Inside::savepoint),
      m_after(AfterCommit::checkpoint_if_due) {
  if (m_savepoint) {
    m_db.control(Database::Control::savepoint);
  } else if (!m_nested) {
    begin(TransactionKind::write, Wait::up_to_timeout);
  }
}

void Transaction::begin(TransactionKind kind, Wait wait) {
  if (kind == TransactionKind::write) {
    m_writing = std::unique_lock(m_db.writers(), std::defer_lock);
    if (wait == Wait::no ? !m_writing.try_lock()
                         : !m_writing.try_lock_for(std::chrono::milliseconds(k_busy_timeout_ms))) {
      throw StoreError("database is locked: another writer of this process held it " +
                       std::string(wait == Wait::no ? "" : "too long ") + "(" + m_db.path() + ")");
    }
  }
  // Without a wait, another process's lock fails BEGIN IMMEDIATE at once instead of being polled.
  m_db.m_busy_waits = wait == Wait::up_to_timeout;
  struct WaitAgain {  // whether BEGIN succeeded or threw
    Database& db;
    ~WaitAgain() { db.m_busy_waits = true; }
  } wait_again{m_db};
  m_db.control(kind == TransactionKind::write ? Database::Control::begin_immediate
                                              : Database::Control::begin_deferred);
}

Transaction::~Transaction() {
  if (m_done) return;
  if (m_writing.owns_lock()) m_db.m_shared->checkpointer.write_failed();
  // After some errors (disk full, I/O) SQLite has already rolled back by itself.
  if (!m_db.in_transaction()) return;
  if (m_savepoint) {
    (void)m_db.try_control(Database::Control::rollback_to_savepoint);
    (void)m_db.try_control(Database::Control::release);
  } else {
    (void)m_db.try_control(Database::Control::rollback);  // the batch too, when nested
  }
}

void Transaction::commit() {
  if (m_nested && !m_db.in_transaction()) {
    // SQLite rolled the outer transaction back (disk full): nothing of this is kept.
    throw StoreError("the batch this write belonged to was rolled back");
  }
  if (m_savepoint) {
    m_db.control(Database::Control::release);
  } else if (!m_nested) {
    m_db.control(Database::Control::commit);
  }
  m_done = true;
  if (m_writing.owns_lock()) {
    m_db.m_shared->checkpointer.commit_succeeded();
    m_writing.unlock();
  }
  if (!m_nested && m_after == AfterCommit::checkpoint_if_due) m_db.checkpoint_if_due();
}

}  // namespace seshat::store::sqlite
