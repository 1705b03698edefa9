#include "store/sqlite_chats.hpp"

#include <string>

#include "core/chat_machine.hpp"
#include "store/sqlite_codec.hpp"

namespace seshat::store::sqlite {
namespace {

using core::ChatState;

// Every query that returns whole chats selects these columns in this order (see read_record).
const std::string k_columns =
    "id, state, visitor_name, opening_message, page, operator_jid, token_hash, last_seq, "
    "relayed_seq, broker_seen, created_at, visitor_seen_at, told_held, email, left_message, "
    "language, handed_seq, read_seq, operator_name, operator_typing";
const std::string k_live = std::string(k_live_sql);
const std::string k_request = std::string(k_request_sql);

ChatRecord read_record(const Query& row) {
  ChatRecord record;
  record.chat.id = row.int_at(0);
  record.chat.state = state_from_name(row.text_at(1));
  record.chat.visitor_name = row.text_at(2);
  record.chat.opening_message = row.text_at(3);
  record.chat.page = row.text_at(4);
  record.chat.operator_jid = row.text_at(5);
  record.token_hash = row.text_at(6);
  record.last_seq = row.int_at(7);
  record.relayed_seq = row.int_at(8);
  if (!row.is_null(9)) record.broker_seen = state_from_name(row.text_at(9));
  record.created_at = row.int_at(10);
  record.visitor_seen_at = row.int_at(11);
  record.chat.told_held = row.int_at(12) != 0;
  record.chat.email = row.text_at(13);
  record.chat.left_message = row.int_at(14) != 0;
  record.chat.created_at = record.created_at;
  record.chat.language = row.text_at(15);
  record.handed_seq = row.int_at(16);
  record.read_seq = row.int_at(17);
  record.operator_name = row.text_at(18);
  record.operator_typing = row.int_at(19) != 0;
  return record;
}

}  // namespace

ChatTable::ChatTable(Database& db)
    : m_db(db),
      m_insert(db,
               "INSERT INTO chats (state, visitor_name, opening_message, page, token_hash, "
               "created_at, visitor_seen_at, email, language, network) VALUES ('waiting', ?1, ?2, "
               "?3, ?4, ?5, ?5, ?6, ?7, ?8)"),
      m_find(db, "SELECT " + k_columns + " FROM chats WHERE id = ?1"),
      m_state_of(db, "SELECT state FROM chats WHERE id = ?1"),
      m_live(db, "SELECT " + k_columns + " FROM chats WHERE " + k_live + " ORDER BY id"),
      // Two index ranges, so that the broker's check each second costs what is overdue rather
      // than a walk over every live chat (2 ms with 10,000 of them, on the broker's thread).
      m_overdue(db, "SELECT " + k_columns + " FROM chats INDEXED BY chats_live_seen WHERE " +
                        k_live + " AND visitor_seen_at < ?1 UNION SELECT " + k_columns +
                        " FROM chats INDEXED BY chats_requests_created WHERE " + k_request +
                        " AND created_at < ?2 ORDER BY id"),
      // Same condition as the chats_unseen index, so the index is used.
      m_unseen(db, "SELECT " + k_columns +
                       " FROM chats WHERE broker_seen IS NULL OR broker_seen != state ORDER BY id "
                       "LIMIT ?1"),
      m_next_seq_live(db, "UPDATE chats SET last_seq = last_seq + 1 WHERE id = ?1 AND " + k_live),
      m_next_seq_any(db, "UPDATE chats SET last_seq = last_seq + 1 WHERE id = ?1"),
      // relayed_seq >= visitor_seq: every earlier line went.
      m_next_visitor_seq(db,
                         "SELECT last_seq + 1, ?2 AND state = 'open' AND broker_seen = 'open' AND "
                         "relayed_seq >= visitor_seq, operator_jid, visitor_name FROM chats "
                         "WHERE id = ?1 AND " +
                             k_live),
      m_close_live(
          db,
          "UPDATE chats SET state = 'closed', last_seq = last_seq + 1 WHERE id = ?1 AND " + k_live),
      // Read after one of the updates above: RETURNING would build a temporary b-tree for
      // every row (it was a third of the gateway's database thread under load).
      m_last_seq(db, "SELECT last_seq FROM chats WHERE id = ?1"),
      // A visitor who sends has stopped typing (the message tells the operator's client so).
      m_take_visitor_seq(db,
                         "UPDATE chats SET last_seq = ?2, visitor_seq = ?2, relayed_seq = CASE "
                         "WHEN ?3 THEN ?2 ELSE relayed_seq END, visitor_count = visitor_count + 1, "
                         "visitor_typing = 0, visitor_typing_sent = 0 WHERE id = ?1 AND last_seq "
                         "= ?2 - 1"),
      m_open_chats_of(db, "SELECT count(*) FROM chats WHERE operator_jid = ?1 AND state = 'open'"),
      // ?3 NULL keeps the operator: a chat that ends remembers who handled it.
      m_set_state(db,
                  "UPDATE chats SET state = ?2, operator_jid = coalesce(?3, operator_jid), "
                  "broker_seen = ?2 WHERE id = ?1 AND state = ?4"),
      m_mark_relayed(db, "UPDATE chats SET relayed_seq = max(relayed_seq, ?2) WHERE id = ?1"),
      m_mark_all_relayed(db, "UPDATE chats SET relayed_seq = visitor_seq WHERE id = ?1"),
      m_hold_messages(db, "UPDATE chats SET told_held = 1 WHERE id = ?1"),
      m_mark_left(db, "UPDATE chats SET left_message = ?2 WHERE id = ?1"),
      // Requests are few next to live chats: the index of requests by creation time.
      m_queue(db, "SELECT id FROM chats INDEXED BY chats_requests_created WHERE " + k_request +
                      " ORDER BY id"),
      m_mark_seen(db, "UPDATE chats SET broker_seen = ?2 WHERE id = ?1"),
      m_touch_visitor(
          db, "UPDATE chats SET visitor_seen_at = ?2 WHERE id = ?1 AND visitor_seen_at != " +
                  std::to_string(k_held)),
      m_set_operator_name(db,
                          "UPDATE chats SET operator_name = ?2, operator_typing = 0 WHERE id = ?1"),
      m_set_operator_typing(db, "UPDATE chats SET operator_typing = ?2 WHERE id = ?1"),
      m_stop_operator_typing(
          db, "UPDATE chats SET operator_typing = 0 WHERE id = ?1 AND operator_typing != 0"),
      m_set_visitor_typing(db,
                           "UPDATE chats SET visitor_typing = ?2 WHERE id = ?1 AND "
                           "visitor_typing != ?2 AND " +
                               k_live),
      m_ack_visitor_typing(db, "UPDATE chats SET visitor_typing_sent = ?2 WHERE id = ?1"),
      // The chats_visitor_typing index's condition, word for word.
      m_visitor_typing(db,
                       "SELECT id, visitor_typing FROM chats "
                       "WHERE visitor_typing != visitor_typing_sent ORDER BY id"),
      m_hand_up(db, "UPDATE chats SET handed_seq = ?2 WHERE id = ?1 AND handed_seq < ?2"),
      m_mark_read(db, "UPDATE chats SET read_seq = ?2 WHERE id = ?1 AND read_seq < ?2"),
      m_progress(db, "SELECT handed_seq, read_seq FROM chats WHERE id = ?1") {}

ChatId ChatTable::insert(const NewChat& chat, Millis now) {
  Query query(m_insert);
  query.bind(1, chat.visitor_name)
      .bind(2, chat.opening_message)
      .bind(3, chat.page)
      .bind(4, chat.token_hash)
      .bind(5, now)
      .bind(6, chat.email)
      .bind(7, chat.language)
      .bind(8, chat.network);
  query.run();
  return m_db.last_insert_rowid();
}

std::optional<ChatRecord> ChatTable::find(ChatId id) {
  Query query(m_find);
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return read_record(query);
}

std::optional<core::ChatState> ChatTable::state_of(ChatId id) {
  Query query(m_state_of);
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return state_from_name(query.text_at(0));
}

std::vector<ChatRecord> ChatTable::read_all(Query& query) {
  std::vector<ChatRecord> records;
  while (query.step()) records.push_back(read_record(query));
  return records;
}

std::vector<ChatRecord> ChatTable::live() {
  Query query(m_live);
  return read_all(query);
}

std::vector<ChatRecord> ChatTable::overdue(Millis seen_before, Millis created_before) {
  Query query(m_overdue);
  query.bind(1, seen_before).bind(2, created_before);
  return read_all(query);
}

std::vector<ChatRecord> ChatTable::unseen(int limit) {
  Query query(m_unseen);
  query.bind(1, std::int64_t{limit});
  return read_all(query);
}

std::optional<Seq> ChatTable::single_seq(Statement& update, ChatId id) {
  {
    Query query(update);
    query.bind(1, id);
    query.run();
  }
  if (m_db.changes() != 1) return std::nullopt;
  Query query(m_last_seq);
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return query.int_at(0);
}

std::optional<Seq> ChatTable::take_next_seq(ChatId id, FinalChats final_chats) {
  return single_seq(final_chats == FinalChats::refuse ? m_next_seq_live : m_next_seq_any, id);
}

std::optional<ChatTable::VisitorSeq> ChatTable::next_visitor_seq(ChatId id, bool relay) {
  Query query(m_next_visitor_seq);
  query.bind(1, id).bind(2, std::int64_t{relay ? 1 : 0});
  if (!query.step()) return std::nullopt;
  VisitorSeq next{query.int_at(0)};
  if (query.int_at(1) != 0) next.relay = Relay{query.text_at(2), query.text_at(3)};
  return next;
}

void ChatTable::take_visitor_seq(ChatId id, const VisitorSeq& next) {
  {
    Query query(m_take_visitor_seq);
    query.bind(1, id).bind(2, next.seq).bind(3, std::int64_t{next.relay ? 1 : 0});
    query.run();
  }
  if (m_db.changes() != 1)
    throw StoreError("chat " + std::to_string(id) + " changed between its read and its write");
}

std::size_t ChatTable::open_chats_of(std::string_view operator_jid) {
  Query query(m_open_chats_of);
  query.bind(1, operator_jid);
  return query.step() ? static_cast<std::size_t>(query.int_at(0)) : 0;
}

std::optional<Seq> ChatTable::close_live(ChatId id) {
  return single_seq(m_close_live, id);
}

bool ChatTable::set_state(const core::SetState& change) {
  // The guard is the life cycle's table as well as the state it moves from: a move it does not
  // allow is refused like a changed state (no write; the batch rolls back).
  if (!core::is_allowed(change.from, change.to)) return false;
  Query query(m_set_state);
  query.bind(1, change.chat).bind(2, state_name(change.to)).bind(4, state_name(change.from));
  if (change.to == ChatState::open) {
    query.bind(3, change.operator_jid);
  } else if (change.to == ChatState::waiting || change.to == ChatState::notified) {
    query.bind(3, std::string_view{});  // offered again: nobody handles it
  } else {
    query.bind_null(3);
  }
  query.run();
  return m_db.changes() == 1;
}

void ChatTable::mark_relayed(ChatId id, Seq seq) {
  Query query(m_mark_relayed);
  query.bind(1, id).bind(2, seq);
  query.run();
}

void ChatTable::mark_all_relayed(ChatId id) {
  Query query(m_mark_all_relayed);
  query.bind(1, id);
  query.run();
}

void ChatTable::hold_messages(ChatId id) {
  Query query(m_hold_messages);
  query.bind(1, id);
  query.run();
}

void ChatTable::mark_left(ChatId id, bool left) {
  Query query(m_mark_left);
  query.bind(1, id).bind(2, std::int64_t{left ? 1 : 0});
  query.run();
}

std::vector<ChatId> ChatTable::queue() {
  Query query(m_queue);
  std::vector<ChatId> ids;
  while (query.step()) ids.push_back(query.int_at(0));
  return ids;
}

void ChatTable::mark_seen(const SeenState& seen) {
  Query query(m_mark_seen);
  query.bind(1, seen.chat).bind(2, state_name(seen.state));
  query.run();
}

void ChatTable::touch_visitor(ChatId id, Millis now) {
  Query query(m_touch_visitor);
  query.bind(1, id).bind(2, now);
  query.run();
}

void ChatTable::set_operator_name(ChatId id, std::string_view name) {
  Query query(m_set_operator_name);
  query.bind(1, id).bind(2, name);
  query.run();
}

void ChatTable::set_operator_typing(ChatId id, bool typing) {
  Query query(m_set_operator_typing);
  query.bind(1, id).bind(2, std::int64_t{typing ? 1 : 0});
  query.run();
}

void ChatTable::stop_operator_typing(ChatId id) {
  Query query(m_stop_operator_typing);
  query.bind(1, id);
  query.run();
}

bool ChatTable::set_visitor_typing(ChatId id, bool typing) {
  Query query(m_set_visitor_typing);
  query.bind(1, id).bind(2, std::int64_t{typing ? 1 : 0});
  query.run();
  return m_db.changes() == 1;
}

void ChatTable::ack_visitor_typing(ChatId id, bool typing) {
  Query query(m_ack_visitor_typing);
  query.bind(1, id).bind(2, std::int64_t{typing ? 1 : 0});
  query.run();
}

std::vector<Pending::VisitorTyping> ChatTable::visitor_typing_changes() {
  std::vector<Pending::VisitorTyping> changes;
  Query query(m_visitor_typing);
  while (query.step()) changes.push_back({query.int_at(0), query.int_at(1) != 0});
  return changes;
}

std::optional<ChatTable::Progress> ChatTable::progress(ChatId id) {
  Query query(m_progress);
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return Progress{query.int_at(0), query.int_at(1)};
}

void ChatTable::set_handed(ChatId id, Seq seq) {
  Query query(m_hand_up);
  query.bind(1, id).bind(2, seq);
  query.run();
}

void ChatTable::set_read(ChatId id, Seq seq) {
  Query query(m_mark_read);
  query.bind(1, id).bind(2, seq);
  query.run();
}

}  // namespace seshat::store::sqlite
