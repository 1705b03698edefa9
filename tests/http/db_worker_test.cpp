#include "http/db_worker.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "store/change_feed.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace seshat::http {
namespace {

using Urgency = DbWorker::Urgency;

class DbWorkerTest : public ::testing::Test {
 protected:
  // Records the order in which jobs ran.
  DbWorker::Job note(std::string name) {
    return [this, name = std::move(name)](visitors::Visitors&, store::Store&) -> DbWorker::Reply {
      std::lock_guard lock(m_mutex);
      m_ran.push_back(name);
      return {};
    };
  }
  std::vector<std::string> ran() {
    std::lock_guard lock(m_mutex);
    return m_ran;
  }

  std::mutex m_mutex;
  std::vector<std::string> m_ran;  // before the worker, which runs what is left as it goes
  testing::TempDir m_dir;
  store::ChangeFeed m_feed;
  // Jobs that may wait wait an hour: only hurry(), stop() or company run them in a test.
  DbWorker m_worker{[this] { return store::open_store(m_dir.file("seshat.db")); },
                    m_feed,
                    {},
                    100,
                    nullptr,
                    std::chrono::hours(1)};
};

TEST_F(DbWorkerTest, AJobThatMayWaitRunsAfterTheOnesThatMayNot) {
  // The worker is held busy while both are queued, the one that may wait first.
  std::promise<void> release;
  auto held = release.get_future().share();
  ASSERT_TRUE(m_worker.submit([held](visitors::Visitors&, store::Store&) -> DbWorker::Reply {
    held.wait();
    return {};
  }));
  ASSERT_TRUE(m_worker.submit(note("heartbeat"), Urgency::may_wait));
  std::promise<void> answered;
  ASSERT_TRUE(m_worker.submit([&](visitors::Visitors& visitors, store::Store& store) {
    note("message")(visitors, store);
    answered.set_value();
    return DbWorker::Reply{};
  }));
  release.set_value();
  ASSERT_EQ(answered.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(ran(), std::vector<std::string>{"message"});  // the heartbeat still waits
  m_worker.stop();
  EXPECT_EQ(ran(), (std::vector<std::string>{"message", "heartbeat"}));
}

TEST(DbWorker, AJobThatMayWaitRunsAloneOnceItsWaitIsOver) {
  testing::TempDir dir;
  store::ChangeFeed feed;
  DbWorker worker([&dir] { return store::open_store(dir.file("seshat.db")); }, feed, {}, 100);
  std::promise<void> done;
  ASSERT_TRUE(worker.submit(
      [&done](visitors::Visitors&, store::Store&) -> DbWorker::Reply {
        done.set_value();
        return {};
      },
      Urgency::may_wait));
  EXPECT_EQ(done.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST_F(DbWorkerTest, HurryRunsTheJobsThatWaitAtOnce) {
  std::promise<void> done;
  ASSERT_TRUE(m_worker.submit(note("heartbeat"), Urgency::may_wait));
  ASSERT_TRUE(m_worker.submit(
      [&done](visitors::Visitors&, store::Store&) -> DbWorker::Reply {
        done.set_value();
        return {};
      },
      Urgency::may_wait));
  m_worker.hurry();
  ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(ran(), std::vector<std::string>{"heartbeat"});
}

TEST_F(DbWorkerTest, StoppingRunsTheJobsThatWait) {
  ASSERT_TRUE(m_worker.submit(note("heartbeat"), Urgency::may_wait));
  m_worker.stop();
  EXPECT_EQ(ran(), std::vector<std::string>{"heartbeat"});
}

TEST_F(DbWorkerTest, TheQueueBoundCountsTheJobsThatWait) {
  std::promise<void> release;
  auto held = release.get_future().share();
  ASSERT_TRUE(m_worker.submit([held](visitors::Visitors&, store::Store&) -> DbWorker::Reply {
    held.wait();
    return {};
  }));
  int queued = 0;
  while (m_worker.submit(note("heartbeat"), Urgency::may_wait)) ++queued;
  EXPECT_LE(queued, 100);
  EXPECT_FALSE(m_worker.submit(note("message")));
  release.set_value();
}

}  // namespace
}  // namespace seshat::http
