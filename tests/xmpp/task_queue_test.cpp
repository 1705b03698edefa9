#include "xmpp/task_queue.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <thread>

namespace seshat::xmpp {
namespace {

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1;
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

}  // namespace
}  // namespace seshat::xmpp
