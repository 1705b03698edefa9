// The write-ahead log written a commit at a time (store/sqlite_log_writes.hpp): one write call for
// a commit's frames, and a log that other connections, and a process opening it after a crash,
// read whole, whatever the transaction did (large, spilled, rolled back in part or in all).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>

#include "store/sqlite_db.hpp"
#include "temp_dir.hpp"

namespace seshat::store {
namespace {

using sqlite::Database;
using sqlite::Query;
using sqlite::Statement;
using sqlite::Transaction;

// Write calls this process made so far (the kernel counts each write and pwrite).
std::int64_t write_calls() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::int64_t value = 0;
  while (io >> key >> value) {
    if (key == "syscw:") return value;
  }
  ADD_FAILURE() << "no syscw in /proc/self/io";
  return 0;
}

std::int64_t number(Database& db, const std::string& sql) {
  Statement statement(db, sql);
  Query query(statement);
  EXPECT_TRUE(query.step()) << sql;
  return query.int_at(0);
}

class LogWritesTest : public ::testing::Test {
 protected:
  static void prepare(Database& db) {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.checkpoint_after(1'000'000);  // the log keeps everything: nothing is copied meanwhile
    db.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, data BLOB)");
  }

  // `count` rows of 3,000 bytes, each on a page of its own.
  static void insert_rows(Database& db, int count) {
    db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
            std::to_string(count) + ") INSERT INTO rows (data) SELECT randomblob(3000) FROM n");
  }

  // Runs `work` in a child process that ends without closing anything (as if killed), so the
  // log is all there is of what it committed: a connection opened after it (after()) rebuilds
  // its index of the log from the log alone, checking each frame.
  void in_a_process_that_dies(const std::function<void(Database&)>& work) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      try {
        Database db(m_path);
        prepare(db);
        work(db);
        _exit(0);  // with the connection open
      } catch (...) {
        _exit(1);
      }
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_GT(std::filesystem::file_size(m_path + "-wal"), 0U);  // left for the next to read
  }

  Database& after() {
    if (!m_after) prepare(m_after.emplace(m_path));
    return *m_after;
  }

  testing::TempDir m_dir;
  std::string m_path = m_dir.file("log.db");
  std::optional<Database> m_after;
};

TEST_F(LogWritesTest, ACommitIsWrittenWithOneCall) {
  Database db(m_path);
  prepare(db);
  insert_rows(db, 1);  // the log's header is written (and synced) by a first commit
  const auto before = write_calls();
  {
    Transaction transaction(db);
    insert_rows(db, 20);  // 20 pages and more: 40 write calls and more, a frame at a time
    transaction.commit();
  }
  // One for the commit; a few to spare for other threads' writes (sanitizers' runtimes): a frame
  // at a time it would be 42 and more.
  EXPECT_LT(write_calls() - before, 10);
  EXPECT_EQ(number(db, "SELECT count(*) FROM rows"), 21);
}

TEST_F(LogWritesTest, AnotherConnectionReadsEachCommitWhole) {
  Database db(m_path);
  prepare(db);
  Database other(m_path);
  for (int round = 1; round <= 5; ++round) {
    Transaction transaction(db);
    insert_rows(db, 10);
    transaction.commit();
    EXPECT_EQ(number(other, "SELECT count(*) FROM rows"), 10 * round);
    EXPECT_EQ(number(other, "SELECT sum(length(data)) FROM rows"), 30'000 * round);
  }
}

TEST_F(LogWritesTest, ATransactionLargerThanOneWriteSurvivesACrash) {
  in_a_process_that_dies([](Database& db) {
    Transaction transaction(db);
    insert_rows(db, 300);  // about 1.2 MB of log, more than the largest single write
    transaction.commit();
  });
  EXPECT_EQ(number(after(), "SELECT count(*) FROM rows"), 300);
  EXPECT_EQ(number(after(), "SELECT sum(length(data)) FROM rows"), 900'000);
}

TEST_F(LogWritesTest, EachCommitOfAProcessThatDiesIsKept) {
  in_a_process_that_dies([](Database& db) {
    for (int i = 0; i < 20; ++i) {
      Transaction transaction(db);
      insert_rows(db, 3);
      transaction.commit();
    }
  });
  EXPECT_EQ(number(after(), "SELECT count(*) FROM rows"), 60);
}

TEST_F(LogWritesTest, ASpilledTransactionRolledBackLeavesOthersWritesWhole) {
  in_a_process_that_dies([this](Database& db) {
    Database other(m_path);
    db.exec("PRAGMA cache_size = 10");  // pages beyond 10 go to the log before the commit
    {
      Transaction transaction(db);
      insert_rows(db, 50);
    }  // rolled back
    // Another connection writes where the rolled back frames were.
    Transaction transaction(other);
    insert_rows(other, 5);
    transaction.commit();
  });
  EXPECT_EQ(number(after(), "SELECT count(*) FROM rows"), 5);
  EXPECT_EQ(number(after(), "SELECT sum(length(data)) FROM rows"), 15'000);
  Statement check(after(), "PRAGMA integrity_check");
  Query query(check);
  ASSERT_TRUE(query.step());
  EXPECT_EQ(query.text_at(0), "ok");
}

TEST_F(LogWritesTest, ASavepointRolledBackInsideASpilledTransactionIsNotKept) {
  in_a_process_that_dies([](Database& db) {
    db.exec("PRAGMA cache_size = 10");
    Transaction transaction(db);
    insert_rows(db, 30);
    db.exec("SAVEPOINT part");
    insert_rows(db, 40);
    db.exec("ROLLBACK TO part");
    db.exec("RELEASE part");
    db.exec("UPDATE rows SET data = zeroblob(100) WHERE id <= 10");
    transaction.commit();
  });
  EXPECT_EQ(number(after(), "SELECT count(*) FROM rows"), 30);
  EXPECT_EQ(number(after(), "SELECT sum(length(data)) FROM rows"), 10 * 100 + 20 * 3000);
  Statement check(after(), "PRAGMA integrity_check");
  Query query(check);
  ASSERT_TRUE(query.step());
  EXPECT_EQ(query.text_at(0), "ok");
}

}  // namespace
}  // namespace seshat::store
