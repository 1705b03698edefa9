#include "store/sqlite_stanzas.hpp"

#include <string>

#include "core/presence.hpp"

namespace seshat::store::sqlite {

StanzaTable::StanzaTable(Database& db)
    : m_insert(db,
               "INSERT OR REPLACE INTO operator_stanzas "
               "(chat_id, seq, jid, stanza_id, receipt, markable) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
      m_find(db,
             "SELECT seq, jid FROM operator_stanzas WHERE chat_id = ?1 AND stanza_id = ?2 "
             "ORDER BY seq DESC") {}

void StanzaTable::insert(ChatId chat, Seq seq, std::string_view full_jid,
                         const core::OperatorStanza& stanza) {
  Query query(m_insert);
  query.bind(1, chat)
      .bind(2, seq)
      .bind(3, full_jid)
      .bind(4, stanza.id)
      .bind(5, std::int64_t{stanza.wants_receipt ? 1 : 0})
      .bind(6, std::int64_t{stanza.markable ? 1 : 0});
  query.run();
}

std::optional<Seq> StanzaTable::find(ChatId chat, std::string_view stanza_id,
                                     std::string_view full_jid) {
  const auto operator_jid = core::split_jid(full_jid).bare;
  Query query(m_find);
  query.bind(1, chat).bind(2, stanza_id);
  while (query.step()) {
    // Another operator's message with the same id (the chat changed hands) is not theirs to
    // correct.
    if (core::split_jid(query.text_at(1)).bare == operator_jid) return query.int_at(0);
  }
  return std::nullopt;
}

}  // namespace seshat::store::sqlite
