#include "store/pg_db.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <random>

namespace seshat::store::pg {

Rows::~Rows() {
  if (m_result != nullptr) PQclear(m_result);
}

int Rows::size() const {
  return PQntuples(m_result);
}

std::int64_t Rows::int_at(int row, int column) const {
  const char* text = PQgetvalue(m_result, row, column);
  if (text == nullptr || *text == '\0') return 0;
  // Booleans come as "t"/"f".
  if (*text == 't') return 1;
  if (*text == 'f') return 0;
  return std::strtoll(text, nullptr, 10);
}

std::string Rows::text_at(int row, int column) const {
  return std::string(PQgetvalue(m_result, row, column),
                     static_cast<std::size_t>(PQgetlength(m_result, row, column)));
}

bool Rows::is_null(int row, int column) const {
  return PQgetisnull(m_result, row, column) != 0;
}

std::int64_t Rows::affected() const {
  const char* text = PQcmdTuples(m_result);
  if (text == nullptr || *text == '\0') return 0;
  return std::strtoll(text, nullptr, 10);
}

const std::string& process_origin() {
  static const std::string origin = [] {
    std::random_device random;
    std::string name;
    for (int i = 0; i < 4; ++i) name += std::to_string(random() % 10000) + (i < 3 ? "-" : "");
    return name;
  }();
  return origin;
}

pg_conn* connect(const std::string& uri) {
  pg_conn* conn = PQconnectdb(uri.c_str());
  if (conn == nullptr) throw StoreError("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    PQfinish(conn);
    throw StoreError("cannot connect to PostgreSQL: " + message);
  }
  // Notices (a NOTICE from CREATE ... IF NOT EXISTS, the server's goodbye when it shuts down)
  // are not errors: keep them off stderr; failures come back as StoreError.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return conn;
}

std::string describe(pg_conn* conn) {
  const char* host = PQhost(conn);
  return std::string(host != nullptr ? host : "") + ":" + PQport(conn) + "/" + PQdb(conn);
}

Connection::Connection(std::string uri) : m_uri(std::move(uri)) {
  m_conn = connect(m_uri);
  m_where = describe(m_conn);
}

Connection::~Connection() {
  PQfinish(m_conn);
}

void Connection::ensure_connected() {
  if (PQstatus(m_conn) == CONNECTION_OK) return;
  PQreset(m_conn);
  if (PQstatus(m_conn) != CONNECTION_OK) fail("cannot reconnect to PostgreSQL");
  if (!m_session.empty()) exec_script(m_session);
}

void Connection::set_session(std::string sql) {
  exec_script(sql);
  m_session += sql + ";";
}

Rows Connection::exec(std::string_view sql, const std::vector<Param>& params) {
  if (!m_held) ensure_connected();
  const std::string text(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& one : params) values.push_back(one ? one->c_str() : nullptr);
  pg_result* result = PQexecParams(m_conn, text.c_str(), static_cast<int>(values.size()), nullptr,
                                   values.data(), nullptr, nullptr, 0);
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(text, result);
  return Rows(result);
}

void Connection::exec_script(std::string_view sql) {
  if (!m_held) ensure_connected();
  const std::string text(sql);
  pg_result* result = PQexec(m_conn, text.c_str());
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    fail(text.size() > 60 ? text.substr(0, 60) + "..." : text, result);
  }
  PQclear(result);
}

bool Connection::in_transaction() const {
  const auto status = PQtransactionStatus(m_conn);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

bool Connection::transaction_failed() const {
  return PQtransactionStatus(m_conn) == PQTRANS_INERROR;
}

void Connection::fail(std::string_view what, pg_result* result) const {
  std::string message =
      result != nullptr ? PQresultErrorMessage(result) : std::string(PQerrorMessage(m_conn));
  if (message.empty()) message = PQerrorMessage(m_conn);
  if (result != nullptr) PQclear(result);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  throw StoreError(std::string(what) + ": " + message + " (" + m_where + ")");
}

}  // namespace seshat::store::pg
