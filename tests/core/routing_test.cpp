// routing = least-busy: a request goes to one free operator at a time, the least busy first
// (ties in turn), on to the next after offer_timeout or a !CANCEL n; presence respected.

#include <gtest/gtest.h>

#include "harness.hpp"

namespace seshat::core::testing {
namespace {

using Lines = std::vector<std::string>;

constexpr std::int64_t k_t0 = 1'000'000;

std::string request(ChatId id, std::string_view name = "customer") {
  return "Remote user '" + std::string(name) +
         "' wants to start a conversation. To accept this request, reply with the message "
         "'!ACCEPT " +
         std::to_string(id) + "'.";
}

std::string moved_on(ChatId id) {
  return "Chat #" + std::to_string(id) +
         " was not accepted in time, so it is offered to the next operator. You may still accept "
         "it.";
}

class LeastBusy : public ::testing::Test {
 protected:
  void SetUp() override {
    h.board.set_time(k_t0);
    h.online(k_joe);
    h.online(k_bob);
    h.online(k_ann, "laptop", Show::dnd);
  }
  Harness h{BoardOptions{.routing = Routing::least_busy, .offer_timeout_ms = 30'000}};
};

TEST_F(LeastBusy, OneOperatorAtATimeTheLeastBusyFirst) {
  const auto first = h.open_chat(41);
  EXPECT_EQ(to_operator(first, k_bob), Lines{request(41)});  // a tie: by name
  EXPECT_EQ(to_operator(first, k_joe), Lines{});
  EXPECT_EQ(h.board.offer_holder(41), "bob@example.com");
  // bob now considers one request: the next goes to joe.
  const auto second = h.open_chat(42);
  EXPECT_EQ(to_operator(second, k_joe), Lines{request(42)});
  EXPECT_EQ(to_operator(second, k_bob), Lines{});
  EXPECT_EQ(to_operator(second, k_ann), Lines{});  // dnd: never
  // A chat held counts: joe takes 42, so bob gets the next too (he holds one offer, joe a chat).
  h.say(k_joe, "!ACCEPT 42");
  h.say(k_bob, "!ACCEPT 41");
  h.say(k_bob, "!FINISH");
  EXPECT_EQ(to_operator(h.open_chat(43), k_bob), Lines{request(43)});
}

TEST_F(LeastBusy, AnOfferMovesOnAfterTheTimeout) {
  h.open_chat(41);
  EXPECT_FALSE(h.board.offers_due());
  h.board.set_time(k_t0 + 29'999);
  EXPECT_FALSE(h.board.offers_due());
  h.board.set_time(k_t0 + 30'000);
  ASSERT_TRUE(h.board.offers_due());
  const auto moved = h.feed(OffersDue{});
  EXPECT_EQ(to_operator(moved, k_bob), Lines{moved_on(41)});
  EXPECT_EQ(to_operator(moved, k_joe), Lines{request(41)});
  EXPECT_EQ(h.board.offer_holder(41), "joe@example.com");
  EXPECT_FALSE(h.board.offers_due());
  // And back to bob after joe's turn: everyone was tried, the round starts again.
  h.board.set_time(k_t0 + 60'000);
  EXPECT_EQ(to_operator(h.feed(OffersDue{}), k_bob), Lines{request(41)});
  // bob may still accept while it is joe's or his.
  EXPECT_EQ(h.board.offer_holder(41), "bob@example.com");
  h.say(k_joe, "!ACCEPT 41");
  EXPECT_EQ(h.board.offer_holder(41), "");
  EXPECT_FALSE(h.board.offers_due());
}

TEST_F(LeastBusy, AloneItStaysWithTheSameOperatorSilently) {
  h.offline(k_bob);
  h.open_chat(41);
  h.board.set_time(k_t0 + 30'000);
  EXPECT_EQ(describe(h.feed(OffersDue{})), Lines{});
  EXPECT_EQ(h.board.offer_holder(41), "joe@example.com");
  EXPECT_FALSE(h.board.offers_due());
}

TEST_F(LeastBusy, CancelPassesItOn) {
  h.open_chat(41);
  EXPECT_EQ(describe(h.say(k_bob, "!CANCEL 41")),
            (Lines{"> bob@example.com #41: Chat #41 is offered to the next operator.",
                   "> joe@example.com #41: " + request(41)}));
  EXPECT_EQ(h.board.find(41)->state, ChatState::notified);
  EXPECT_EQ(h.board.offer_holder(41), "joe@example.com");
  h.offline(k_bob);
  EXPECT_EQ(describe(h.say(k_joe, "!CANCEL 41")),
            Lines{"> joe@example.com #41: Nobody else is free now: chat #41 waits in the queue for "
                  "the next free operator."});
}

TEST_F(LeastBusy, AHolderWhoGoesAwayPassesItOnAtOnce) {
  h.open_chat(41);
  const auto away = h.online(k_bob, "laptop", Show::away);
  EXPECT_EQ(to_operator(away, k_joe), Lines{request(41)});
  EXPECT_EQ(h.board.offer_holder(41), "joe@example.com");
}

TEST_F(LeastBusy, AnOperatorComingOnlinePicksUpWhatNobodyConsiders) {
  h.offline(k_joe);
  h.offline(k_bob);
  h.open_chat(41);
  EXPECT_EQ(h.board.offer_holder(41), "");
  EXPECT_EQ(to_operator(h.online(k_joe), k_joe), Lines{request(41)});
  EXPECT_EQ(h.board.offer_holder(41), "joe@example.com");
  // bob coming online does not take it from joe, who is considering it.
  EXPECT_EQ(to_operator(h.online(k_bob), k_bob), Lines{});
}

TEST(Broadcast, StaysTheDefault) {
  Harness h;
  h.online(k_joe);
  h.online(k_bob);
  const auto opened = h.open_chat(41);
  EXPECT_EQ(to_operator(opened, k_joe), Lines{request(41)});
  EXPECT_EQ(to_operator(opened, k_bob), Lines{request(41)});
  EXPECT_EQ(h.board.offer_holder(41), "");
  EXPECT_EQ(describe(h.say(k_bob, "!CANCEL 41")).front(), "#41 notified -> canceled");
}

}  // namespace
}  // namespace seshat::core::testing
