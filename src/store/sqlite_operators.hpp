#pragma once
// The SQL of the operators table: who is available, as last reported by the broker, so that
// the visitor's side (another process, perhaps) can tell whether anyone may answer.

#include <string_view>

#include "store/sqlite_db.hpp"

namespace seshat::store::sqlite {

enum class Availability { unavailable, available };

class OperatorTable {
 public:
  explicit OperatorTable(Database& db);

  void set(std::string_view jid, Availability availability);
  void reset();  // every operator unavailable
  [[nodiscard]] int count_available();
  void set_free(std::string_view jid, bool free);  // available with room for a chat
  [[nodiscard]] int count_free();

 private:
  Statement m_set;
  Statement m_reset;
  Statement m_count_available;
  Statement m_set_free;
  Statement m_count_free;
};

}  // namespace seshat::store::sqlite
