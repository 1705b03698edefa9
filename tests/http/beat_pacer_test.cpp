#include "http/beat_pacer.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <stdexcept>
#include <string>

namespace seshat::http {
namespace {

// The io thread's queue of ready handlers, run in order as an io_context runs them.
struct ReadyQueue {
  std::deque<std::function<void()>> handlers;
  void post(std::function<void()> handler) { handlers.push_back(std::move(handler)); }
  void run() {
    while (!handlers.empty()) {
      auto handler = std::move(handlers.front());
      handlers.pop_front();
      handler();
    }
  }
};

TEST(BeatPacer, APassWritesAFewBeatsThenWhatBecameReadyMeanwhileRuns) {
  ReadyQueue ready;
  BeatPacer pacer([&](std::function<void()> pass) { ready.post(std::move(pass)); }, 8);
  std::string order;
  for (int i = 0; i < 20; ++i) pacer.push([&] { order += 'b'; });
  EXPECT_EQ(pacer.queued(), 20u);
  EXPECT_EQ(ready.handlers.size(), 1u);  // one pass posted, not one per beat
  // Requests that came while the wave of beats was due.
  for (int i = 0; i < 3; ++i) ready.post([&] { order += 'R'; });
  ready.run();
  EXPECT_EQ(order, "bbbbbbbbRRRbbbbbbbbbbbb");
  EXPECT_EQ(pacer.queued(), 0u);
}

TEST(BeatPacer, ABeatQueuedAfterTheLastPassPostsANewOne) {
  ReadyQueue ready;
  BeatPacer pacer([&](std::function<void()> pass) { ready.post(std::move(pass)); }, 8);
  int beats = 0;
  pacer.push([&] { ++beats; });
  ready.run();
  EXPECT_EQ(beats, 1);
  EXPECT_TRUE(ready.handlers.empty());
  pacer.push([&] { ++beats; });
  pacer.push([&] { ++beats; });
  EXPECT_EQ(ready.handlers.size(), 1u);
  ready.run();
  EXPECT_EQ(beats, 3);
}

TEST(BeatPacer, ABeatMayQueueAnotherWhichGoesInALaterPass) {
  ReadyQueue ready;
  BeatPacer pacer([&](std::function<void()> pass) { ready.post(std::move(pass)); }, 2);
  std::string order;
  pacer.push([&] {
    order += '1';
    pacer.push([&] { order += '3'; });
  });
  pacer.push([&] { order += '2'; });
  ready.post([&] { order += 'R'; });
  ready.run();
  EXPECT_EQ(order, "12R3");
}

TEST(BeatPacer, ABeatThatThrowsLeavesTheOthersToLaterPasses) {
  ReadyQueue ready;
  BeatPacer pacer([&](std::function<void()> pass) { ready.post(std::move(pass)); }, 1);
  int beats = 0;
  pacer.push([] { throw std::runtime_error("out of memory"); });
  pacer.push([&] { ++beats; });
  EXPECT_THROW(ready.run(), std::runtime_error);
  ready.run();
  EXPECT_EQ(beats, 1);
}

}  // namespace
}  // namespace seshat::http
