// When the write-ahead log is copied into the database file: after a commit that filled it, or,
// for a transaction whose owner answers its callers first, only when the owner asks; by the
// file's checkpointer thread, and not after a write that failed until a commit succeeds.
#include <gtest/gtest.h>

#include <sys/statvfs.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
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
  m_db.wait_for_checkpoint();
  EXPECT_GT(file_size(), before + 100'000);
}

TEST_F(CheckpointTest, ABatchLeavesTheCheckpointToItsOwner) {
  const auto before = file_size();
  write_rows(AfterCommit::leave_checkpoint_to_owner);
  m_db.wait_for_checkpoint();
  EXPECT_EQ(file_size(), before);
  m_db.checkpoint_if_due();
  m_db.wait_for_checkpoint();
  EXPECT_GT(file_size(), before + 100'000);
}

TEST_F(CheckpointTest, NothingIsCopiedBeforeTheLogIsFull) {
  const auto before = file_size();
  m_db.exec("INSERT INTO rows VALUES (randomblob(100))");  // one page, far from 20
  m_db.checkpoint_if_due();
  m_db.wait_for_checkpoint();
  EXPECT_EQ(file_size(), before);
}

// Not on the thread that asked, and beside the writers: the copy completes while the caller
// holds the writers' lock (a disk with room: near a full one the copy waits for the writers).
TEST_F(CheckpointTest, TheCopyRunsOnAnotherThreadBesideTheWriters) {
  struct statvfs disk {};
  ASSERT_EQ(::statvfs(m_dir.path().c_str(), &disk), 0);
  if (std::uint64_t{disk.f_bavail} * disk.f_frsize < sqlite::Checkpointer::k_low_disk_bytes)
    GTEST_SKIP() << "the test directory's disk is nearly full";
  const auto before = file_size();
  write_rows(AfterCommit::leave_checkpoint_to_owner);
  const std::lock_guard writing(m_db.writers());
  m_db.checkpoint_if_due();
  m_db.wait_for_checkpoint();
  EXPECT_GT(file_size(), before + 100'000);
}

// A write transaction that did not commit (a full disk refuses it) holds every checkpoint back
// until a commit succeeds: a copy beside a refused commit could make its frames visible.
TEST_F(CheckpointTest, AFailedWriteHoldsCheckpointsUntilACommitSucceeds) {
  write_rows(AfterCommit::leave_checkpoint_to_owner);  // the log is due
  {
    Transaction refused(m_db);
    m_db.exec("INSERT INTO rows VALUES (randomblob(100))");
  }  // rolled back, as a failed commit is
  const auto before = file_size();
  m_db.checkpoint_if_due();
  m_db.wait_for_checkpoint();
  EXPECT_EQ(file_size(), before);

  write_rows(AfterCommit::checkpoint_if_due);  // commits: checkpoints may run again
  m_db.wait_for_checkpoint();
  EXPECT_GT(file_size(), before + 100'000);
}

}  // namespace
}  // namespace seshat::store
