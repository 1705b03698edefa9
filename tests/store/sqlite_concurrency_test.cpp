// Several connections and several processes on one database file: guarded transitions, gap-free
// sequences, crashes in the middle of writes, waiting for a busy writer.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <latch>
#include <map>
#include <thread>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace seshat::store {
namespace {

using core::Author;
using core::ChatState;
using sqlite::Database;
using sqlite::Query;
using sqlite::Statement;

// A pipe used as a one-shot signal between processes; each end closes with the object.
class Pipe {
 public:
  Pipe() {
    if (::pipe(m_fds) != 0) throw std::runtime_error("pipe failed");
  }
  ~Pipe() {
    for (int fd : m_fds) ::close(fd);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  void send(char byte = 'x') {
    if (::write(m_fds[1], &byte, 1) != 1) throw std::runtime_error("pipe write failed");
  }
  void receive() {
    char byte = 0;
    if (::read(m_fds[0], &byte, 1) != 1) throw std::runtime_error("pipe read failed");
  }

 private:
  int m_fds[2] = {-1, -1};
};

// Runs `body` in a child process whose exit status is body's result (100: it threw).
// The child never returns into the test framework.
pid_t spawn(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int status = 100;
    try {
      status = body();
    } catch (...) {
    }
    ::_exit(status);
  }
  return pid;
}

struct Exit {
  bool exited = false;
  int status = 0;  // exit status, or the signal that ended the process
};

Exit wait_for(pid_t pid) {
  int raw = 0;
  if (::waitpid(pid, &raw, 0) != pid) throw std::runtime_error("waitpid failed");
  if (WIFEXITED(raw)) return {true, WEXITSTATUS(raw)};
  return {false, WTERMSIG(raw)};
}

std::vector<std::int64_t> ints(Database& db, const std::string& sql) {
  Statement statement(db, sql);
  Query query(statement);
  std::vector<std::int64_t> values;
  while (query.step()) values.push_back(query.int_at(0));
  return values;
}

std::string text(Database& db, const std::string& sql) {
  Statement statement(db, sql);
  Query query(statement);
  if (!query.step()) throw std::runtime_error("no row from " + sql);
  return query.text_at(0);
}

class ConcurrencyTest : public ::testing::Test {
 protected:
  // `count` chats in the notified state: requests two operators may race to accept.
  void make_requests(int count) {
    auto store = open_sqlite_store(m_path);
    for (int i = 0; i < count; ++i) {
      const auto id = store->create_chat(NewChat{"visitor", "", "", "h", ""});
      ASSERT_TRUE(store->apply({core::SetState{id, ChatState::waiting, ChatState::notified, ""}}));
    }
  }

  // Tries to accept every chat as `jid`; the number of chats won.
  int accept_all(Store& store, const std::string& jid, int count) {
    int won = 0;
    for (ChatId id = 1; id <= count; ++id) {
      if (store.apply({core::SetState{id, ChatState::notified, ChatState::open, jid},
                       core::SendToOperator{jid, "You are now handling this chat", id}})) {
        ++won;
      }
    }
    return won;
  }

  // Every chat went to exactly one of the two, with exactly one outbox item to the winner.
  void expect_one_winner_each(int count, int won_by_joe, int won_by_kim) {
    EXPECT_EQ(won_by_joe + won_by_kim, count);
    auto store = open_sqlite_store(m_path);
    std::map<std::string, int> handled;
    for (ChatId id = 1; id <= count; ++id) {
      const auto chat = store->find_chat(id);
      ASSERT_TRUE(chat.has_value());
      EXPECT_EQ(chat->chat.state, ChatState::open);
      ++handled[chat->chat.operator_jid];
    }
    EXPECT_EQ(handled["joe@example.com"], won_by_joe);
    EXPECT_EQ(handled["kim@example.com"], won_by_kim);
    const auto outbox = store->undelivered(0, count + 10);
    ASSERT_EQ(outbox.size(), static_cast<std::size_t>(count));
    for (const auto& item : outbox) {
      EXPECT_EQ(item.jid, store->find_chat(item.chat)->chat.operator_jid) << "chat " << item.chat;
    }
  }

  testing::TempDir m_dir;
  std::string m_path = m_dir.file("seshat.db");
};

TEST_F(ConcurrencyTest, OnlyOneOfTwoConnectionsAcceptsAChat) {
  make_requests(1);
  auto joe = open_sqlite_store(m_path);
  auto kim = open_sqlite_store(m_path);
  const core::Actions by_kim{core::SetState{1, ChatState::notified, ChatState::open, "kim@x"},
                             core::PostToChat{1, Author::system, "Kim joined."}};
  EXPECT_TRUE(joe->apply({core::SetState{1, ChatState::notified, ChatState::open, "joe@x"}}));
  EXPECT_FALSE(kim->apply(by_kim));
  EXPECT_EQ(kim->find_chat(1)->chat.operator_jid, "joe@x");
  EXPECT_TRUE(kim->messages_after(1, 0, 10).empty());
}

TEST_F(ConcurrencyTest, TwoThreadsRacingForRequestsEachWinDistinctChats) {
  constexpr int k_chats = 60;
  make_requests(k_chats);
  std::latch start(2);
  auto race = [&](std::string jid) {
    auto store = open_sqlite_store(m_path);
    start.arrive_and_wait();
    return accept_all(*store, jid, k_chats);
  };
  auto joe = std::async(std::launch::async, race, "joe@example.com");
  auto kim = std::async(std::launch::async, race, "kim@example.com");
  expect_one_winner_each(k_chats, joe.get(), kim.get());
}

TEST_F(ConcurrencyTest, TwoProcessesRacingForRequestsEachWinDistinctChats) {
  constexpr int k_chats = 60;  // the win count must fit in an exit status
  make_requests(k_chats);
  Pipe ready;
  Pipe go;
  auto racer = [&](const std::string& jid) {
    return spawn([&, jid] {
      auto store = open_sqlite_store(m_path);
      ready.send();
      go.receive();
      return accept_all(*store, jid, k_chats);
    });
  };
  const auto joe = racer("joe@example.com");
  const auto kim = racer("kim@example.com");
  ready.receive();
  ready.receive();
  go.send();
  go.send();
  const auto joe_exit = wait_for(joe);
  const auto kim_exit = wait_for(kim);
  ASSERT_TRUE(joe_exit.exited && kim_exit.exited);
  expect_one_winner_each(k_chats, joe_exit.status, kim_exit.status);
}

TEST_F(ConcurrencyTest, TwoProcessesWritingToOneChatGetEverySeqOnce) {
  constexpr int k_each = 150;
  const auto id = open_sqlite_store(m_path)->create_chat(NewChat{"visitor", "", "", "h", ""});
  Pipe ready;
  Pipe go;
  auto writer = [&](const std::string& name) {
    return spawn([&, name] {
      auto store = open_sqlite_store(m_path);
      ready.send();
      go.receive();
      Seq previous = 0;
      for (int i = 0; i < k_each; ++i) {
        const auto added = store->add_message(id, Author::visitor, name + std::to_string(i));
        if (added.result != AddResult::added || added.seq <= previous) return 1;
        previous = added.seq;
      }
      return 0;
    });
  };
  const auto first = writer("a");
  const auto second = writer("b");
  ready.receive();
  ready.receive();
  go.send();
  go.send();
  const auto first_exit = wait_for(first);
  const auto second_exit = wait_for(second);
  EXPECT_TRUE(first_exit.exited && first_exit.status == 0) << first_exit.status;
  EXPECT_TRUE(second_exit.exited && second_exit.status == 0) << second_exit.status;

  auto store = open_sqlite_store(m_path);
  const auto messages = store->messages_after(id, 0, 10 * k_each);
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(2 * k_each));
  std::map<char, int> next{{'a', 0}, {'b', 0}};
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i].seq, static_cast<Seq>(i + 1));
    const char writer_name = messages[i].text.at(0);
    EXPECT_EQ(messages[i].text, writer_name + std::to_string(next[writer_name]++));
  }
  EXPECT_EQ(store->find_chat(id)->last_seq, 2 * k_each);
}

// Checks that a database left by killed writers is whole: every transaction all or nothing.
void expect_consistent(const std::string& path) {
  Database db(path);
  EXPECT_EQ(text(db, "PRAGMA integrity_check"), "ok");
  EXPECT_TRUE(ints(db, "SELECT 1 FROM pragma_foreign_key_check").empty());
  // last_seq counts the chat's messages, which are numbered 1..last_seq.
  EXPECT_TRUE(ints(db,
                   "SELECT c.id FROM chats c LEFT JOIN (SELECT chat_id, count(*) AS n, "
                   "max(seq) AS top FROM messages GROUP BY chat_id) m ON m.chat_id = c.id "
                   "WHERE c.last_seq != coalesce(m.n, 0) OR c.last_seq != coalesce(m.top, 0)")
                  .empty());
  // A chat never exists without its opening message.
  EXPECT_TRUE(ints(db,
                   "SELECT c.id FROM chats c LEFT JOIN messages m ON m.chat_id = c.id AND "
                   "m.seq = 1 WHERE c.opening_message != '' AND "
                   "(m.text IS NOT c.opening_message OR m.author IS NOT 'visitor')")
                  .empty());
  // The broker's batch (state, relayed mark, notice, outbox item) is all there or not at all.
  EXPECT_TRUE(ints(db,
                   "SELECT c.id FROM chats c WHERE (c.state = 'notified') != "
                   "(c.relayed_seq = 3 AND c.last_seq = 4 AND "
                   "(SELECT count(*) FROM outbox o WHERE o.chat_id = c.id) = 1)")
                  .empty());
}

TEST_F(ConcurrencyTest, AKilledWriterLeavesAWholeDatabase) {
  (void)open_sqlite_store(m_path);
  // Each round kills the writer at a different point of its loop (a few transactions apart).
  for (int round = 0; round < 8; ++round) {
    Pipe progress;
    const auto child = spawn([&] {
      auto store = open_sqlite_store(m_path);
      for (int i = 0; i < 1'000'000; ++i) {
        const auto id =
            store->create_chat(NewChat{"v", "opening " + std::to_string(i), "", "h", ""});
        (void)store->add_message(id, Author::visitor, "second");
        (void)store->add_message(id, Author::visitor, "third");
        (void)store->apply({core::SetState{id, ChatState::waiting, ChatState::notified, ""},
                            core::MarkRelayed{id, 3},
                            core::PostToChat{id, Author::system, "Please wait."},
                            core::SendToOperator{"joe@example.com", "New chat", id}});
        if (i == 10 + 17 * round) progress.send();  // killed soon after, mid-stream
      }
      return 0;
    });
    progress.receive();
    std::this_thread::sleep_for(std::chrono::microseconds(150 * round));  // not a wait: an aim
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    const auto exit = wait_for(child);
    ASSERT_FALSE(exit.exited);
    ASSERT_EQ(exit.status, SIGKILL);

    expect_consistent(m_path);
    auto store = open_sqlite_store(m_path);  // recovers the WAL and works on
    const auto chats = store->live_chats();
    ASSERT_FALSE(chats.empty());
    const auto id = store->create_chat(NewChat{"after", "", "", "h", ""});
    EXPECT_GT(id, chats.back().chat.id);
    ASSERT_TRUE(store->apply({core::SetState{id, ChatState::waiting, ChatState::failed, ""}}));
  }
}

// Another connection holds the write lock for a while, as a long transaction would.
// Holds the write lock for `hold`, or until release(): a slow transaction in another connection.
class WriteLockHolder {
 public:
  WriteLockHolder(const std::string& path, std::chrono::milliseconds hold)
      : m_released(m_release.get_future()), m_thread([this, path, hold] {
          Database db(path);
          db.exec("BEGIN IMMEDIATE");
          db.exec("UPDATE chats SET visitor_seen_at = 5 WHERE id = 1");
          m_locked.set_value();
          (void)m_released.wait_for(hold);  // the scenario itself: a slow transaction
          db.exec("COMMIT");
          m_committed.set_value(std::chrono::steady_clock::now());
        }) {
    m_locked.get_future().wait();
  }
  // When the lock was let go (waits for it).
  std::chrono::steady_clock::time_point committed_at() { return m_committed_at.get(); }
  ~WriteLockHolder() {
    release();
    m_thread.join();
  }
  void release() {
    if (!m_done.exchange(true)) m_release.set_value();
  }

 private:
  std::promise<void> m_locked;
  std::promise<std::chrono::steady_clock::time_point> m_committed;
  std::shared_future<std::chrono::steady_clock::time_point> m_committed_at{
      m_committed.get_future().share()};
  std::promise<void> m_release;
  std::future<void> m_released;
  std::atomic<bool> m_done{false};
  std::thread m_thread;
};

TEST_F(ConcurrencyTest, AWriteWaitsForABusyWriterAndSucceeds) {
  auto store = open_sqlite_store(m_path);
  const auto id = store->create_chat(NewChat{"visitor", "hello", "", "h", ""});
  ASSERT_EQ(id, 1);
  WriteLockHolder holder(m_path, std::chrono::milliseconds(200));

  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(store->find_chat(id)->visitor_seen_at != 5, true);  // readers do not wait
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(100));

  started = std::chrono::steady_clock::now();
  const auto added = store->add_message(id, Author::visitor, "still there?");
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(added.result, AddResult::added);
  EXPECT_EQ(added.seq, 2);
  EXPECT_GE(waited, std::chrono::milliseconds(100));
  EXPECT_EQ(store->find_chat(id)->visitor_seen_at, 5);  // the holder committed first
}

// SQLite's own busy handler sleeps 1, 2, 5 ... 50, 100 ms between tries: after a lock held for
// 200 ms it tried again at 228 ms. Seshat's tries again within a millisecond of the release.
TEST_F(ConcurrencyTest, AWriteTakesTheLockSoonAfterAnotherConnectionLetsItGo) {
  auto store = open_sqlite_store(m_path);
  const auto id = store->create_chat(NewChat{"visitor", "hello", "", "h", ""});
  WriteLockHolder holder(m_path, std::chrono::milliseconds(200));
  const auto added = store->add_message(id, Author::visitor, "now?");
  const auto done = std::chrono::steady_clock::now();
  EXPECT_EQ(added.result, AddResult::added);
  EXPECT_LT(done - holder.committed_at(), std::chrono::milliseconds(15));
}

TEST_F(ConcurrencyTest, AWriteBusyPastTheTimeoutIsAStoreError) {
  auto store = open_sqlite_store(m_path);
  const auto id = store->create_chat(NewChat{"visitor", "hello", "", "h", ""});
  {
    // Held until the write gave up (well past the 5 s timeout, however slow the machine), so
    // that a late wake-up of the busy writer cannot find the lock free.
    WriteLockHolder holder(m_path, std::chrono::seconds(60));
    try {
      (void)store->add_message(id, Author::visitor, "anyone?");
      FAIL() << "the write did not time out";
    } catch (const StoreError& error) {
      EXPECT_NE(std::string(error.what()).find("database is locked"), std::string::npos)
          << error.what();
    }
    holder.release();
  }
  // Nothing is left half-done on this connection: it writes again once the lock is free.
  EXPECT_EQ(store->add_message(id, Author::visitor, "anyone?").seq, 2);
}

TEST_F(ConcurrencyTest, ABatchThatMustNotWaitStartsOnlyWhileNoOtherWriterHoldsTheDatabase) {
  auto store = open_sqlite_store(m_path);
  const auto id = store->create_chat(NewChat{"visitor", "hello", "", "h", ""});
  ASSERT_EQ(id, 1);
  {
    auto batch = store->try_begin_batch();
    ASSERT_NE(batch, nullptr);
    EXPECT_EQ(store->add_message(id, Author::visitor, "now").seq, 2);
    batch->commit();
  }
  {
    auto other = open_sqlite_store(m_path);  // a writer of this process
    auto held = other->begin_batch();
    EXPECT_EQ(store->try_begin_batch(), nullptr);
  }
  {
    WriteLockHolder holder(m_path, std::chrono::seconds(30));  // as another process would
    const auto asked = std::chrono::steady_clock::now();
    EXPECT_EQ(store->try_begin_batch(), nullptr);
    // At once, not after the busy timeout's polling.
    EXPECT_LT(std::chrono::steady_clock::now() - asked,
              std::chrono::milliseconds(sqlite::k_busy_timeout_ms / 5));
  }
  EXPECT_EQ(store->add_message(id, Author::visitor, "later").seq, 3);  // waits again as before
}

}  // namespace
}  // namespace seshat::store
