#include "store/sqlite_operators.hpp"

namespace seshat::store::sqlite {

OperatorTable::OperatorTable(Database& db)
    : m_set(db,
            "INSERT INTO operators (jid, available) VALUES (?1, ?2) "
            "ON CONFLICT (jid) DO UPDATE SET available = excluded.available"),
      m_reset(db, "UPDATE operators SET available = 0, free = 0 WHERE available != 0 OR free != 0"),
      m_count_available(db, "SELECT count(*) FROM operators WHERE available != 0"),
      m_set_free(db,
                 "INSERT INTO operators (jid, available, free) VALUES (?1, 0, ?2) "
                 "ON CONFLICT (jid) DO UPDATE SET free = excluded.free"),
      m_count_free(db, "SELECT count(*) FROM operators WHERE free != 0") {}

void OperatorTable::set(std::string_view jid, Availability availability) {
  Query query(m_set);
  query.bind(1, jid).bind(2, std::int64_t{availability == Availability::available ? 1 : 0});
  query.run();
}

void OperatorTable::reset() {
  Query query(m_reset);
  query.run();
}

int OperatorTable::count_available() {
  Query query(m_count_available);
  if (!query.step()) return 0;
  return static_cast<int>(query.int_at(0));
}

void OperatorTable::set_free(std::string_view jid, bool free) {
  Query query(m_set_free);
  query.bind(1, jid).bind(2, std::int64_t{free ? 1 : 0});
  query.run();
}

int OperatorTable::count_free() {
  Query query(m_count_free);
  if (!query.step()) return 0;
  return static_cast<int>(query.int_at(0));
}

}  // namespace seshat::store::sqlite
