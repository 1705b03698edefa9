#pragma once
// The SQL of the limits against floods, counted in the database so that they hold across
// gateways (design.md): chats created per minute (in total and per network), visitor messages
// per minute per network (visitor_send_counts: a row per network and 10-second step, kept a
// minute), and visitor messages stored per chat (chats.visitor_count, kept by ChatTable). Also the
// free space on the database's file system.

#include <cstdint>
#include <optional>
#include <string>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace seshat::store::sqlite {

class LimitTable {
 public:
  explicit LimitTable(Database& db);

  // Chats created at or after `since`; network "" counts every chat.
  [[nodiscard]] int chats_since(Millis since, const std::string& network);
  // Records one visitor message from `network`; forgets records older than a minute, at most
  // once a second.
  void record_send(const std::string& network, Millis now);
  [[nodiscard]] int sends_since(Millis since, const std::string& network);
  [[nodiscard]] int visitor_count(ChatId chat);
  // Bytes available to this process on the database's file system; nullopt if unknown.
  [[nodiscard]] std::optional<std::uint64_t> free_disk_bytes() const;

 private:
  std::string m_path;
  Statement m_chats_all;
  Statement m_chats_network;
  Statement m_record_send;
  Statement m_forget_sends;
  Statement m_sends;
  Statement m_visitor_count;
  Millis m_forgot_at = 0;
};

}  // namespace seshat::store::sqlite
