#include "store/sqlite_outbox.hpp"

#include <algorithm>
#include <iterator>

namespace seshat::store::sqlite {

OutboxTable::OutboxTable(Database& db)
    : m_db(db),
      m_add(db, "INSERT INTO outbox (jid, text, chat_id, created_at) VALUES (?1, ?2, ?3, ?4)"),
      // Rows are inserted (and so numbered) in the SELECT's order.
      m_add_backlog(db,
                    "INSERT INTO outbox (jid, text, chat_id, created_at) "
                    "SELECT ?1, ?4 || text, chat_id, ?3 FROM messages "
                    "WHERE chat_id = ?2 AND author = 'visitor' ORDER BY seq"),
      m_undelivered(db,
                    "SELECT id, jid, text, chat_id, kind, ref FROM outbox WHERE delivered = 0 "
                    "AND id > ?1 ORDER BY id LIMIT ?2"),
      m_mark_delivered(db, "UPDATE outbox SET delivered = 1 WHERE id >= ?1 AND id <= ?2"),
      // Each operator message in (?2, ?3] that asked for a receipt, oldest first.
      m_add_receipts(db,
                     "INSERT INTO outbox (jid, text, chat_id, created_at, kind, ref) "
                     "SELECT jid, '', chat_id, ?4, 'received', stanza_id FROM operator_stanzas "
                     "WHERE chat_id = ?1 AND seq > ?2 AND seq <= ?3 AND receipt = 1 ORDER BY seq"),
      // XEP-0333: a marker for the last message says the earlier ones were seen too.
      m_add_displayed(db,
                      "INSERT INTO outbox (jid, text, chat_id, created_at, kind, ref) "
                      "SELECT jid, '', chat_id, ?4, 'displayed', stanza_id FROM operator_stanzas "
                      "WHERE chat_id = ?1 AND seq > ?2 AND seq <= ?3 AND markable = 1 "
                      "ORDER BY seq DESC LIMIT 1") {}

std::int64_t OutboxTable::add(const core::SendToOperator& send, Millis now) {
  Query query(m_add);
  query.bind(1, send.jid).bind(2, send.text).bind(3, send.chat).bind(4, now);
  query.run();
  return m_db.last_insert_rowid();
}

void OutboxTable::add_backlog(const core::RelayBacklog& backlog, Millis now) {
  Query query(m_add_backlog);
  query.bind(1, backlog.jid).bind(2, backlog.chat).bind(3, now).bind(4, backlog.prefix);
  query.run();
}

std::vector<OutboxItem> OutboxTable::undelivered(std::int64_t after_id, int limit) {
  std::vector<OutboxItem> items;
  if (limit <= 0) return items;  // SQLite reads a negative LIMIT as "no limit"
  Query query(m_undelivered);
  query.bind(1, after_id).bind(2, std::int64_t{limit});
  while (query.step()) {
    const auto kind = query.text_at(4);
    items.push_back(OutboxItem{query.int_at(0), query.text_at(1), query.text_at(2), query.int_at(3),
                               kind == "received"    ? OutboxKind::received
                               : kind == "displayed" ? OutboxKind::displayed
                                                     : OutboxKind::message,
                               query.text_at(5)});
  }
  return items;
}

int OutboxTable::add_receipts(ChatId chat, Seq after, Seq up_to, Millis now) {
  Query query(m_add_receipts);
  query.bind(1, chat).bind(2, after).bind(3, up_to).bind(4, now);
  query.run();
  return static_cast<int>(m_db.changes());
}

int OutboxTable::add_displayed(ChatId chat, Seq after, Seq up_to, Millis now) {
  Query query(m_add_displayed);
  query.bind(1, chat).bind(2, after).bind(3, up_to).bind(4, now);
  query.run();
  return static_cast<int>(m_db.changes());
}

void OutboxTable::mark_delivered(std::vector<std::int64_t> ids) {
  // The server confirms a batch of stanzas at once, mostly rows in a row.
  std::sort(ids.begin(), ids.end());
  for (auto first = ids.begin(); first != ids.end();) {
    auto last = first;
    while (std::next(last) != ids.end() && *std::next(last) <= *last + 1) ++last;
    Query query(m_mark_delivered);
    query.bind(1, *first).bind(2, *last);
    query.run();
    first = std::next(last);
  }
}

}  // namespace seshat::store::sqlite
