#include "http/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <string>

namespace seshat::http {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsPerMinuteThenRefills) {
  RateLimiter limiter(3);
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_TRUE(limiter.take("10.0.0.1", t0));
  EXPECT_TRUE(limiter.take("10.0.0.1", t0));
  EXPECT_TRUE(limiter.take("10.0.0.1", t0));
  EXPECT_FALSE(limiter.take("10.0.0.1", t0 + 1s));
  EXPECT_TRUE(limiter.take("10.0.0.2", t0 + 1s)) << "addresses are counted apart";
  EXPECT_TRUE(limiter.take("10.0.0.1", t0 + 21s)) << "one slot back after a third of a minute";
  EXPECT_FALSE(limiter.take("10.0.0.1", t0 + 22s));
}

TEST(RateLimiter, ExhaustedOnlyLooks) {
  RateLimiter limiter(2);
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_FALSE(limiter.exhausted("10.0.0.1", t0)) << "an unknown address has its full allowance";
  EXPECT_TRUE(limiter.take("10.0.0.1", t0));
  EXPECT_FALSE(limiter.exhausted("10.0.0.1", t0));
  EXPECT_FALSE(limiter.exhausted("10.0.0.1", t0)) << "looking takes nothing";
  EXPECT_TRUE(limiter.take("10.0.0.1", t0));
  EXPECT_TRUE(limiter.exhausted("10.0.0.1", t0));
  EXPECT_FALSE(limiter.exhausted("10.0.0.2", t0));
  EXPECT_FALSE(limiter.exhausted("10.0.0.1", t0 + 31s)) << "refilled";
}

TEST(RateLimiter, KeepsCountingWhileManyAddressesAreBusy) {
  RateLimiter limiter(1);
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_TRUE(limiter.take("10.0.0.1", t0));
  // Far more busy addresses than a sweep forgets: their buckets are not full, so they stay.
  for (int i = 0; i < 20'000; ++i) {
    ASSERT_TRUE(limiter.take("10.1." + std::to_string(i), t0 + 1s)) << i;
  }
  EXPECT_FALSE(limiter.take("10.0.0.1", t0 + 2s)) << "still used up after the sweeps";
  EXPECT_FALSE(limiter.take("10.1.7", t0 + 2s));
  EXPECT_TRUE(limiter.take("10.1.7", t0 + 62s)) << "refilled after a minute";
}

TEST(RateLimiter, ZeroMeansNoLimit) {
  RateLimiter limiter(0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.take("a"));
  EXPECT_FALSE(limiter.exhausted("a"));
}

}  // namespace
}  // namespace seshat::http
