// The in-process change feed, and the watcher that brings in other processes' commits.
#include "store/change_feed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

#include "forwarding_store.hpp"
#include "temp_dir.hpp"

namespace seshat::store {
namespace {

using namespace std::chrono_literals;

// Collects published chat ids; lets a test wait for the next one.
class Recorder {
 public:
  ChangeFeed::Listener listener() {
    return [this](ChatId chat) {
      std::lock_guard lock(m_mutex);
      m_seen.push_back(chat);
      m_changed.notify_all();
    };
  }
  // True if at least `count` ids were published within `timeout`.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_seen.size() >= count; });
  }
  std::vector<ChatId> seen() {
    std::lock_guard lock(m_mutex);
    return m_seen;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<ChatId> m_seen;
};

TEST(ChangeFeedTest, PublishesToEverySubscriberUntilUnsubscribed) {
  ChangeFeed feed;
  Recorder first;
  Recorder second;
  auto first_subscription = feed.subscribe(first.listener());
  {
    auto second_subscription = feed.subscribe(second.listener());
    feed.publish(4);
  }
  feed.publish(5);
  first_subscription.reset();
  feed.publish(6);
  EXPECT_EQ(first.seen(), (std::vector<ChatId>{4, 5}));
  EXPECT_EQ(second.seen(), (std::vector<ChatId>{4}));
}

TEST(ChangeFeedTest, AVisitorsLineGoesWholeToLineListenersAndAsAChangeToTheRest) {
  ChangeFeed feed;
  Recorder plain;
  Recorder changes;
  std::vector<std::tuple<ChatId, Message, std::string>> lines;
  auto plain_subscription = feed.subscribe(plain.listener());
  auto line_subscription = feed.subscribe(
      changes.listener(), [&](ChatId chat, const Message& line, std::string_view sender_stream) {
        lines.emplace_back(chat, line, sender_stream);
      });
  const Message line{3, core::Author::visitor, "Hello?", 1'700'000'000'000};
  feed.publish_line(7, line, "tab-1");
  feed.publish(8);
  feed.publish_line(9, line);
  EXPECT_EQ(plain.seen(), (std::vector<ChatId>{7, 8, 9}));
  EXPECT_EQ(changes.seen(), (std::vector<ChatId>{8}));  // the lines came whole, not as changes
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(std::get<0>(lines[0]), 7);
  EXPECT_EQ(std::get<1>(lines[0]).seq, 3);
  EXPECT_EQ(std::get<1>(lines[0]).text, "Hello?");
  EXPECT_EQ(std::get<1>(lines[0]).at, line.at);
  EXPECT_EQ(std::get<2>(lines[0]), "tab-1");  // the sending page's stream, passed on
  EXPECT_EQ(std::get<2>(lines[1]), "");
}

TEST(ChangeFeedTest, AMovedSubscriptionStaysSubscribedOnce) {
  ChangeFeed feed;
  Recorder recorder;
  ChangeFeed::Subscription kept;
  {
    auto subscription = feed.subscribe(recorder.listener());
    kept = std::move(subscription);
  }
  feed.publish(1);
  kept = ChangeFeed::Subscription{};
  feed.publish(2);
  EXPECT_EQ(recorder.seen(), (std::vector<ChatId>{1}));
}

TEST(DataVersionWatcherTest, PublishesAnotherConnectionsCommitPromptly) {
  testing::TempDir dir;
  const auto path = dir.file("seshat.db");
  auto writer = open_sqlite_store(path);
  ChangeFeed feed;
  Recorder recorder;
  auto subscription = feed.subscribe(recorder.listener());
  DataVersionWatcher watcher(open_sqlite_store(path), feed, 10ms);

  const auto chat = writer->create_chat(NewChat{"Ann", "hello", "", "h", ""});
  ASSERT_TRUE(recorder.wait_for(1, 1000ms));
  EXPECT_EQ(recorder.seen().front(), chat);

  (void)writer->add_message(chat, core::Author::visitor, "again");
  ASSERT_TRUE(recorder.wait_for(2, 1000ms));
  EXPECT_EQ(recorder.seen().back(), chat);
}

// How often the watcher's thread ("seshat-watch") went to sleep so far, from /proc.
long watcher_sleeps() {
  namespace fs = std::filesystem;
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name != "seshat-watch") continue;
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);) {
      if (line.starts_with("voluntary_ctxt_switches:")) return std::stol(line.substr(24));
    }
  }
  return -1;
}

// Given the write-ahead log, a watcher at rest sleeps until the log is written (it used to wake
// every period, 500 times a second in a gateway), and still publishes each commit at once.
TEST(DataVersionWatcherTest, AtRestSleepsUntilTheLogIsWrittenAndPublishesTheCommit) {
  testing::TempDir dir;
  const auto path = dir.file("seshat.db");
  auto writer = open_sqlite_store(path);
  ChangeFeed feed;
  Recorder recorder;
  auto subscription = feed.subscribe(recorder.listener());
  DataVersionWatcher watcher(open_sqlite_store(path), feed, 2ms, path + "-wal");
  const auto chat = writer->create_chat(NewChat{"Ann", "hello", "", "h", ""});
  ASSERT_TRUE(recorder.wait_for(1, 1000ms));

  for (std::size_t round = 2; round <= 3; ++round) {
    std::this_thread::sleep_for(100ms);  // past the busy window: at rest
    const auto before = watcher_sleeps();
    std::this_thread::sleep_for(200ms);
    EXPECT_LE(watcher_sleeps() - before, 2);  // polling every 2 ms would be about 100
    (void)writer->add_message(chat, core::Author::visitor, "again");
    // Well within the 1 s look at rest: woken by the write.
    ASSERT_TRUE(recorder.wait_for(round, 300ms));
    EXPECT_EQ(recorder.seen().back(), chat);
  }
}

// Another process's commits name their chats (the database logs them), so a gateway wakes only
// the waiters of those, not every waiter with a sweep; writes nobody waits for are not logged.
TEST(DataVersionWatcherTest, PublishesTheChatsAnotherConnectionChanged) {
  testing::TempDir dir;
  const auto path = dir.file("seshat.db");
  auto writer = open_sqlite_store(path);
  const auto quiet = writer->create_chat(NewChat{"Bo", "", "", "h", ""});
  ChangeFeed feed;
  Recorder recorder;
  auto subscription = feed.subscribe(recorder.listener());
  DataVersionWatcher watcher(open_sqlite_store(path), feed, 5ms);

  writer->touch_visitor(quiet, 1'700'000'000'000);  // presence only: nobody waits for it
  const auto first = writer->create_chat(NewChat{"Ann", "", "", "h", ""});
  const auto second = writer->create_chat(NewChat{"Cy", "", "", "h", ""});
  ASSERT_TRUE(writer->apply(
      {core::SetState{first, core::ChatState::waiting, core::ChatState::open, "joe@example.com"}}));
  (void)writer->add_message(second, core::Author::visitor, "hello");
  const auto saw = [&](ChatId id) {
    const auto seen = recorder.seen();
    return std::find(seen.begin(), seen.end(), id) != seen.end();
  };
  for (std::size_t n = 1; !saw(second) && recorder.wait_for(n, 1000ms); ++n) {
  }
  auto seen = recorder.seen();
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(seen, (std::vector<ChatId>{first, second}));
}

TEST(DataVersionWatcherTest, ALogPrunedUnreadIsAnyChat) {
  testing::TempDir dir;
  const auto path = dir.file("seshat.db");
  auto writer = open_sqlite_store(path);
  const auto from = writer->log_chat_changes();
  const auto chat = writer->create_chat(NewChat{"Ann", "", "", "h", ""});
  (void)writer->add_message(chat, core::Author::visitor, "one");
  (void)writer->add_message(chat, core::Author::visitor, "two");
  auto all = writer->chat_changes_after(from, 100);
  EXPECT_TRUE(all.complete);
  EXPECT_EQ(all.chats, (std::vector<ChatId>{chat}));
  EXPECT_EQ(all.last, from + 3);
  EXPECT_FALSE(writer->chat_changes_after(from, 2).complete) << "more than read wait";
  writer->prune_chat_changes(1);
  const auto pruned = writer->chat_changes_after(from, 100);
  EXPECT_FALSE(pruned.complete) << "entries went unread";
  EXPECT_EQ(pruned.last, from + 3);
  EXPECT_TRUE(writer->chat_changes_after(from + 2, 100).complete);
  EXPECT_TRUE(writer->chat_changes_after(from + 3, 100).chats.empty());
}

// A store whose data_version fails on demand; everything else is unused by the watcher.
class FlakyStore final : public seshat::testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  void set_failing(bool failing) {
    std::lock_guard lock(m_mutex);
    m_failing = failing;
  }
  bool wait_for_failures(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_failed.wait_for(lock, timeout, [&] { return m_failures >= count; });
  }

  std::int64_t data_version() override {
    std::lock_guard lock(m_mutex);
    if (m_failing) {
      ++m_failures;
      m_failed.notify_all();
      throw StoreError("database is locked (test)");
    }
    return ForwardingStore::data_version();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_failed;
  bool m_failing = true;
  int m_failures = 0;
};

TEST(DataVersionWatcherTest, SurvivesFailingReadsAndResumes) {
  testing::TempDir dir;
  const auto path = dir.file("seshat.db");
  auto writer = open_sqlite_store(path);
  ChangeFeed feed;
  Recorder recorder;
  auto subscription = feed.subscribe(recorder.listener());
  auto flaky = std::make_unique<FlakyStore>(open_sqlite_store(path));
  auto& store = *flaky;
  DataVersionWatcher watcher(std::move(flaky), feed, 5ms);  // its first reading fails too

  ASSERT_TRUE(store.wait_for_failures(3, 1000ms));
  // What is committed while it cannot read is in the log: published once it reads again.
  const auto chat = writer->create_chat(NewChat{"Ann", "", "", "h", ""});
  store.set_failing(false);
  ASSERT_TRUE(recorder.wait_for(1, 1000ms));
  EXPECT_EQ(recorder.seen().front(), chat);
}

}  // namespace
}  // namespace seshat::store
