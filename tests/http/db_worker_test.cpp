// The gateway's database thread (DbWorker): a job at rest runs on its caller's thread; one that
// comes right after another, or whose batch would wait for another writer, runs on the database
// thread.
#include "http/db_worker.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "store/store.hpp"
#include "temp_dir.hpp"

namespace seshat::http {
namespace {

using namespace std::chrono_literals;

class DbWorkerTest : public ::testing::Test {
 protected:
  DbWorker::StoreFactory factory() const {
    return [path = m_path] { return store::open_sqlite_store(path); };
  }

  // Submits a job that stores a message and says which thread ran it once its reply comes.
  std::future<std::thread::id> submit_message(DbWorker& worker) {
    auto ran = std::make_shared<std::promise<std::thread::id>>();
    auto result = ran->get_future();
    EXPECT_TRUE(worker.submit(
        [ran, chat = m_chat](visitors::Visitors&, store::Store& store) -> DbWorker::Reply {
          (void)store.add_message(chat, core::Author::visitor, "Hello");
          return [ran, id = std::this_thread::get_id()] { ran->set_value(id); };
        }));
    return result;
  }

  testing::TempDir m_dir;
  std::string m_path = m_dir.file("seshat.db");
  store::ChatId m_chat =
      store::open_sqlite_store(m_path)->create_chat({"visitor", "", "", "h", ""});
  store::ChangeFeed m_feed;
};

TEST_F(DbWorkerTest, AJobAtRestRunsOnItsCallersThreadAndIsCommitted) {
  DbWorker worker(factory(), m_feed, {}, 16);
  auto ran = submit_message(worker);
  ASSERT_EQ(ran.wait_for(0s), std::future_status::ready);  // answered before submit returned
  EXPECT_EQ(ran.get(), std::this_thread::get_id());
  EXPECT_EQ(store::open_sqlite_store(m_path)->find_chat(m_chat)->last_seq, 1);
}

TEST_F(DbWorkerTest, AJobRightAfterAnotherRunsOnTheDatabaseThread) {
  DbWorker worker(factory(), m_feed, {}, 16, nullptr, std::chrono::hours(1));
  EXPECT_EQ(submit_message(worker).get(), std::this_thread::get_id());  // the first is at rest
  EXPECT_NE(submit_message(worker).get(), std::this_thread::get_id());
  EXPECT_EQ(store::open_sqlite_store(m_path)->find_chat(m_chat)->last_seq, 2);
}

TEST_F(DbWorkerTest, AJobAtRestThatWouldWaitForAnotherWriterRunsOnTheDatabaseThread) {
  DbWorker worker(factory(), m_feed, {}, 16);
  auto other = store::open_sqlite_store(m_path);
  auto held = other->begin_batch();  // another writer of this process holds the database
  auto ran = submit_message(worker);
  EXPECT_EQ(ran.wait_for(50ms), std::future_status::timeout);  // waits for the writer, queued
  held->commit();
  EXPECT_NE(ran.get(), std::this_thread::get_id());
  EXPECT_EQ(other->find_chat(m_chat)->last_seq, 1);
}

}  // namespace
}  // namespace seshat::http
