// What a browser told about a visitor (!INFO: chat_details, accepted_at, earlier chats) and
// blocks (!BLOCK), against each real backend.
#include <gtest/gtest.h>

#include "backends.hpp"
#include "store/store.hpp"

namespace seshat::store {
namespace {

using core::ChatState;

class VisitorDetailsTest : public testing::BackendTest {
 protected:
  ChatId new_chat(const std::string& visitor, const std::string& address = "198.51.100.7") {
    const auto id = m_store->create_chat(NewChat{"Ann", "", "/pricing", "hash", ""});
    if (!visitor.empty() || !address.empty()) {
      m_store->set_chat_details(
          id, ChatDetails{visitor, "https://search.example/", "Firefox/126.0", address, 120});
    }
    return id;
  }

  std::unique_ptr<Store> m_store = m_db.open();
};

TEST_P(VisitorDetailsTest, DetailsAcceptedAtAndEarlierChats) {
  const auto first = new_chat("browser-1");
  const auto other = new_chat("browser-2");
  const auto second = new_chat("browser-1");
  const auto none = new_chat("", "");

  auto info = m_store->visitor_info(second, 5);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->details, (ChatDetails{"browser-1", "https://search.example/", "Firefox/126.0",
                                        "198.51.100.7", 120}));
  EXPECT_FALSE(info->accepted_at);
  ASSERT_EQ(info->earlier.size(), 1u);
  EXPECT_EQ(info->earlier.front().id, first);
  EXPECT_EQ(info->earlier.front().state, ChatState::waiting);
  EXPECT_EQ(info->earlier_count, 1);
  EXPECT_EQ(m_store->visitor_info(first, 5)->earlier_count, 0);
  EXPECT_EQ(m_store->visitor_info(other, 5)->earlier_count, 0);

  // Accepting sets accepted_at once; a transfer (open -> open) keeps it.
  ASSERT_TRUE(m_store->apply({core::SetState{second, ChatState::waiting, ChatState::open, "joe"}}));
  const auto accepted = m_store->visitor_info(second, 5)->accepted_at;
  ASSERT_TRUE(accepted);
  ASSERT_TRUE(m_store->apply({core::SetState{second, ChatState::open, ChatState::open, "bob"}}));
  EXPECT_EQ(m_store->visitor_info(second, 5)->accepted_at, accepted);
  EXPECT_EQ(m_store->find_chat(second)->chat.operator_jid, "bob");

  // A chat started without details: empty ones; an unknown chat: nothing.
  EXPECT_EQ(m_store->visitor_info(none, 5)->details, ChatDetails{});
  EXPECT_FALSE(m_store->visitor_info(999, 5));
}

TEST_P(VisitorDetailsTest, BlocksByBrowserAndAddressUntilTheirTime) {
  const auto chat = new_chat("browser-1", "198.51.100.7");
  EXPECT_FALSE(m_store->is_blocked("browser-1", "", 1000));
  ASSERT_TRUE(m_store->block(chat, 5000));
  EXPECT_TRUE(m_store->is_blocked("browser-1", "", 1000));
  EXPECT_TRUE(m_store->is_blocked("", "198.51.100.7", 1000));
  EXPECT_TRUE(m_store->is_blocked("browser-9", "198.51.100.7", 1000));
  EXPECT_FALSE(m_store->is_blocked("browser-9", "198.51.100.8", 1000));
  EXPECT_FALSE(m_store->is_blocked("", "", 1000));                       // nothing to match on
  EXPECT_FALSE(m_store->is_blocked("browser-1", "198.51.100.7", 5000));  // over
  EXPECT_EQ(m_store->unblock(chat), 1);
  EXPECT_FALSE(m_store->is_blocked("browser-1", "198.51.100.7", 1000));
  EXPECT_EQ(m_store->unblock(chat), 0);
  // Nothing to block on: a chat without details, or an unknown one.
  EXPECT_FALSE(m_store->block(new_chat("", ""), 5000));
  EXPECT_FALSE(m_store->block(999, 5000));
}

INSTANTIATE_TEST_SUITE_P(Backends, VisitorDetailsTest, testing::all_backends(),
                         testing::backend_name);

}  // namespace
}  // namespace seshat::store
