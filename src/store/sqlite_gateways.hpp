#pragma once
// The SQL of presence held by gateways (Store::hold_visitor): the gateways table (one row per
// running gateway, refreshed while it lives) and visitor_holds (which gateway holds which
// chat's event stream open). A held chat's visitor_seen_at is k_held; the last hold to go sets
// it to when the page was last known there.

#include <cstdint>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace seshat::store::sqlite {

class GatewayTable {
 public:
  explicit GatewayTable(Database& db);

  [[nodiscard]] std::int64_t add(Millis now);
  [[nodiscard]] bool refresh(std::int64_t gateway, Millis now);
  void hold(ChatId chat, std::int64_t gateway);
  void let_go(ChatId chat, std::int64_t gateway, Millis now);
  // Lets go of everything `gateway` holds (seen at `seen`) and deletes its row.
  void remove(std::int64_t gateway, Millis seen);
  [[nodiscard]] bool any_stale(Millis stale_before);
  [[nodiscard]] int reap(Millis stale_before);

 private:
  Database& m_db;
  Statement m_add;
  Statement m_refresh;
  Statement m_hold;
  Statement m_mark_held;
  Statement m_let_go;
  Statement m_mark_seen;
  Statement m_mark_all_seen;
  Statement m_let_go_all;
  Statement m_delete;
  Statement m_stale;
  Statement m_any_stale;
};

}  // namespace seshat::store::sqlite
