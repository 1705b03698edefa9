#pragma once
// Thin RAII wrappers over libpq, the only place besides the other pg_* files that knows
// PostgreSQL's C API. Every failure becomes a StoreError naming what was being done and the
// server's own explanation.
//
// Lifetime: a Connection is used by one thread at a time. A broken connection is reset before
// the next statement outside a transaction (a transaction cut by it fails as a whole).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

struct pg_conn;
struct pg_result;

namespace seshat::store::pg {

// One parameter of a statement, in PostgreSQL's text format; nullopt is SQL NULL.
using Param = std::optional<std::string>;
[[nodiscard]] inline Param param(std::int64_t value) {
  return std::to_string(value);
}
[[nodiscard]] inline Param param(std::string_view text) {
  return std::string(text);
}
[[nodiscard]] inline Param param(const std::string& text) {
  return text;
}
[[nodiscard]] inline Param param(const char* text) {
  return std::string(text);
}
[[nodiscard]] inline Param param(bool value) {
  return std::string(value ? "1" : "0");
}

// The rows of one statement.
class Rows {
 public:
  explicit Rows(pg_result* result) : m_result(result) {}
  ~Rows();
  Rows(Rows&& other) noexcept : m_result(other.m_result) { other.m_result = nullptr; }
  Rows& operator=(Rows&&) = delete;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  [[nodiscard]] int size() const;
  [[nodiscard]] bool empty() const { return size() == 0; }
  [[nodiscard]] std::int64_t int_at(int row, int column) const;
  [[nodiscard]] std::string text_at(int row, int column) const;
  [[nodiscard]] bool is_null(int row, int column) const;
  // Rows an INSERT, UPDATE or DELETE touched.
  [[nodiscard]] std::int64_t affected() const;

 private:
  pg_result* m_result = nullptr;
};

class Connection {
 public:
  // Connects to `uri` (a libpq connection URI); throws StoreError when it cannot.
  explicit Connection(std::string uri);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement with parameters $1, $2, ...
  Rows exec(std::string_view sql, const std::vector<Param>& params = {});
  // Several statements without parameters (DDL, transaction control).
  void exec_script(std::string_view sql);

  [[nodiscard]] bool in_transaction() const;
  // A transaction a failed statement aborted: only a rollback (to a savepoint) helps.
  [[nodiscard]] bool transaction_failed() const;
  // Connects again if the connection broke. Statements do it themselves outside a
  // transaction; inside one (see hold_transaction) a broken connection fails the statement,
  // since what the transaction wrote so far is gone.
  void ensure_connected();
  // True from BEGIN to COMMIT/ROLLBACK of the caller's transaction: no reconnecting meanwhile.
  void hold_transaction(bool held) { m_held = held; }
  // Session settings (SET ...): run now, and again after every reconnect.
  void set_session(std::string sql);
  [[nodiscard]] const std::string& where() const { return m_where; }
  [[nodiscard]] pg_conn* handle() const { return m_conn; }

 private:
  [[noreturn]] void fail(std::string_view what, pg_result* result = nullptr) const;

  std::string m_uri;
  std::string m_where;  // host:port/dbname for messages, never the password
  std::string m_session;
  bool m_held = false;
  pg_conn* m_conn = nullptr;
};

// A random name of this process, at the head of every NOTIFY it sends: its own listener skips
// them (its in-process ChangeFeed already carried them, as in a single process on SQLite).
[[nodiscard]] const std::string& process_origin();
// Connects to `uri` (throws StoreError with libpq's message).
[[nodiscard]] pg_conn* connect(const std::string& uri);
// "host:port/dbname" of a connection, for messages.
[[nodiscard]] std::string describe(pg_conn* conn);

}  // namespace seshat::store::pg
