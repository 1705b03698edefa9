#pragma once
// The SQL of what a visitor's browser told about them (chat_details: !INFO) and of blocks
// (!BLOCK): a block refuses new chats from a browser id or an address until its time is up.

#include <optional>
#include <string>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace seshat::store::sqlite {

class VisitorDetailsTable {
 public:
  explicit VisitorDetailsTable(Database& db);

  void set(ChatId chat, const ChatDetails& details);
  [[nodiscard]] std::optional<VisitorInfo> info(ChatId chat, int earlier_limit);
  [[nodiscard]] bool block(ChatId chat, Millis until);
  [[nodiscard]] int unblock(ChatId chat);
  [[nodiscard]] bool is_blocked(const std::string& visitor, const std::string& address, Millis now);

 private:
  Database& m_db;
  Statement m_set;
  Statement m_info;
  Statement m_earlier;
  Statement m_earlier_count;
  Statement m_block;
  Statement m_unblock;
  Statement m_blocked_visitor;
  Statement m_blocked_address;
};

}  // namespace seshat::store::sqlite
