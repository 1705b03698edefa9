#pragma once
// The SQL of the outbox: texts for operators, written in the same transaction as the change
// that caused them, sent by the XMPP side, marked delivered once the server took them.

#include <cstdint>
#include <string_view>
#include <vector>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace seshat::store::sqlite {

class OutboxTable {
 public:
  explicit OutboxTable(Database& db);

  std::int64_t add(const core::SendToOperator& send, Millis now);  // returns the row's id
  // One item per visitor message of `chat`, in seq order.
  void add_backlog(const core::RelayBacklog& backlog, Millis now);
  // Undelivered rows with ids above `after_id`, oldest first.
  [[nodiscard]] std::vector<OutboxItem> undelivered(std::int64_t after_id, int limit);
  // Marks the rows `ids` delivered: one statement per run of consecutive ids.
  void mark_delivered(std::vector<std::int64_t> ids);
  // Acknowledgements of operator messages of `chat` with seq in (after, up_to]: a XEP-0184
  // receipt for each that asked for one; one XEP-0333 displayed for the last markable one.
  // Each returns how many rows it queued.
  int add_receipts(ChatId chat, Seq after, Seq up_to, Millis now);
  int add_displayed(ChatId chat, Seq after, Seq up_to, Millis now);

 private:
  Database& m_db;
  Statement m_add;
  Statement m_add_backlog;
  Statement m_undelivered;
  Statement m_mark_delivered;
  Statement m_add_receipts;
  Statement m_add_displayed;
};

}  // namespace seshat::store::sqlite
