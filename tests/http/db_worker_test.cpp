// The gateway's database thread (DbWorker): a job at rest runs on its caller's thread; one that
// comes right after another, or whose batch would wait for another writer, runs on the database
// thread; under load a batch waits for others to share its commit, a quiet one does not.
#include "http/db_worker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "forwarding_store.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace seshat::http {
namespace {

using namespace std::chrono_literals;

// Under load (a batch of 2) the next batch waits for 4 jobs, as long as it takes.
constexpr BatchPace k_small_pace{.busy = 2, .full = 4, .gather = std::chrono::hours(1)};

// Counts the batches the worker begins.
class CountingStore : public testing::ForwardingStore {
 public:
  CountingStore(std::shared_ptr<store::Store> real, std::atomic<int>& batches)
      : ForwardingStore(std::move(real)), m_batches(batches) {}
  std::unique_ptr<store::Batch> begin_batch() override {
    ++m_batches;
    return ForwardingStore::begin_batch();
  }
  std::unique_ptr<store::Batch> try_begin_batch() override {
    auto batch = ForwardingStore::try_begin_batch();
    if (batch) ++m_batches;
    return batch;
  }

 private:
  std::atomic<int>& m_batches;
};

class DbWorkerTest : public ::testing::Test {
 protected:
  DbWorker::StoreFactory factory() const {
    return [path = m_path] { return store::open_sqlite_store(path); };
  }
  DbWorker::StoreFactory counting_factory() {
    return [this] {
      return std::make_unique<CountingStore>(store::open_sqlite_store(m_path), m_batches);
    };
  }
  // `n` messages, their answers.
  std::vector<std::future<std::thread::id>> submit_messages(DbWorker& worker, int n) {
    std::vector<std::future<std::thread::id>> answers;
    for (int i = 0; i < n; ++i) answers.push_back(submit_message(worker));
    return answers;
  }
  // A batch of `n` jobs (requests queued meanwhile), after a batch of one that held the
  // database thread while they queued; returns once they are answered.
  void load(DbWorker& worker, int n) {
    std::promise<void> started;
    std::promise<void> release;
    ASSERT_TRUE(worker.submit([&started, release = release.get_future().share()](
                                  visitors::Visitors&, store::Store&) -> DbWorker::Reply {
      started.set_value();
      release.wait();
      return {};
    }));
    started.get_future().wait();
    auto answers = submit_messages(worker, n);
    release.set_value();
    for (auto& answer : answers) answer.get();
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
  std::atomic<int> m_batches{0};
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

TEST_F(DbWorkerTest, UnderLoadAJobWaitsForOthersToShareItsCommit) {
  DbWorker worker(counting_factory(), m_feed, {}, 64, nullptr, std::chrono::hours(1), k_small_pace);
  (void)submit_message(worker).get();  // at rest
  load(worker, 3);                     // a batch of 3: requests queue
  const int before = m_batches;
  auto first = submit_message(worker);
  auto more = submit_messages(worker, 2);
  EXPECT_EQ(first.wait_for(100ms), std::future_status::timeout);  // waits for a fourth
  more.push_back(submit_message(worker));
  for (auto* answer : {&first, &more[0], &more[1], &more[2]}) {
    ASSERT_EQ(answer->wait_for(30s), std::future_status::ready);
  }
  EXPECT_EQ(m_batches - before, 1);  // one commit for the four
  EXPECT_EQ(store::open_sqlite_store(m_path)->find_chat(m_chat)->last_seq, 1 + 3 + 4);
}

TEST_F(DbWorkerTest, AQuietDesksJobDoesNotWaitForOthers) {
  DbWorker worker(counting_factory(), m_feed, {}, 64, nullptr, std::chrono::hours(1), k_small_pace);
  for (int i = 0; i < 3; ++i) {  // each alone: the first at rest, the others on the thread
    ASSERT_EQ(submit_message(worker).wait_for(30s), std::future_status::ready);
  }
  EXPECT_EQ(m_batches, 3);
}

TEST_F(DbWorkerTest, StopCommitsTheJobsThatWaitForOthers) {
  std::future<std::thread::id> waiting;
  {
    DbWorker worker(factory(), m_feed, {}, 64, nullptr, std::chrono::hours(1), k_small_pace);
    (void)submit_message(worker).get();
    load(worker, 3);
    waiting = submit_message(worker);
    EXPECT_EQ(waiting.wait_for(100ms), std::future_status::timeout);
  }  // stop(), then joined
  ASSERT_EQ(waiting.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(store::open_sqlite_store(m_path)->find_chat(m_chat)->last_seq, 1 + 3 + 1);
}

}  // namespace
}  // namespace seshat::http
