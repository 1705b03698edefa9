#include "xmpp/task_queue.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <functional>
#include <thread>

namespace seshat::xmpp {
namespace {

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1;
}

// run_here from a thread of its own, as the gateway's threads call it.
bool run_here_elsewhere(TaskQueue& queue, const std::function<bool()>& task) {
  bool ran = false;
  std::thread([&] { ran = queue.run_here(task); }).join();
  return ran;
}

TEST(TaskQueue, PostWakesTheFdAndTakeAllClearsIt) {
  TaskQueue queue;
  EXPECT_FALSE(readable(queue.wake_fd()));
  int ran = 0;
  EXPECT_TRUE(queue.post([&] { ran += 1; }));
  EXPECT_TRUE(queue.post([&] { ran += 10; }));
  EXPECT_TRUE(readable(queue.wake_fd()));
  auto tasks = queue.take_all();
  EXPECT_FALSE(readable(queue.wake_fd()));
  ASSERT_EQ(tasks.size(), 2u);
  for (auto& task : tasks) task();
  EXPECT_EQ(ran, 11);
}

TEST(TaskQueue, PostFromAnotherThreadWakesAPoller) {
  TaskQueue queue;
  std::thread poster([&] { queue.post([] {}); });
  pollfd p{queue.wake_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 5000), 1);
  poster.join();
  EXPECT_EQ(queue.take_all().size(), 1u);
}

TEST(TaskQueue, TheLoopsOwnPostsLeaveTheFdQuietButAreSeen) {
  TaskQueue queue;
  queue.run_on_this_thread();
  EXPECT_TRUE(queue.post([] {}));
  EXPECT_FALSE(readable(queue.wake_fd())) << "no system call for a post to itself";
  EXPECT_TRUE(queue.has_tasks());
  EXPECT_EQ(queue.take_all().size(), 1u);
  EXPECT_FALSE(queue.has_tasks());
  std::thread other([&] { queue.post([] {}); });
  other.join();
  EXPECT_TRUE(readable(queue.wake_fd())) << "another thread's post wakes the loop";
}

// The eventfd is written once per take: after each take_all, the next post wakes it again.
TEST(TaskQueue, EachTakeLeavesTheNextPostToWakeTheFdAgain) {
  TaskQueue queue;
  queue.run_on_this_thread();
  for (int round = 0; round < 3; ++round) {
    std::thread poster([&] {
      queue.post([] {});
      queue.post([] {});
    });
    poster.join();
    EXPECT_TRUE(readable(queue.wake_fd()));
    EXPECT_EQ(queue.take_all().size(), 2u);
    EXPECT_FALSE(readable(queue.wake_fd()));
  }
}

TEST(TaskQueue, ClosedQueueRefusesPosts) {
  TaskQueue queue;
  queue.close();
  EXPECT_FALSE(queue.post([] {}));
  EXPECT_TRUE(queue.take_all().empty());
}

// The loop holds its turn except while it rests; only then does another thread run a task in
// its place, and the loop is woken afterwards when the task says it left something to look at.
TEST(TaskQueue, RunHereOnlyWhileTheLoopRests) {
  TaskQueue queue{std::chrono::microseconds(0)};
  queue.run_on_this_thread();
  auto turn = queue.take_turn();
  const auto run_elsewhere = [&](bool wake) {
    std::thread::id ran_on;
    bool ran = false;
    std::thread other([&] {
      ran = queue.run_here([&] {
        ran_on = std::this_thread::get_id();
        return wake;
      });
    });
    const auto other_id = other.get_id();
    other.join();
    EXPECT_EQ(ran, ran_on == other_id);
    return ran;
  };
  EXPECT_FALSE(run_elsewhere(true)) << "the loop is in its turn";
  ASSERT_TRUE(queue.rest(turn, false));
  EXPECT_FALSE(turn.owns_lock());
  EXPECT_TRUE(run_elsewhere(false));
  EXPECT_FALSE(readable(queue.wake_fd())) << "nothing left: the loop sleeps on";
  EXPECT_TRUE(run_elsewhere(true));
  EXPECT_TRUE(readable(queue.wake_fd())) << "the loop looks after what the task left";
  EXPECT_TRUE(queue.take_all().empty());
  queue.end_rest(turn);
  EXPECT_TRUE(turn.owns_lock());
  EXPECT_FALSE(run_elsewhere(true)) << "the loop took its turn back";
}

TEST(TaskQueue, TheLoopDoesNotRestWhileTasksWaitAndNoneRunsHereBeforeThem) {
  TaskQueue queue{std::chrono::microseconds(0)};
  queue.run_on_this_thread();
  auto turn = queue.take_turn();
  queue.post([] {});
  EXPECT_FALSE(queue.rest(turn, false)) << "its own post waits";
  EXPECT_TRUE(turn.owns_lock());
  EXPECT_EQ(queue.take_all().size(), 1u);
  ASSERT_TRUE(queue.rest(turn, false));
  std::thread([&] { queue.post([] {}); }).join();
  bool ran = false;
  EXPECT_FALSE(run_here_elsewhere(queue, [&] { return ran = true; }));
  EXPECT_FALSE(ran) << "a task posted before it runs first";
  queue.end_rest(turn);
}

// While a task runs here its thread is the loop's: its posts wait for it without a wake-up, a
// second thread finds the loop busy, and the task itself cannot run here again.
TEST(TaskQueue, ATaskRunHereHasTheLoopsTurn) {
  TaskQueue queue{std::chrono::microseconds(0)};
  queue.run_on_this_thread();
  auto turn = queue.take_turn();
  ASSERT_TRUE(queue.rest(turn, false));
  bool nested = true;
  bool third = true;
  bool quiet = false;
  std::thread other([&] {
    EXPECT_TRUE(queue.run_here([&] {
      queue.post([] {});
      quiet = !readable(queue.wake_fd());
      nested = queue.run_here([] { return false; });
      third = run_here_elsewhere(queue, [] { return false; });
      EXPECT_EQ(queue.take_all().size(), 1u);
      return false;
    }));
  });
  other.join();
  EXPECT_TRUE(quiet) << "no wake-up for the task's own post";
  EXPECT_FALSE(nested);
  EXPECT_FALSE(third);
  queue.end_rest(turn);
}

TEST(TaskQueue, NothingRunsHereOnceClosed) {
  TaskQueue queue{std::chrono::microseconds(0)};
  queue.run_on_this_thread();
  auto turn = queue.take_turn();
  ASSERT_TRUE(queue.rest(turn, false));
  queue.close();
  EXPECT_FALSE(run_here_elsewhere(queue, [] { return true; }));
  queue.end_rest(turn);
}

// At rest means quiet for a while too: a loop that had an event (or a task run here) a moment
// ago is busy, and is handed its work; a wait that timed out is no event.
TEST(TaskQueue, RunHereOnlyAfterTheLoopWasQuietForItsRest) {
  TaskQueue queue{std::chrono::hours(1)};
  queue.run_on_this_thread();
  auto turn = queue.take_turn();
  const auto run_elsewhere = [&] { return run_here_elsewhere(queue, [] { return false; }); };
  ASSERT_TRUE(queue.rest(turn, true));
  EXPECT_TRUE(run_elsewhere()) << "no event yet: as quiet as it needs";
  EXPECT_FALSE(run_elsewhere()) << "a task ran here just now";
  queue.end_rest(turn);
  ASSERT_TRUE(queue.rest(turn, true));
  EXPECT_FALSE(run_elsewhere()) << "a timed-out wait does not make the loop quiet";
  queue.end_rest(turn);
}

}  // namespace
}  // namespace seshat::xmpp
