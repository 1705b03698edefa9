#include "store/sqlite_mail.hpp"

#include <algorithm>
#include <cctype>

#include "store/sqlite_codec.hpp"

namespace seshat::store::sqlite {
namespace {

constexpr int k_expired_chats_per_pass = 50;

std::string_view kind_name(MailKind kind) {
  return kind == MailKind::reply ? "reply" : "transcript";
}

MailKind kind_from_name(std::string_view name) {
  if (name == "reply") return MailKind::reply;
  if (name == "transcript") return MailKind::transcript;
  throw StoreError("unknown mail kind \"" + std::string(name) + "\" in the database");
}

std::string key_of(const std::string& rcpt) {
  std::string key = rcpt;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return key;
}

constexpr std::string_view k_unsent = "sent_at IS NULL AND failed_at IS NULL";

}  // namespace

MailTable::MailTable(Database& db)
    : m_db(db),
      // The chats_mail_due index's condition, word for word, so that it is used.
      m_watch(db,
              "SELECT id, state, email, visitor_seen_at, mailed_seq FROM chats "
              "INDEXED BY chats_mail_due WHERE email != '' AND last_seq > mailed_seq "
              "ORDER BY id LIMIT ?1"),
      m_settle(db, "UPDATE chats SET mailed_seq = ?3 WHERE id = ?1 AND mailed_seq = ?2"),
      m_insert(db,
               "INSERT INTO mail (chat_id, kind, rcpt, rcpt_key, first_seq, up_to_seq, "
               "created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"),
      m_has_transcript(db,
                       "SELECT 1 FROM mail WHERE chat_id = ?1 AND kind = 'transcript' "
                       "AND rcpt_key = ?2 AND up_to_seq >= ?3 AND failed_at IS NULL LIMIT 1"),
      m_transcripts_of(db, "SELECT count(*) FROM mail WHERE chat_id = ?1 AND kind = 'transcript'"),
      m_queued_for(db, "SELECT count(*) FROM mail WHERE rcpt_key = ?1 AND created_at >= ?2"),
      m_due(db,
            "SELECT id, chat_id, kind, rcpt, first_seq, up_to_seq, created_at, attempts "
            "FROM mail INDEXED BY mail_unsent WHERE " +
                std::string(k_unsent) +
                " AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2"),
      m_sent_to(db,
                "SELECT sent_at FROM mail WHERE rcpt_key = ?1 AND sent_at >= ?2 ORDER BY sent_at"),
      m_mark_sent(db, "UPDATE mail SET sent_at = ?2, last_error = '' WHERE id = ?1"),
      m_retry(db,
              "UPDATE mail SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 "
              "WHERE id = ?1"),
      m_defer(db, "UPDATE mail SET next_attempt_at = ?2 WHERE id = ?1"),
      m_mark_failed(db,
                    "UPDATE mail SET failed_at = ?2, attempts = attempts + 1, last_error = ?3 "
                    "WHERE id = ?1"),
      m_unsent(db,
               "SELECT count(*) FROM mail INDEXED BY mail_unsent WHERE " + std::string(k_unsent)),
      m_site(db, "SELECT value FROM mail_site WHERE id = 1"),
      // Oldest first through the chats_ended index; a chat with mail still to send waits.
      m_expired_chats(db,
                      "SELECT id FROM chats INDEXED BY chats_ended WHERE ended_at IS NOT NULL "
                      "AND ended_at < ?1 AND NOT EXISTS (SELECT 1 FROM mail WHERE "
                      "mail.chat_id = chats.id AND mail.sent_at IS NULL AND mail.failed_at IS "
                      "NULL) ORDER BY ended_at LIMIT ?2"),
      m_purge_messages(db,
                       "DELETE FROM messages WHERE chat_id = ?1 AND seq IN (SELECT seq FROM "
                       "messages WHERE chat_id = ?1 ORDER BY seq LIMIT ?2)"),
      m_purge_chat_mail(db, "DELETE FROM mail WHERE chat_id = ?1"),
      m_purge_chat(db, "DELETE FROM chats WHERE id = ?1"),
      // The outbox in id order (which is time order): everything before the first row that is
      // recent or not yet confirmed (the search stops at that row), and never the newest row: a
      // new row's id is the highest plus one, so it keeps every id from being given again.
      m_outbox_bound(
          db,
          "SELECT coalesce((SELECT id FROM outbox WHERE created_at >= ?1 OR delivered = 0 "
          "ORDER BY id LIMIT 1), (SELECT max(id) FROM outbox), 0)"),
      m_purge_outbox(db,
                     "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE id < ?1 "
                     "ORDER BY id LIMIT ?2)") {}

std::vector<MailWatch> MailTable::watch(int limit) {
  std::vector<MailWatch> chats;
  if (limit <= 0) return chats;
  Query query(m_watch);
  query.bind(1, std::int64_t{limit});
  while (query.step()) {
    chats.push_back(MailWatch{query.int_at(0), state_from_name(query.text_at(1)), query.text_at(2),
                              query.int_at(3), query.int_at(4)});
  }
  return chats;
}

bool MailTable::settle(ChatId chat, Seq from, Seq to) {
  Query query(m_settle);
  query.bind(1, chat).bind(2, from).bind(3, to);
  query.run();
  return m_db.changes() == 1;
}

std::int64_t MailTable::insert(ChatId chat, MailKind kind, const std::string& rcpt, Seq first_seq,
                               Seq up_to_seq, Millis now) {
  Query query(m_insert);
  query.bind(1, chat)
      .bind(2, kind_name(kind))
      .bind(3, rcpt)
      .bind(4, key_of(rcpt))
      .bind(5, first_seq)
      .bind(6, up_to_seq)
      .bind(7, now);
  query.run();
  return m_db.last_insert_rowid();
}

bool MailTable::has_transcript(ChatId chat, const std::string& rcpt_key, Seq up_to) {
  Query query(m_has_transcript);
  query.bind(1, chat).bind(2, rcpt_key).bind(3, up_to);
  return query.step();
}

int MailTable::transcripts_of(ChatId chat) {
  Query query(m_transcripts_of);
  query.bind(1, chat);
  return query.step() ? static_cast<int>(query.int_at(0)) : 0;
}

int MailTable::queued_for(const std::string& rcpt_key, Millis since) {
  Query query(m_queued_for);
  query.bind(1, rcpt_key).bind(2, since);
  return query.step() ? static_cast<int>(query.int_at(0)) : 0;
}

std::vector<MailItem> MailTable::due(Millis now, int limit) {
  std::vector<MailItem> items;
  if (limit <= 0) return items;
  Query query(m_due);
  query.bind(1, now).bind(2, std::int64_t{limit});
  while (query.step()) {
    items.push_back(MailItem{query.int_at(0), query.int_at(1), kind_from_name(query.text_at(2)),
                             query.text_at(3), query.int_at(4), query.int_at(5), query.int_at(6),
                             static_cast<int>(query.int_at(7))});
  }
  return items;
}

std::vector<Millis> MailTable::sent_to(const std::string& rcpt_key, Millis since) {
  std::vector<Millis> times;
  Query query(m_sent_to);
  query.bind(1, rcpt_key).bind(2, since);
  while (query.step()) times.push_back(query.int_at(0));
  return times;
}

void MailTable::mark_sent(std::int64_t id, Millis now) {
  Query query(m_mark_sent);
  query.bind(1, id).bind(2, now);
  query.run();
}

void MailTable::retry(std::int64_t id, Millis next_attempt, const std::string& error) {
  Query query(m_retry);
  query.bind(1, id).bind(2, next_attempt).bind(3, error);
  query.run();
}

void MailTable::defer(std::int64_t id, Millis next_attempt) {
  Query query(m_defer);
  query.bind(1, id).bind(2, next_attempt);
  query.run();
}

void MailTable::mark_failed(std::int64_t id, Millis now, const std::string& error) {
  Query query(m_mark_failed);
  query.bind(1, id).bind(2, now).bind(3, error);
  query.run();
}

int MailTable::unsent() {
  Query query(m_unsent);
  return query.step() ? static_cast<int>(query.int_at(0)) : 0;
}

std::string MailTable::site() {
  Query query(m_site);
  if (!query.step()) throw StoreError("the mail_site row is missing (" + m_db.path() + ")");
  return query.text_at(0);
}

Purged MailTable::purge(Millis before, int max_rows) {
  Purged purged;
  std::vector<ChatId> chats;
  {
    Query query(m_expired_chats);
    query.bind(1, before).bind(2, std::int64_t{k_expired_chats_per_pass});
    while (query.step()) chats.push_back(query.int_at(0));
  }
  for (const auto chat : chats) {
    const int room = max_rows - purged.rows();
    if (room <= 0) return purged;
    {
      Query query(m_purge_messages);
      query.bind(1, chat).bind(2, std::int64_t{room});
      query.run();
    }
    const auto messages = static_cast<int>(m_db.changes());
    purged.messages += messages;
    if (messages == room) return purged;  // maybe more of this chat: the next pass goes on
    {
      Query query(m_purge_chat_mail);
      query.bind(1, chat);
      query.run();
    }
    purged.mail += static_cast<int>(m_db.changes());
    Query query(m_purge_chat);
    query.bind(1, chat);
    query.run();
    purged.chats += static_cast<int>(m_db.changes());
  }
  const int room = max_rows - purged.rows();
  if (room <= 0) return purged;
  std::int64_t bound = 0;
  {
    Query query(m_outbox_bound);
    query.bind(1, before);
    if (query.step()) bound = query.int_at(0);
  }
  Query query(m_purge_outbox);
  query.bind(1, bound).bind(2, std::int64_t{room});
  query.run();
  purged.outbox = static_cast<int>(m_db.changes());
  return purged;
}

}  // namespace seshat::store::sqlite
