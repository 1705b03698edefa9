#pragma once
// The schema of the SQLite store, as an ordered list of named migrations. The database's
// PRAGMA user_version counts the migrations already applied; opening a database applies the
// missing ones in one write transaction, so a schema is never half-upgraded and two processes
// opening the same new file at once do not both migrate it.

#include <string_view>

#include "store/sqlite_db.hpp"

namespace seshat::store::sqlite {

// The schema version this build writes and understands (the number of migrations).
[[nodiscard]] int schema_version();
// The 1-based number of the migration named `name` (its version), 0 if none: tests that go
// back to the schema before one migration use it rather than assuming its place in the list.
[[nodiscard]] int migration_number(std::string_view name);

// Brings the schema of `db` up to schema_version(). Throws StoreError
// "database schema version N is newer than this seshat understands (M)" on a newer database.
void migrate(Database& db);

}  // namespace seshat::store::sqlite
