// Several users of one SQLite connection (serve's gateway and broker): they are one connection,
// and one user's batch keeps the others out until it ends.
#include "store/shared_connection.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "temp_dir.hpp"

namespace seshat::store {
namespace {

using namespace std::chrono_literals;

class SharedConnectionTest : public ::testing::Test {
 protected:
  static NewChat chat(const std::string& name) { return {name, "hello", "", "hash-" + name}; }

  seshat::testing::TempDir m_dir;
  std::string m_path = m_dir.file("seshat.db");
  SharedConnection m_shared{open_sqlite_store(m_path)};
  std::unique_ptr<Store> m_gateway = m_shared.user();
  std::unique_ptr<Store> m_broker = m_shared.user();
};

TEST_F(SharedConnectionTest, ItsUsersAreOneConnection) {
  // SQLite's data_version moves for another connection's commit, never for the connection's
  // own: the broker's view does not move when the gateway commits, a connection of its own does.
  auto other = open_sqlite_store(m_path);
  const auto broker_before = m_broker->data_version();
  const auto other_before = other->data_version();
  const auto id = m_gateway->create_chat(chat("ann"));
  EXPECT_EQ(m_broker->data_version(), broker_before);
  EXPECT_NE(other->data_version(), other_before);
  ASSERT_TRUE(m_broker->find_chat(id).has_value());
}

TEST_F(SharedConnectionTest, ABatchKeepsTheOtherUsersOutUntilItsCommit) {
  auto batch = m_gateway->begin_batch();
  const auto id = m_gateway->create_chat(chat("bob"));  // inside its own batch: no wait
  std::atomic<bool> committed = false;
  std::promise<void> asking;
  auto seen = std::async(std::launch::async, [&] {
    asking.set_value();
    const auto found = m_broker->find_chat(id);
    return std::make_pair(found.has_value(), committed.load());
  });
  asking.get_future().wait();
  // Time for a broker that did not wait to read the batch's uncommitted chat.
  std::this_thread::sleep_for(50ms);
  committed = true;
  batch->commit();
  const auto [found, after_commit] = seen.get();
  EXPECT_TRUE(found);
  EXPECT_TRUE(after_commit) << "the broker read inside the gateway's open batch";
}

TEST_F(SharedConnectionTest, TryBeginBatchDoesNotWaitForAnotherUsersBatch) {
  auto batch = m_broker->begin_batch();
  auto refused = std::async(std::launch::async, [&] { return m_gateway->try_begin_batch(); });
  ASSERT_EQ(refused.wait_for(5s), std::future_status::ready) << "try_begin_batch waited";
  EXPECT_EQ(refused.get(), nullptr);
  batch->commit();
  auto later = std::async(std::launch::async, [&] {
    auto own = m_gateway->try_begin_batch();
    return own != nullptr;
  });
  EXPECT_TRUE(later.get());
}

TEST_F(SharedConnectionTest, ABatchEndedUncommittedKeepsNothingAndLetsTheOthersIn) {
  ChatId id = 0;
  {
    auto batch = m_gateway->begin_batch();
    id = m_gateway->create_chat(chat("cy"));
  }
  auto seen = std::async(std::launch::async, [&] { return m_broker->find_chat(id).has_value(); });
  ASSERT_EQ(seen.wait_for(5s), std::future_status::ready) << "the ended batch still holds it";
  EXPECT_FALSE(seen.get());
  auto batch = m_broker->begin_batch();
  EXPECT_GT(m_broker->create_chat(chat("dee")), 0);
  batch->commit();
}

}  // namespace
}  // namespace seshat::store
