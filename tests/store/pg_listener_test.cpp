// The change feed across processes on PostgreSQL: a commit made through one connection wakes
// the listeners of another within milliseconds; a rolled-back write wakes nobody; a lost
// listening connection comes back and tells every waiter to read again.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "store/change_feed.hpp"
#include "store/pg_listener.hpp"

namespace seshat::store {
namespace {

using namespace std::chrono_literals;

class Heard {
 public:
  explicit Heard(ChangeFeed& feed)
      : m_subscription(feed.subscribe([this](ChatId chat) {
          std::lock_guard lock(m_mutex);
          m_chats.push_back(chat);
        })) {}

  // True once `chat` was published, within `timeout`.
  bool wait_for(ChatId chat, std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(m_mutex);
        for (auto one : m_chats)
          if (one == chat) return true;
      }
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }
  std::vector<ChatId> chats() {
    std::lock_guard lock(m_mutex);
    return m_chats;
  }
  void clear() {
    std::lock_guard lock(m_mutex);
    m_chats.clear();
  }

 private:
  std::mutex m_mutex;
  std::vector<ChatId> m_chats;
  ChangeFeed::Subscription m_subscription;
};

class PgListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!m_db.unavailable().empty()) GTEST_SKIP() << m_db.unavailable();
    m_writer = m_db.open();
  }
  testing::TestDatabase m_db{testing::Backend::postgresql};
  std::unique_ptr<Store> m_writer;
  ChangeFeed m_feed;
};

TEST_F(PgListenerTest, AnotherConnectionsCommitWakesTheListenersOfItsChat) {
  Heard heard(m_feed);
  PgListener listener(m_db.location(), m_feed, /*skip_own=*/false);
  const auto started = std::chrono::steady_clock::now();
  const auto chat = m_writer->create_chat(NewChat{"Ann", "Hello?", "/", "h", ""});
  ASSERT_TRUE(heard.wait_for(chat));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  heard.clear();
  ASSERT_EQ(m_writer->add_message(chat, core::Author::visitor, "more").result, AddResult::added);
  EXPECT_TRUE(heard.wait_for(chat));
  EXPECT_NE(listener.metrics().find("seshat_feed_notifications_total 2"), std::string::npos)
      << listener.metrics();
}

TEST_F(PgListenerTest, ARolledBackBatchWakesNobody) {
  const auto first = m_writer->create_chat(NewChat{"Ann", "", "/", "h", ""});
  const auto second = m_writer->create_chat(NewChat{"Bob", "", "/", "h", ""});
  Heard heard(m_feed);
  PgListener listener(m_db.location(), m_feed, /*skip_own=*/false);
  {
    auto batch = m_writer->begin_batch();
    (void)m_writer->add_message(first, core::Author::visitor, "never stored");
  }  // dropped: rolled back, and its notification with it
  (void)m_writer->add_message(second, core::Author::visitor, "stored");
  ASSERT_TRUE(heard.wait_for(second));
  for (auto chat : heard.chats()) EXPECT_NE(chat, first);
}

TEST_F(PgListenerTest, ThisProcesssOwnCommitsAreNotPublishedTwice) {
  Heard heard(m_feed);
  PgListener own(m_db.location(), m_feed);  // skips this process's notifications
  ChangeFeed other_feed;
  Heard control(other_feed);
  PgListener everything(m_db.location(), other_feed, /*skip_own=*/false);
  const auto chat = m_writer->create_chat(NewChat{"Ann", "", "/", "h", ""});
  ASSERT_TRUE(control.wait_for(chat));  // delivered by now to both connections
  EXPECT_NE(everything.metrics().find("seshat_feed_notifications_total 1"), std::string::npos);
  // The skipping listener got it too (same server, same channel) and published nothing.
  EXPECT_FALSE(heard.wait_for(chat, 200ms));
  EXPECT_NE(own.metrics().find("seshat_feed_notifications_total 0"), std::string::npos);
}

TEST_F(PgListenerTest, ALostConnectionIsReconnectedAndEveryWaiterReadsAgain) {
  Heard heard(m_feed);
  PgListener listener(m_db.location(), m_feed, /*skip_own=*/false);
  // Cut the listener's connection from the server's side.
  const auto command =
      std::string("psql -X -q -At -d '") + m_db.location() +
      "' -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
      "current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN seshat'\" >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  ASSERT_TRUE(heard.wait_for(any_chat)) << "no catch-up after the reconnect";
  EXPECT_NE(listener.metrics().find("seshat_feed_reconnects_total 1"), std::string::npos)
      << listener.metrics();
  const auto chat = m_writer->create_chat(NewChat{"Ann", "", "/", "h", ""});
  EXPECT_TRUE(heard.wait_for(chat)) << "the listener listens again";
}

}  // namespace
}  // namespace seshat::store
