#pragma once
// The SQL of the messages table: each chat's log, numbered by seq from 1 without gaps (the
// seq is reserved on the chat row in the same transaction; see ChatTable::take_next_seq).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace seshat::store::sqlite {

class MessageTable {
 public:
  explicit MessageTable(Database& db);

  void insert(ChatId chat, const Message& message);
  // A visitor's message with the id of its send; false (nothing written) if the chat already
  // has a message with that id: the send was a retry.
  [[nodiscard]] bool insert_once(ChatId chat, const Message& message, const std::string& client_id);
  [[nodiscard]] std::vector<Message> after(ChatId chat, Seq after, int limit);
  // The seq of the chat's message sent with `client_id`, if any.
  [[nodiscard]] std::optional<Seq> seq_of_client_id(ChatId chat, const std::string& client_id);
  // The seq that message `seq` corrects, if it is a correction.
  [[nodiscard]] std::optional<Seq> replaces_of(ChatId chat, Seq seq);
  // Visitor messages beyond each live chat's relayed_seq, by chat then seq.
  [[nodiscard]] std::vector<Pending::VisitorMessage> unrelayed_visitor_messages();

 private:
  Database& m_db;
  Statement m_insert;
  Statement m_insert_once;
  Statement m_after;
  Statement m_replaces_of;
  Statement m_unrelayed;
  Statement m_seq_of_client_id;
};

}  // namespace seshat::store::sqlite
