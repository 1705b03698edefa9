#include "store/sqlite_limits.hpp"

#include <sys/statvfs.h>

#include <filesystem>

namespace seshat::store::sqlite {
namespace {

int count(Query& query) {
  if (!query.step()) return 0;
  return static_cast<int>(query.int_at(0));
}

}  // namespace

LimitTable::LimitTable(Database& db)
    : m_path(db.path()),
      m_chats_all(db, "SELECT count(*) FROM chats WHERE created_at >= ?1"),
      m_chats_network(db, "SELECT count(*) FROM chats WHERE network = ?2 AND created_at >= ?1"),
      m_record_send(db,
                    "INSERT INTO visitor_send_counts (network, at_step, sends) VALUES (?1, ?2, 1) "
                    "ON CONFLICT (network, at_step) DO UPDATE SET sends = sends + 1"),
      m_forget_sends(db, "DELETE FROM visitor_send_counts WHERE at_step < ?1"),
      m_sends(db,
              "SELECT coalesce(sum(sends), 0) FROM visitor_send_counts WHERE network = ?2 AND "
              "at_step >= ?1"),
      m_visitor_count(db, "SELECT visitor_count FROM chats WHERE id = ?1") {}

int LimitTable::chats_since(Millis since, const std::string& network) {
  if (network.empty()) {
    Query query(m_chats_all);
    query.bind(1, since);
    return count(query);
  }
  Query query(m_chats_network);
  query.bind(1, since).bind(2, network);
  return count(query);
}

void LimitTable::record_send(const std::string& network, Millis now) {
  if (now - m_forgot_at >= k_send_step_ms) {
    Query forget(m_forget_sends);
    forget.bind(1, send_step_of(now - k_send_memory_ms));
    forget.run();
    m_forgot_at = now;
  }
  Query query(m_record_send);
  query.bind(1, network).bind(2, send_step_of(now));
  query.run();
}

int LimitTable::sends_since(Millis since, const std::string& network) {
  Query query(m_sends);
  query.bind(1, send_step_of(since)).bind(2, network);
  return count(query);
}

int LimitTable::visitor_count(ChatId chat) {
  Query query(m_visitor_count);
  query.bind(1, chat);
  return count(query);
}

std::optional<std::uint64_t> LimitTable::free_disk_bytes() const {
  auto directory = std::filesystem::path(m_path).parent_path();
  if (directory.empty()) directory = ".";
  struct statvfs stats {};
  if (::statvfs(directory.c_str(), &stats) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize;
}

}  // namespace seshat::store::sqlite
