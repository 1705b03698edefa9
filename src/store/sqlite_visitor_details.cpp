#include "store/sqlite_visitor_details.hpp"

#include "store/sqlite_codec.hpp"

namespace seshat::store::sqlite {

VisitorDetailsTable::VisitorDetailsTable(Database& db)
    : m_db(db),
      m_set(db,
            "INSERT INTO chat_details "
            "(chat_id, visitor, referrer, user_agent, address, utc_offset) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (chat_id) DO UPDATE SET "
            "visitor = excluded.visitor, referrer = excluded.referrer, "
            "user_agent = excluded.user_agent, address = excluded.address, "
            "utc_offset = excluded.utc_offset"),
      m_info(db,
             "SELECT coalesce(d.visitor, ''), coalesce(d.referrer, ''), "
             "coalesce(d.user_agent, ''), coalesce(d.address, ''), d.utc_offset, d.accepted_at "
             "FROM chats c LEFT JOIN chat_details d ON d.chat_id = c.id WHERE c.id = ?1"),
      m_earlier(db,
                "SELECT c.id, c.created_at, c.state FROM chat_details d JOIN chats c "
                "ON c.id = d.chat_id WHERE d.visitor = ?1 AND d.visitor != '' AND d.chat_id < ?2 "
                "ORDER BY d.chat_id DESC LIMIT ?3"),
      m_earlier_count(db,
                      "SELECT count(*) FROM chat_details WHERE visitor = ?1 AND visitor != '' "
                      "AND chat_id < ?2"),
      m_block(db,
              "INSERT INTO blocks (chat_id, visitor, address, until) "
              "SELECT chat_id, visitor, address, ?2 FROM chat_details "
              "WHERE chat_id = ?1 AND (visitor != '' OR address != '')"),
      m_unblock(db, "DELETE FROM blocks WHERE chat_id = ?1"),
      m_blocked_visitor(db,
                        "SELECT 1 FROM blocks WHERE visitor = ?1 AND visitor != '' AND until > ?2 "
                        "LIMIT 1"),
      m_blocked_address(db,
                        "SELECT 1 FROM blocks WHERE address = ?1 AND address != '' AND until > ?2 "
                        "LIMIT 1") {}

void VisitorDetailsTable::set(ChatId chat, const ChatDetails& details) {
  Query query(m_set);
  query.bind(1, chat)
      .bind(2, details.visitor)
      .bind(3, details.referrer)
      .bind(4, details.user_agent)
      .bind(5, details.address);
  if (details.utc_offset) query.bind(6, std::int64_t{*details.utc_offset});
  query.run();
}

std::optional<VisitorInfo> VisitorDetailsTable::info(ChatId chat, int earlier_limit) {
  VisitorInfo info;
  {
    Query query(m_info);
    query.bind(1, chat);
    if (!query.step()) return std::nullopt;
    info.details.visitor = query.text_at(0);
    info.details.referrer = query.text_at(1);
    info.details.user_agent = query.text_at(2);
    info.details.address = query.text_at(3);
    if (!query.is_null(4)) info.details.utc_offset = static_cast<int>(query.int_at(4));
    if (!query.is_null(5)) info.accepted_at = query.int_at(5);
  }
  if (info.details.visitor.empty()) return info;
  {
    Query query(m_earlier);
    query.bind(1, info.details.visitor).bind(2, chat).bind(3, std::int64_t{earlier_limit});
    while (query.step()) {
      info.earlier.push_back({query.int_at(0), query.int_at(1), state_from_name(query.text_at(2))});
    }
  }
  Query count(m_earlier_count);
  count.bind(1, info.details.visitor).bind(2, chat);
  if (count.step()) info.earlier_count = static_cast<int>(count.int_at(0));
  return info;
}

bool VisitorDetailsTable::block(ChatId chat, Millis until) {
  Query query(m_block);
  query.bind(1, chat).bind(2, until);
  query.run();
  return m_db.changes() > 0;
}

int VisitorDetailsTable::unblock(ChatId chat) {
  Query query(m_unblock);
  query.bind(1, chat);
  query.run();
  return static_cast<int>(m_db.changes());
}

bool VisitorDetailsTable::is_blocked(const std::string& visitor, const std::string& address,
                                     Millis now) {
  if (!visitor.empty()) {
    Query query(m_blocked_visitor);
    query.bind(1, visitor).bind(2, now);
    if (query.step()) return true;
  }
  if (!address.empty()) {
    Query query(m_blocked_address);
    query.bind(1, address).bind(2, now);
    if (query.step()) return true;
  }
  return false;
}

}  // namespace seshat::store::sqlite
