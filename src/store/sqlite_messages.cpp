#include "store/sqlite_messages.hpp"

#include <string>

#include "store/sqlite_codec.hpp"

namespace seshat::store::sqlite {

MessageTable::MessageTable(Database& db)
    : m_db(db),
      m_insert(db,
               "INSERT INTO messages (chat_id, seq, author, text, at, replaces, name) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
      // Only the client id's index may refuse it (a retry); a seq taken twice still fails.
      m_insert_once(db,
                    "INSERT INTO messages (chat_id, seq, author, text, at, client_id) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (chat_id, client_id) "
                    "WHERE client_id IS NOT NULL DO NOTHING"),
      m_after(db,
              "SELECT seq, author, text, at, replaces, name FROM messages WHERE chat_id = ?1 "
              "AND seq > ?2 ORDER BY seq LIMIT ?3"),
      m_replaces_of(db, "SELECT replaces FROM messages WHERE chat_id = ?1 AND seq = ?2"),
      // CROSS JOIN keeps chats as the outer loop: the live ones through the chats_live index,
      // then the tail of each one's primary key. Without it, an unanalyzed database may scan
      // every message ever written.
      m_unrelayed(db,
                  // The chats_unrelayed index's condition, word for word, so that it is used.
                  "SELECT m.chat_id, m.seq, m.text, m.at FROM chats c CROSS JOIN messages m "
                  "ON m.chat_id = c.id AND m.seq > c.relayed_seq WHERE " +
                      std::string(k_unrelayed_sql) +
                      " AND m.author = 'visitor' ORDER BY c.id, m.seq"),
      m_seq_of_client_id(db, "SELECT seq FROM messages WHERE chat_id = ?1 AND client_id = ?2") {}

void MessageTable::insert(ChatId chat, const Message& message) {
  Query query(m_insert);
  query.bind(1, chat)
      .bind(2, message.seq)
      .bind(3, author_name(message.from))
      .bind(4, message.text)
      .bind(5, message.at);
  if (message.replaces) query.bind(6, *message.replaces);
  if (!message.name.empty()) query.bind(7, message.name);
  query.run();
}

bool MessageTable::insert_once(ChatId chat, const Message& message, const std::string& client_id) {
  Query query(m_insert_once);
  query.bind(1, chat)
      .bind(2, message.seq)
      .bind(3, author_name(message.from))
      .bind(4, message.text)
      .bind(5, message.at)
      .bind(6, client_id);
  query.run();
  return m_db.changes() == 1;
}

std::optional<Seq> MessageTable::replaces_of(ChatId chat, Seq seq) {
  Query query(m_replaces_of);
  query.bind(1, chat).bind(2, seq);
  if (!query.step() || query.is_null(0)) return std::nullopt;
  return query.int_at(0);
}

std::vector<Message> MessageTable::after(ChatId chat, Seq after, int limit) {
  std::vector<Message> messages;
  if (limit <= 0) return messages;  // SQLite reads a negative LIMIT as "no limit"
  Query query(m_after);
  query.bind(1, chat).bind(2, after).bind(3, std::int64_t{limit});
  while (query.step()) {
    messages.push_back(Message{query.int_at(0), author_from_name(query.text_at(1)),
                               query.text_at(2), query.int_at(3),
                               query.is_null(4) ? std::nullopt : std::optional(query.int_at(4)),
                               query.is_null(5) ? std::string() : query.text_at(5)});
  }
  return messages;
}

std::optional<Seq> MessageTable::seq_of_client_id(ChatId chat, const std::string& client_id) {
  Query query(m_seq_of_client_id);
  query.bind(1, chat).bind(2, client_id);
  if (!query.step()) return std::nullopt;
  return query.int_at(0);
}

std::vector<Pending::VisitorMessage> MessageTable::unrelayed_visitor_messages() {
  std::vector<Pending::VisitorMessage> messages;
  Query query(m_unrelayed);
  while (query.step()) {
    messages.push_back(Pending::VisitorMessage{
        query.int_at(0),
        Message{query.int_at(1), core::Author::visitor, query.text_at(2), query.int_at(3)}});
  }
  return messages;
}

}  // namespace seshat::store::sqlite
