#include "xmpp/backoff.hpp"

#include <gtest/gtest.h>

namespace seshat::xmpp {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesWithJitterInTheUpperHalfOfEachStep) {
  Backoff backoff(milliseconds(100), milliseconds(100000));
  for (long long step : {100, 200, 400, 800, 1600}) {
    const auto delay = backoff.next().count();
    EXPECT_GE(delay, step / 2) << "step " << step;
    EXPECT_LE(delay, step) << "step " << step;
  }
}

TEST(Backoff, NeverExceedsTheMaximum) {
  Backoff backoff(milliseconds(200), milliseconds(1000));
  for (int i = 0; i < 100; ++i) EXPECT_LE(backoff.next(), milliseconds(1000));
  EXPECT_GE(backoff.next(), milliseconds(500));
}

TEST(Backoff, ResetStartsAgainFromTheMinimum) {
  Backoff backoff(milliseconds(100), milliseconds(30000));
  for (int i = 0; i < 10; ++i) (void)backoff.next();
  backoff.reset();
  EXPECT_LE(backoff.next(), milliseconds(100));
}

TEST(Backoff, JitterSpreadsTheDelays) {
  Backoff a(milliseconds(1000), milliseconds(1000));
  bool differ = false;
  const auto first = a.next();
  for (int i = 0; i < 20 && !differ; ++i) differ = a.next() != first;
  EXPECT_TRUE(differ);
}

}  // namespace
}  // namespace seshat::xmpp
