#include "app/log_limiter.hpp"

#include <gtest/gtest.h>

namespace seshat::app {
namespace {

using namespace std::chrono_literals;

TEST(LogLimiter, ABurstThenNothingUntilTheNextPeriodWhichSaysHowManyWereLeftOut) {
  LogLimiter limiter(60s, 2);
  const auto t0 = LogLimiter::Clock::time_point{} + 1h;
  const std::string eve = "ignored: from eve@x, who is not a configured operator";
  EXPECT_EQ(limiter.admit(eve, t0), eve);
  EXPECT_EQ(limiter.admit(eve, t0 + 1ms), eve);
  for (int i = 1; i <= 1000; ++i) EXPECT_FALSE(limiter.admit(eve, t0 + i * 10ms));
  EXPECT_EQ(limiter.admit("ignored: from mallory@x, who is not a configured operator", t0 + 1s),
            "ignored: from mallory@x, who is not a configured operator")
      << "counted per sender";
  EXPECT_EQ(limiter.admit(eve, t0 + 61s), eve + " (1000 more like it left out in the last 61 s)");
  EXPECT_EQ(limiter.admit(eve, t0 + 62s), eve) << "a new period, a new burst";
  EXPECT_FALSE(limiter.admit(eve, t0 + 63s));
  EXPECT_EQ(limiter.admit(eve, t0 + 200s), eve + " (1 more like it left out in the last 139 s)");
  EXPECT_EQ(limiter.admit(eve, t0 + 300s), eve) << "nothing left out: no count";
}

TEST(LogLimiter, ManySendersShareOneKindOnceFull) {
  LogLimiter limiter(60s, 1, 2);
  const auto t0 = LogLimiter::Clock::time_point{} + 1h;
  EXPECT_TRUE(limiter.admit("a", t0));
  EXPECT_TRUE(limiter.admit("b", t0));
  EXPECT_EQ(limiter.admit("c", t0), "c (and lines like it from other senders)");
  EXPECT_FALSE(limiter.admit("d", t0));
  EXPECT_EQ(limiter.admit("e", t0 + 61s), "e") << "quiet kinds are forgotten";
}

}  // namespace
}  // namespace seshat::app
