#pragma once
// The PostgreSQL schema and its migrations (the same tables and meanings as SQLite's,
// sqlite_migrations.cpp, in PostgreSQL's types), plus the leadership row of the brokers.

#include "store/pg_db.hpp"

namespace seshat::store::pg {

[[nodiscard]] int schema_version();
// Brings the database to schema_version() in one transaction; several processes starting at
// once queue on an advisory lock. Refuses, with StoreError, a schema newer than this binary.
void migrate(Connection& db);

}  // namespace seshat::store::pg
