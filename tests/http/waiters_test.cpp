#include "http/waiters.hpp"

#include <gtest/gtest.h>

namespace seshat::http {
namespace {

struct CountingWaiter : Waiter {
  int woken = 0;
  void wake() override { ++woken; }
};

TEST(WaiterRegistry, WakesTheChatsWaitersOrAllForChatZero) {
  WaiterRegistry registry;
  auto a = std::make_shared<CountingWaiter>();
  auto b = std::make_shared<CountingWaiter>();
  auto c = std::make_shared<CountingWaiter>();
  registry.join(1, a.get(), a);
  registry.join(1, b.get(), b);
  registry.join(2, c.get(), c);
  EXPECT_EQ(registry.size(), 3u);
  registry.wake(1);
  EXPECT_EQ(a->woken, 1);
  EXPECT_EQ(b->woken, 1);
  EXPECT_EQ(c->woken, 0);
  registry.wake(0);
  EXPECT_EQ(a->woken, 2);
  EXPECT_EQ(c->woken, 1);
  registry.wake(3);
  EXPECT_EQ(a->woken + b->woken + c->woken, 5);
}

TEST(WaiterRegistry, LeftAndExpiredWaitersAreNotWoken) {
  WaiterRegistry registry;
  auto a = std::make_shared<CountingWaiter>();
  auto b = std::make_shared<CountingWaiter>();
  registry.join(1, a.get(), a);
  registry.join(1, b.get(), b);
  registry.leave(1, a.get());
  CountingWaiter* gone = b.get();
  b.reset();  // destroyed without leaving: the weak_ptr keeps it from being called
  registry.wake(1);
  EXPECT_EQ(a->woken, 0);
  registry.leave(1, gone);
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_TRUE(registry.chats().empty());
}

}  // namespace
}  // namespace seshat::http
