#pragma once
// The SQL of mail: the `mail` outbox (one row per mail, written before it is sent, marked sent
// once the SMTP server accepted it), each chat's `mailed_seq`, the site's Message-ID value, and
// retention (deleting what ended long ago, a few hundred rows per transaction).
// Callers own the transactions.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace seshat::store::sqlite {

class MailTable {
 public:
  explicit MailTable(Database& db);

  [[nodiscard]] std::vector<MailWatch> watch(int limit);
  [[nodiscard]] bool settle(ChatId chat, Seq from, Seq to);
  std::int64_t insert(ChatId chat, MailKind kind, const std::string& rcpt, Seq first_seq,
                      Seq up_to_seq, Millis now);
  [[nodiscard]] bool has_transcript(ChatId chat, const std::string& rcpt_key, Seq up_to);
  [[nodiscard]] int transcripts_of(ChatId chat);
  [[nodiscard]] int queued_for(const std::string& rcpt_key, Millis since);
  [[nodiscard]] std::vector<MailItem> due(Millis now, int limit);
  [[nodiscard]] std::vector<Millis> sent_to(const std::string& rcpt_key, Millis since);
  void mark_sent(std::int64_t id, Millis now);
  void retry(std::int64_t id, Millis next_attempt, const std::string& error);
  void defer(std::int64_t id, Millis next_attempt);
  void mark_failed(std::int64_t id, Millis now, const std::string& error);
  [[nodiscard]] int unsent();
  [[nodiscard]] std::string site();
  [[nodiscard]] Purged purge(Millis before, int max_rows);

 private:
  Database& m_db;
  Statement m_watch;
  Statement m_settle;
  Statement m_insert;
  Statement m_has_transcript;
  Statement m_transcripts_of;
  Statement m_queued_for;
  Statement m_due;
  Statement m_sent_to;
  Statement m_mark_sent;
  Statement m_retry;
  Statement m_defer;
  Statement m_mark_failed;
  Statement m_unsent;
  Statement m_site;
  Statement m_expired_chats;
  Statement m_purge_messages;
  Statement m_purge_chat_mail;
  Statement m_purge_chat;
  Statement m_outbox_bound;
  Statement m_purge_outbox;
};

}  // namespace seshat::store::sqlite
