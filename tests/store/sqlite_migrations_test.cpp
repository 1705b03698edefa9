// Opening databases: creation, re-opening, refusing what this build cannot read.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "store/sqlite_codec.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_migrations.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace seshat::store {
namespace {

using sqlite::Database;
using sqlite::Query;
using sqlite::Statement;

std::string pragma_text(Database& db, const std::string& pragma) {
  Statement statement(db, "PRAGMA " + pragma);
  Query query(statement);
  if (!query.step()) throw std::runtime_error("no value for PRAGMA " + pragma);
  return query.text_at(0);
}

std::vector<std::string> tables(Database& db) {
  Statement statement(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
  Query query(statement);
  std::vector<std::string> names;
  while (query.step()) names.push_back(query.text_at(0));
  return names;
}

// How the file was before `migration` ran: `old_sql` puts back what it changed.
void rewind_before(const std::string& path, std::string_view migration,
                   const std::string& old_sql) {
  Database db(path);
  db.exec(old_sql +
          " PRAGMA user_version = " + std::to_string(sqlite::migration_number(migration) - 1));
}

std::string table_sql(const std::string& path, const std::string& table) {
  Database db(path);
  Statement statement(db, "SELECT sql FROM sqlite_schema WHERE name = '" + table + "'");
  Query query(statement);
  if (!query.step()) throw std::runtime_error("no table " + table);
  return query.text_at(0);
}

class MigrationsTest : public ::testing::Test {
 protected:
  testing::TempDir m_dir;
  std::string m_path = m_dir.file("seshat.db");
};

TEST_F(MigrationsTest, CreatesAMissingDatabaseAtTheCurrentVersion) {
  ASSERT_FALSE(std::filesystem::exists(m_path));
  (void)open_sqlite_store(m_path);
  ASSERT_TRUE(std::filesystem::exists(m_path));

  Database db(m_path);
  EXPECT_EQ(pragma_text(db, "user_version"), std::to_string(sqlite::schema_version()));
  EXPECT_EQ(pragma_text(db, "journal_mode"), "wal");  // persistent in the file
  const std::vector<std::string> expected{"blocks",           "chat_changes",
                                          "chat_details",     "chats",
                                          "gateways",         "mail",
                                          "mail_site",        "messages",
                                          "operator_stanzas", "operators",
                                          "outbox",           "sqlite_sequence",
                                          "visitor_holds",    "visitor_send_counts"};
  EXPECT_EQ(tables(db), expected);
}

TEST_F(MigrationsTest, TheConditionsInQueriesAreThoseOfTheirPartialIndexes) {
  // Queries spell these conditions so that SQLite uses the partial index; INDEXED BY makes the
  // statement fail to prepare ("no query solution") if a condition no longer implies its index's.
  (void)open_sqlite_store(m_path);
  Database db(m_path);
  const std::pair<std::string_view, std::string_view> uses[] = {
      {sqlite::k_live_sql, "chats_live"},
      {sqlite::k_live_sql, "chats_live_seen"},
      {sqlite::k_request_sql, "chats_requests_created"},
      {sqlite::k_unrelayed_sql, "chats_unrelayed"},
      {"visitor_typing != visitor_typing_sent", "chats_visitor_typing"},  // sqlite_chats.cpp
  };
  for (const auto& [condition, index] : uses) {
    EXPECT_NO_THROW(Statement(db, "SELECT id FROM chats INDEXED BY " + std::string(index) +
                                      " WHERE " + std::string(condition)))
        << index;
  }
}

TEST_F(MigrationsTest, ReopensWithoutLosingOrRedoingAnything) {
  ChatId id = 0;
  {
    auto store = open_sqlite_store(m_path);
    id = store->create_chat(NewChat{"Ann", "hello", "/", "h", ""});
  }
  auto store = open_sqlite_store(m_path);
  const auto chat = store->find_chat(id);
  ASSERT_TRUE(chat.has_value());
  EXPECT_EQ(chat->chat.opening_message, "hello");
  EXPECT_EQ(store->create_chat(NewChat{"Bob", "", "", "h", ""}), id + 1);

  Database db(m_path);
  EXPECT_EQ(pragma_text(db, "user_version"), std::to_string(sqlite::schema_version()));
}

TEST_F(MigrationsTest, OutboxIdsGoOnAboveEveryIdGivenBeforeTheRebuild) {
  (void)open_sqlite_store(m_path);
  // The outbox as older versions made it (AUTOINCREMENT), its newest rows (4 and 5) deleted.
  rewind_before(
      m_path, "outbox ids without AUTOINCREMENT",
      "DROP TABLE outbox; CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT "
      "NOT NULL, text TEXT NOT NULL, chat_id INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT "
      "NULL, delivered INTEGER NOT NULL DEFAULT 0, kind TEXT NOT NULL DEFAULT 'message', ref "
      "TEXT "
      "NOT NULL DEFAULT ''); CREATE INDEX outbox_undelivered ON outbox(id) WHERE delivered = 0; "
      "INSERT INTO outbox (jid, text, created_at) VALUES ('a@x', 'one', 1), ('a@x', 'two', 1), "
      "('a@x', 'three', 1), ('a@x', 'four', 1), ('a@x', 'five', 1); "
      "UPDATE outbox SET delivered = 1 WHERE id = 1; DELETE FROM outbox WHERE id > 3;");
  auto store = open_sqlite_store(m_path);
  ASSERT_TRUE(store->apply({core::SendToOperator{"a@x", "six", 0}}));
  const auto items = store->undelivered(0, 10);
  ASSERT_EQ(items.size(), 3u);  // the placeholder for 5 counts as delivered
  EXPECT_EQ(items[0].id, 2);
  EXPECT_EQ(items[0].text, "two");
  EXPECT_EQ(items[1].id, 3);
  EXPECT_EQ(items[2].id, 6);
  EXPECT_EQ(items[2].text, "six");

  EXPECT_EQ(table_sql(m_path, "outbox").find("AUTOINCREMENT"), std::string::npos);
}

TEST_F(MigrationsTest, MessagesKeepEverythingWhenRebuiltInTheOrderWritten) {
  ChatId chat = 0;
  {
    auto store = open_sqlite_store(m_path);
    chat = store->create_chat(NewChat{"Ann", "", "/", "h", ""});
    ASSERT_EQ(store->add_visitor_message_once(chat, "one", "client-1").seq, 1);
    ASSERT_EQ(store->add_message(chat, core::Author::operator_, "two").seq, 2);
    ASSERT_EQ(store->add_visitor_message_once(chat, "three", "client-3").seq, 3);
  }
  // The table as older versions made it: ordered by chat (WITHOUT ROWID).
  rewind_before(
      m_path, "messages in the order they are written",
      "CREATE TABLE messages_old (chat_id INTEGER NOT NULL REFERENCES chats(id), seq INTEGER "
      "NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL, client_id TEXT, "
      "replaces INTEGER, name TEXT, PRIMARY KEY (chat_id, seq)) WITHOUT ROWID; "
      "INSERT INTO messages_old SELECT chat_id, seq, author, text, at, client_id, replaces, name "
      "FROM messages; DROP TABLE messages; ALTER TABLE messages_old RENAME TO messages; "
      "CREATE UNIQUE INDEX messages_client_id ON messages(chat_id, client_id) "
      "WHERE client_id IS NOT NULL;");
  auto store = open_sqlite_store(m_path);
  const auto lines = store->messages_after(chat, 0, 10);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "one");
  EXPECT_EQ(lines[1].text, "two");
  EXPECT_EQ(lines[1].from, core::Author::operator_);
  EXPECT_EQ(lines[2].seq, 3);
  // The client ids came along: a retry of the first line is still that line.
  const auto retry = store->add_visitor_message_once(chat, "one", "client-1");
  EXPECT_TRUE(retry.repeated);
  EXPECT_EQ(retry.seq, 1);
  EXPECT_EQ(store->add_message(chat, core::Author::visitor, "four").seq, 4);

  EXPECT_EQ(table_sql(m_path, "messages").find("WITHOUT ROWID"), std::string::npos);
}

TEST_F(MigrationsTest, VisitorSendsKeepTheirCountWhenCountedInSteps) {
  (void)open_sqlite_store(m_path);
  // A row per message, as older versions kept them: three just now, one two minutes ago.
  const auto now = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  rewind_before(m_path, "visitor sends counted per network in 10-second steps",
                "DROP TABLE visitor_send_counts; CREATE TABLE visitor_sends (network TEXT NOT "
                "NULL, at INTEGER NOT NULL); INSERT INTO visitor_sends VALUES ('10.0.0.0/24', " +
                    now + "), ('10.0.0.0/24', " + now + "), ('10.0.0.0/24', " + now +
                    " - 1), ('10.0.1.0/24', " + now + " - 120000);");
  auto store = open_sqlite_store(m_path);
  EXPECT_EQ(store->visitor_sends_within(60'000, "10.0.0.0/24"), 3);
  EXPECT_EQ(store->visitor_sends_within(60'000, "10.0.1.0/24"), 0);
  store->record_visitor_send("10.0.0.0/24");
  EXPECT_EQ(store->visitor_sends_within(60'000, "10.0.0.0/24"), 4);
  Database db(m_path);
  const auto names = tables(db);
  EXPECT_EQ(std::count(names.begin(), names.end(), "visitor_sends"), 0);
}

TEST_F(MigrationsTest, RefusesANewerSchemaWithAClearMessage) {
  (void)open_sqlite_store(m_path);
  const int newer = sqlite::schema_version() + 1;
  {
    Database db(m_path);
    db.exec("PRAGMA user_version = " + std::to_string(newer));
  }
  try {
    (void)open_sqlite_store(m_path);
    FAIL() << "a newer schema was accepted";
  } catch (const StoreError& error) {
    EXPECT_EQ(std::string(error.what()), "database schema version " + std::to_string(newer) +
                                             " is newer than this seshat understands (" +
                                             std::to_string(sqlite::schema_version()) + ")");
  }
  Database db(m_path);
  EXPECT_EQ(pragma_text(db, "user_version"), std::to_string(newer));  // left alone
}

TEST_F(MigrationsTest, ExactMessageForANewerSchema) {
  const auto known = std::to_string(sqlite::schema_version());
  const auto newer = std::to_string(sqlite::schema_version() + 1);
  {
    Database db(m_path);
    db.exec("PRAGMA user_version = " + newer);
  }
  EXPECT_THROW(
      {
        try {
          (void)open_sqlite_store(m_path);
        } catch (const StoreError& error) {
          EXPECT_EQ(std::string(error.what()), "database schema version " + newer +
                                                   " is newer than this seshat understands (" +
                                                   known + ")");
          throw;
        }
      },
      StoreError);
}

TEST_F(MigrationsTest, MigratesAnEmptyExistingFile) {
  { std::ofstream touch(m_path); }
  auto store = open_sqlite_store(m_path);
  EXPECT_EQ(store->create_chat(NewChat{"Ann", "", "", "h", ""}), 1);
}

TEST_F(MigrationsTest, RefusesAFileThatIsNotADatabase) {
  {
    std::ofstream garbage(m_path, std::ios::binary);
    garbage << std::string(4096, 'x');
  }
  try {
    (void)open_sqlite_store(m_path);
    FAIL() << "garbage was opened";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("file is not a database"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find(m_path), std::string::npos) << error.what();
  }
}

TEST_F(MigrationsTest, RefusesAMissingDirectory) {
  const auto path = m_dir.file("no-such-dir/seshat.db");
  try {
    (void)open_sqlite_store(path);
    FAIL() << "opened a file in a missing directory";
  } catch (const StoreError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("cannot open database: ", 0), 0u) << error.what();
  }
}

}  // namespace
}  // namespace seshat::store
