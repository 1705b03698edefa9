#include "xmpp/delivery_tracker.hpp"

#include <gtest/gtest.h>

namespace seshat::xmpp {
namespace {

using Ids = std::vector<std::int64_t>;
const auto k_now = DeliveryTracker::Clock::now();

TEST(MessageStanzaId, RoundTrips) {
  EXPECT_EQ(message_stanza_id(42), "seshat-42");
  EXPECT_EQ(parse_message_stanza_id("seshat-42"), 42);
  EXPECT_EQ(parse_message_stanza_id("seshat-"), std::nullopt);
  EXPECT_EQ(parse_message_stanza_id("seshat-4x"), std::nullopt);
  EXPECT_EQ(parse_message_stanza_id("seshat-barrier-1"), std::nullopt);
  EXPECT_EQ(parse_message_stanza_id("other-42"), std::nullopt);
  EXPECT_EQ(parse_message_stanza_id(""), std::nullopt);
}

// Writes `ids` and returns the barrier that follows them (which the test expects to be due).
std::string write(DeliveryTracker& tracker, const Ids& ids,
                  DeliveryTracker::Clock::time_point at = k_now) {
  tracker.written(ids, at);
  auto barrier = tracker.barrier(at);
  EXPECT_TRUE(barrier) << "no barrier was due";
  return barrier.value_or("");
}

TEST(DeliveryTracker, BarrierAnswerDeliversItsBatch) {
  DeliveryTracker tracker;
  const auto barrier = write(tracker, {1, 2, 3});
  const auto report = tracker.complete(barrier);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->delivered, (Ids{1, 2, 3}));
  EXPECT_TRUE(report->bounced.empty());
  EXPECT_FALSE(tracker.complete(barrier)) << "a batch is reported once";
}

TEST(DeliveryTracker, OneBarrierAtATimeTheNextCoversWhatWasWrittenMeanwhile) {
  DeliveryTracker tracker;
  const auto first = write(tracker, {1});
  tracker.written({2}, k_now);
  EXPECT_FALSE(tracker.barrier(k_now)) << "the first is unanswered";
  tracker.written({3, 4}, k_now);
  EXPECT_FALSE(tracker.barrier(k_now, true)) << "not even a keepalive";
  EXPECT_EQ(tracker.complete(first)->delivered, (Ids{1}));
  const auto second = tracker.barrier(k_now);
  ASSERT_TRUE(second);
  EXPECT_NE(*second, first);
  EXPECT_FALSE(tracker.barrier(k_now));
  EXPECT_EQ(tracker.complete(*second)->delivered, (Ids{2, 3, 4}));
}

TEST(DeliveryTracker, NoBarrierAfterNothingButAKeepalive) {
  DeliveryTracker tracker;
  EXPECT_FALSE(tracker.barrier(k_now));
  const auto keepalive = tracker.barrier(k_now, true);
  ASSERT_TRUE(keepalive);
  const auto report = tracker.complete(*keepalive);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->delivered.empty());
  EXPECT_FALSE(tracker.barrier(k_now)) << "its answer leaves nothing to cover";
}

TEST(DeliveryTracker, BouncedIdsAreSplitOut) {
  DeliveryTracker tracker;
  const auto first = write(tracker, {1, 2, 3});
  tracker.written({4, 5}, k_now);
  EXPECT_TRUE(tracker.bounce("seshat-2"));
  EXPECT_TRUE(tracker.bounce("seshat-5")) << "written behind the barrier in flight";
  const auto report = tracker.complete(first);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->delivered, (Ids{1, 3}));
  EXPECT_EQ(report->bounced, (Ids{2}));
  const auto next = tracker.complete(tracker.barrier(k_now).value_or(""));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->delivered, (Ids{4}));
  EXPECT_EQ(next->bounced, (Ids{5}));
}

TEST(DeliveryTracker, ErrorsForIdsNotInFlightAreRefused) {
  DeliveryTracker tracker;
  (void)write(tracker, {1});
  EXPECT_FALSE(tracker.bounce("seshat-9"));
  EXPECT_FALSE(tracker.bounce("someone-elses-id"));
}

TEST(DeliveryTracker, ClearForgetsEverythingInFlight) {
  DeliveryTracker tracker;
  const auto barrier = write(tracker, {1});
  tracker.written({2}, k_now);
  EXPECT_TRUE(tracker.oldest_pending());
  tracker.clear();
  EXPECT_FALSE(tracker.complete(barrier));
  EXPECT_FALSE(tracker.oldest_pending());
  EXPECT_FALSE(tracker.barrier(k_now)) << "what was written behind it is forgotten too";
  const auto next = write(tracker, {1});
  EXPECT_NE(next, barrier) << "a late answer from the old connection must not match";
}

TEST(DeliveryTracker, OldestPendingIsWhatWaitsLongestForAnAnswer) {
  DeliveryTracker tracker;
  const auto later = k_now + std::chrono::seconds(5);
  EXPECT_FALSE(tracker.oldest_pending());
  tracker.written({1}, k_now);
  EXPECT_EQ(tracker.oldest_pending(), k_now) << "written, its barrier not yet";
  const auto first = tracker.barrier(k_now);
  tracker.written({2}, later);
  EXPECT_EQ(tracker.oldest_pending(), k_now);
  (void)tracker.complete(first.value_or(""));
  EXPECT_EQ(tracker.oldest_pending(), later);
  (void)tracker.barrier(later + std::chrono::seconds(1));
  EXPECT_EQ(tracker.oldest_pending(), later) << "its barrier is younger than the message";
}

}  // namespace
}  // namespace seshat::xmpp
