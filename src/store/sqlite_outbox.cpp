#include "store/sqlite_outbox.hpp"

namespace seshat::store::sqlite {

OutboxTable::OutboxTable(Database& db)
    : m_add(db, "INSERT INTO outbox (jid, text, chat_id, created_at) VALUES (?1, ?2, ?3, ?4)"),
      // Rows are inserted (and so numbered) in the SELECT's order.
      m_add_backlog(db,
                    "INSERT INTO outbox (jid, text, chat_id, created_at) "
                    "SELECT ?1, text, chat_id, ?3 FROM messages "
                    "WHERE chat_id = ?2 AND author = 'visitor' ORDER BY seq"),
      m_undelivered(db,
                    "SELECT id, jid, text, chat_id FROM outbox WHERE delivered = 0 AND id > ?1 "
                    "ORDER BY id LIMIT ?2"),
      m_mark_delivered(db, "UPDATE outbox SET delivered = 1 WHERE id = ?1") {}

void OutboxTable::add(const core::SendToOperator& send, Millis now) {
  Query query(m_add);
  query.bind(1, send.jid).bind(2, send.text).bind(3, send.chat).bind(4, now);
  query.run();
}

void OutboxTable::add_backlog(const core::RelayBacklog& backlog, Millis now) {
  Query query(m_add_backlog);
  query.bind(1, backlog.jid).bind(2, backlog.chat).bind(3, now);
  query.run();
}

std::vector<OutboxItem> OutboxTable::undelivered(std::int64_t after_id, int limit) {
  std::vector<OutboxItem> items;
  if (limit <= 0) return items;  // SQLite reads a negative LIMIT as "no limit"
  Query query(m_undelivered);
  query.bind(1, after_id).bind(2, std::int64_t{limit});
  while (query.step()) {
    items.push_back(
        OutboxItem{query.int_at(0), query.text_at(1), query.text_at(2), query.int_at(3)});
  }
  return items;
}

void OutboxTable::mark_delivered(std::int64_t id) {
  Query query(m_mark_delivered);
  query.bind(1, id);
  query.run();
}

}  // namespace seshat::store::sqlite
