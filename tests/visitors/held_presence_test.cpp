#include "visitors/held_presence.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "forwarding_store.hpp"
#include "temp_dir.hpp"

namespace seshat::visitors {
namespace {

// The real store, except that holding fails while `failing` (the database is briefly busy).
class FlakyHolds final : public seshat::testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  void hold_visitor(store::ChatId chat, std::int64_t gateway) override {
    if (failing) throw store::StoreError("database is locked (test)");
    ForwardingStore::hold_visitor(chat, gateway);
  }
  bool failing = false;
};

class HeldPresenceTest : public ::testing::Test {
 protected:
  HeldPresenceTest()
      : m_store(store::open_sqlite_store(m_db.file("seshat.db"))),
        m_flaky(store::open_sqlite_store(m_db.file("seshat.db"))) {}

  store::ChatId new_chat() { return m_store->create_chat(store::NewChat{"customer", "", "", "h"}); }
  store::Millis seen(store::ChatId chat) { return m_store->find_chat(chat)->visitor_seen_at; }

  testing::TempDir m_db;
  std::unique_ptr<store::Store> m_store;
  FlakyHolds m_flaky;
};

TEST_F(HeldPresenceTest, AChatIsHeldFromItsFirstStreamToItsLast) {
  const auto chat = new_chat();
  HeldPresence presence(m_flaky);
  presence.count(chat, 1);
  presence.count(chat, 1);
  presence.write(1'000);
  EXPECT_EQ(seen(chat), store::k_held);
  presence.count(chat, -1);
  presence.write(2'000);
  EXPECT_EQ(seen(chat), store::k_held) << "one stream is still open";
  presence.count(chat, -1);
  presence.write(3'000);
  EXPECT_EQ(seen(chat), 3'000);
  EXPECT_EQ(presence.held(), 0u);
}

TEST_F(HeldPresenceTest, AStreamThatOpenedAndEndedBetweenWritesLeavesThePageSeen) {
  const auto chat = new_chat();
  HeldPresence presence(m_flaky);
  presence.count(chat, 1);
  presence.count(chat, -1);
  presence.write(5'000);
  EXPECT_EQ(seen(chat), 5'000);
  EXPECT_EQ(m_store->reap_gateways(1'000'000), 1) << "no hold is left behind, only the row";
  EXPECT_EQ(seen(chat), 5'000);
}

TEST_F(HeldPresenceTest, AHoldThatFailedIsWrittenAtTheNextRefresh) {
  const auto chat = new_chat();
  HeldPresence presence(m_flaky);
  m_flaky.failing = true;
  presence.count(chat, 1);
  presence.write(1'000);
  EXPECT_NE(seen(chat), store::k_held);
  m_flaky.failing = false;
  presence.refresh(2'000);
  EXPECT_EQ(seen(chat), store::k_held);
}

TEST_F(HeldPresenceTest, AGatewayReapedWhileStuckAddsItselfAndItsHoldsAgain) {
  const auto chat = new_chat();
  HeldPresence presence(m_flaky);
  presence.count(chat, 1);
  presence.write(1'000);
  ASSERT_EQ(m_store->reap_gateways(20'000), 1);  // the broker thought it dead
  EXPECT_EQ(seen(chat), 1'000);
  presence.refresh(21'000);
  EXPECT_EQ(seen(chat), store::k_held);
  EXPECT_EQ(m_store->reap_gateways(20'000), 0) << "refreshed at 21,000";
}

TEST_F(HeldPresenceTest, LettingGoOfAllDatesEveryHeldChat) {
  const auto one = new_chat();
  const auto two = new_chat();
  HeldPresence presence(m_flaky);
  presence.count(one, 1);
  presence.count(two, 1);
  presence.write(1'000);
  presence.let_go_all(4'000);
  EXPECT_EQ(seen(one), 4'000);
  EXPECT_EQ(seen(two), 4'000);
  EXPECT_EQ(m_store->reap_gateways(1'000'000), 0) << "its row went too";
}

}  // namespace
}  // namespace seshat::visitors
