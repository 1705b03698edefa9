// When the write-ahead log is copied into the database file: after a commit that filled it, or,
// for a transaction whose owner answers its callers first, only when the owner asks.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "store/sqlite_db.hpp"
#include "temp_dir.hpp"

namespace seshat::store {
namespace {

using sqlite::AfterCommit;
using sqlite::Database;
using sqlite::Transaction;
using sqlite::TransactionKind;

class CheckpointTest : public ::testing::Test {
 protected:
  CheckpointTest() {
    m_db.exec("PRAGMA journal_mode = WAL");
    m_db.exec("CREATE TABLE rows (data BLOB)");
    m_db.checkpoint_after(20);
  }

  // About 50 pages of the log.
  void write_rows(AfterCommit after) {
    Transaction transaction(m_db, TransactionKind::write, after);
    m_db.exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) "
        "INSERT INTO rows SELECT randomblob(3000) FROM n");
    transaction.commit();
  }

  // The database file itself grows only when a checkpoint copies the log into it.
  std::uintmax_t file_size() const { return std::filesystem::file_size(m_path); }

  testing::TempDir m_dir;
  std::string m_path = m_dir.file("checkpoint.db");
  Database m_db{m_path};
};

TEST_F(CheckpointTest, ACommitThatFillsTheLogCheckpointsRightAfter) {
  const auto before = file_size();
  write_rows(AfterCommit::checkpoint_if_due);
  EXPECT_GT(file_size(), before + 100'000);
}

TEST_F(CheckpointTest, ABatchLeavesTheCheckpointToItsOwner) {
  const auto before = file_size();
  write_rows(AfterCommit::leave_checkpoint_to_owner);
  EXPECT_EQ(file_size(), before);
  m_db.checkpoint_if_due();
  EXPECT_GT(file_size(), before + 100'000);
}

TEST_F(CheckpointTest, NothingIsCopiedBeforeTheLogIsFull) {
  const auto before = file_size();
  m_db.exec("INSERT INTO rows VALUES (randomblob(100))");  // one page, far from 20
  m_db.checkpoint_if_due();
  EXPECT_EQ(file_size(), before);
}

}  // namespace
}  // namespace seshat::store
