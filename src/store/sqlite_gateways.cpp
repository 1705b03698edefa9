#include "store/sqlite_gateways.hpp"

#include <utility>
#include <vector>

namespace seshat::store::sqlite {

GatewayTable::GatewayTable(Database& db)
    : m_db(db),
      m_add(db, "INSERT INTO gateways (seen_at) VALUES (?1)"),
      m_refresh(db, "UPDATE gateways SET seen_at = ?2 WHERE id = ?1"),
      m_hold(db, "INSERT OR IGNORE INTO visitor_holds (chat_id, gateway_id) VALUES (?1, ?2)"),
      m_mark_held(db, "UPDATE chats SET visitor_seen_at = ?2 WHERE id = ?1"),
      m_let_go(db, "DELETE FROM visitor_holds WHERE chat_id = ?1 AND gateway_id = ?2"),
      m_mark_seen(db,
                  "UPDATE chats SET visitor_seen_at = ?2 WHERE id = ?1 AND NOT EXISTS "
                  "(SELECT 1 FROM visitor_holds WHERE chat_id = ?1)"),
      // Run before the gateway's holds are deleted: the chats no other gateway holds.
      m_mark_all_seen(db,
                      "UPDATE chats SET visitor_seen_at = ?2 WHERE id IN (SELECT chat_id FROM "
                      "visitor_holds WHERE gateway_id = ?1) AND NOT EXISTS (SELECT 1 FROM "
                      "visitor_holds AS other WHERE other.chat_id = chats.id AND "
                      "other.gateway_id != ?1)"),
      m_let_go_all(db, "DELETE FROM visitor_holds WHERE gateway_id = ?1"),
      m_delete(db, "DELETE FROM gateways WHERE id = ?1"),
      m_stale(db, "SELECT id, seen_at FROM gateways WHERE seen_at < ?1"),
      m_any_stale(db, "SELECT 1 FROM gateways WHERE seen_at < ?1 LIMIT 1") {}

std::int64_t GatewayTable::add(Millis now) {
  Query query(m_add);
  query.bind(1, now);
  query.run();
  return m_db.last_insert_rowid();
}

bool GatewayTable::refresh(std::int64_t gateway, Millis now) {
  Query query(m_refresh);
  query.bind(1, gateway).bind(2, now);
  query.run();
  return m_db.changes() > 0;
}

void GatewayTable::hold(ChatId chat, std::int64_t gateway) {
  Query hold(m_hold);
  hold.bind(1, chat).bind(2, gateway);
  hold.run();
  Query mark(m_mark_held);
  mark.bind(1, chat).bind(2, k_held);
  mark.run();
}

void GatewayTable::let_go(ChatId chat, std::int64_t gateway, Millis now) {
  Query let_go(m_let_go);
  let_go.bind(1, chat).bind(2, gateway);
  let_go.run();
  Query mark(m_mark_seen);
  mark.bind(1, chat).bind(2, now);
  mark.run();
}

void GatewayTable::remove(std::int64_t gateway, Millis seen) {
  Query mark(m_mark_all_seen);
  mark.bind(1, gateway).bind(2, seen);
  mark.run();
  Query let_go(m_let_go_all);
  let_go.bind(1, gateway);
  let_go.run();
  Query remove(m_delete);
  remove.bind(1, gateway);
  remove.run();
}

bool GatewayTable::any_stale(Millis stale_before) {
  Query query(m_any_stale);
  query.bind(1, stale_before);
  return query.step();
}

int GatewayTable::reap(Millis stale_before) {
  std::vector<std::pair<std::int64_t, Millis>> stale;
  {
    Query query(m_stale);
    query.bind(1, stale_before);
    while (query.step()) stale.emplace_back(query.int_at(0), query.int_at(1));
  }
  for (const auto& [gateway, seen] : stale) remove(gateway, seen);
  return static_cast<int>(stale.size());
}

}  // namespace seshat::store::sqlite
