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

TEST(DeliveryTracker, BarrierAnswerDeliversItsBatch) {
  DeliveryTracker tracker;
  const auto barrier = tracker.add_batch({1, 2, 3}, k_now);
  const auto report = tracker.complete(barrier);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->delivered, (Ids{1, 2, 3}));
  EXPECT_TRUE(report->bounced.empty());
  EXPECT_FALSE(tracker.complete(barrier)) << "a batch is reported once";
}

TEST(DeliveryTracker, BouncedIdsAreSplitOut) {
  DeliveryTracker tracker;
  const auto barrier = tracker.add_batch({1, 2, 3}, k_now);
  EXPECT_TRUE(tracker.bounce("seshat-2"));
  const auto report = tracker.complete(barrier);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->delivered, (Ids{1, 3}));
  EXPECT_EQ(report->bounced, (Ids{2}));
}

TEST(DeliveryTracker, ErrorsForIdsNotInFlightAreRefused) {
  DeliveryTracker tracker;
  (void)tracker.add_batch({1}, k_now);
  EXPECT_FALSE(tracker.bounce("seshat-9"));
  EXPECT_FALSE(tracker.bounce("someone-elses-id"));
}

TEST(DeliveryTracker, BatchesAreIndependent) {
  DeliveryTracker tracker;
  const auto first = tracker.add_batch({1}, k_now);
  const auto second = tracker.add_batch({2}, k_now);
  EXPECT_NE(first, second);
  EXPECT_EQ(tracker.complete(second)->delivered, (Ids{2}));
  EXPECT_EQ(tracker.complete(first)->delivered, (Ids{1}));
}

TEST(DeliveryTracker, ClearForgetsEverythingInFlight) {
  DeliveryTracker tracker;
  const auto barrier = tracker.add_batch({1}, k_now);
  EXPECT_TRUE(tracker.oldest_pending());
  tracker.clear();
  EXPECT_FALSE(tracker.complete(barrier));
  EXPECT_FALSE(tracker.oldest_pending());
  const auto next = tracker.add_batch({1}, k_now);
  EXPECT_NE(next, barrier) << "a late answer from the old connection must not match";
}

TEST(DeliveryTracker, OldestPendingIsTheFirstUnansweredBarrier) {
  DeliveryTracker tracker;
  const auto later = k_now + std::chrono::seconds(5);
  const auto first = tracker.add_batch({}, k_now);
  (void)tracker.add_batch({}, later);
  EXPECT_EQ(tracker.oldest_pending(), k_now);
  (void)tracker.complete(first);
  EXPECT_EQ(tracker.oldest_pending(), later);
}

}  // namespace
}  // namespace seshat::xmpp
