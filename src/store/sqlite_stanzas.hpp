#pragma once
// The SQL of operator_stanzas: the XMPP side of each operator message (its stanza id, the full
// JID that sent it, whether it asked for a receipt or is markable), which receipts, markers and
// corrections refer to. Callers own the transactions.

#include <optional>
#include <string_view>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace seshat::store::sqlite {

class StanzaTable {
 public:
  explicit StanzaTable(Database& db);

  void insert(ChatId chat, Seq seq, std::string_view full_jid, const core::OperatorStanza& stanza);
  // The latest message of `chat` whose stanza id is `stanza_id` and that came from the same
  // operator (bare JID) as `full_jid`; nothing when there is none.
  [[nodiscard]] std::optional<Seq> find(ChatId chat, std::string_view stanza_id,
                                        std::string_view full_jid);

 private:
  Statement m_insert;
  Statement m_find;
};

}  // namespace seshat::store::sqlite
