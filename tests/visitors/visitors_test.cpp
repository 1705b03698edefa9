#include "visitors/visitors.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "forwarding_store.hpp"
#include "temp_dir.hpp"
#include "visitors/token.hpp"

namespace seshat::visitors {
namespace {

using namespace std::string_literals;

constexpr store::Millis k_start = 1'795'599'839'000;  // 2026-11-25T09:43:59Z

class VisitorsTest : public ::testing::Test {
 protected:
  VisitorsTest()
      : m_store(store::open_sqlite_store(m_db.file("seshat.db"))),
        m_subscription(m_feed.subscribe([this](store::ChatId id) { m_published.push_back(id); })),
        m_visitors(*m_store, &m_feed, Limits{}, [this] { return m_now; }) {}

  Ticket start(std::string_view name = "customer", std::string_view message = {}) {
    auto ticket = m_visitors.start(name, message, "https://shop.example.com/cart");
    EXPECT_TRUE(ticket.ok()) << (ticket.ok() ? "" : ticket.failure().message);
    return ticket.ok() ? ticket.value() : Ticket{};
  }

  template <class T>
  void expect_failure(const Result<T>& result, Error code, const std::string& message = {}) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.failure().code, code) << result.failure().message;
    if (!message.empty()) {
      EXPECT_EQ(result.failure().message, message);
    }
  }

  std::string chat_hash(core::ChatId id) { return m_store->find_chat(id)->token_hash; }

  std::vector<store::Message> all_messages(core::ChatId id) {
    return m_store->messages_after(id, 0, 1000);
  }

  testing::TempDir m_db;
  std::unique_ptr<store::Store> m_store;
  store::ChangeFeed m_feed;
  std::vector<store::ChatId> m_published;
  store::ChangeFeed::Subscription m_subscription;
  store::Millis m_now = k_start;
  Visitors m_visitors;
};

TEST_F(VisitorsTest, StartStoresTheChatAndOnlyTheTokensHash) {
  const auto ticket = start("  customer ", "Hi, is my order on its way?");
  EXPECT_GT(ticket.id, 0);
  EXPECT_EQ(ticket.token.size(), 43u);
  const auto chat = m_store->find_chat(ticket.id);
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->chat.state, core::ChatState::waiting);
  EXPECT_EQ(chat->chat.visitor_name, "customer");
  EXPECT_EQ(chat->chat.page, "https://shop.example.com/cart");
  EXPECT_EQ(chat->token_hash, hash_token(ticket.token));
  EXPECT_EQ(chat->token_hash.find(ticket.token), std::string::npos);
  const auto messages = all_messages(ticket.id);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].from, core::Author::visitor);
  EXPECT_EQ(messages[0].text, "Hi, is my order on its way?");
  EXPECT_EQ(m_published, std::vector<store::ChatId>{ticket.id});
}

TEST_F(VisitorsTest, StartWithoutOpeningMessageStoresNone) {
  const auto ticket = start("customer", "  \n ");
  EXPECT_TRUE(all_messages(ticket.id).empty());
  EXPECT_NE(start("customer").token, ticket.token);
}

TEST_F(VisitorsTest, StartRefusesBadFields) {
  expect_failure(m_visitors.start("", "hi", ""), Error::bad_request, "A name is required.");
  expect_failure(m_visitors.start("two\nlines", "", ""), Error::bad_request);
  expect_failure(m_visitors.start(std::string(101, 'n'), "", ""), Error::too_large,
                 "The name is longer than 100 bytes.");
  expect_failure(m_visitors.start("customer", std::string(4097, 'm'), ""), Error::too_large);
  expect_failure(m_visitors.start("cust\xC3", "", ""), Error::bad_request,
                 "The name is not valid UTF-8 text.");
  expect_failure(m_visitors.start("customer", "a\0b"s, ""), Error::bad_request,
                 "The message contains a NUL character.");
  expect_failure(m_visitors.start("customer", "", "https://x/\x01"), Error::bad_request);
  EXPECT_TRUE(m_published.empty());
  EXPECT_TRUE(m_store->live_chats().empty());
}

TEST_F(VisitorsTest, StartStoresTheCheckedEmailAndRefusesABadOne) {
  const auto ticket = m_visitors.start("customer", "", "", " ann@shop.example ");
  ASSERT_TRUE(ticket.ok());
  EXPECT_EQ(m_store->find_chat(ticket->id)->chat.email, "ann@shop.example");
  EXPECT_EQ(m_store->find_chat(start().id)->chat.email, "");
  m_published.clear();
  expect_failure(m_visitors.start("customer", "", "", "ann@shop.example\r\nBcc: x@y.example"),
                 Error::bad_request,
                 "The email address must be a single line without control characters.");
  EXPECT_TRUE(m_published.empty());
  EXPECT_EQ(m_store->live_chats().size(), 2u);
}

TEST_F(VisitorsTest, ReadGivesTheQueuePositionWhileWaiting) {
  const auto first = start("ann");
  const auto second = start("bob");
  EXPECT_EQ(m_visitors.read(second.id, second.token, 0)->position, 2);
  ASSERT_TRUE(m_store->apply({core::SetState{first.id, core::ChatState::waiting,
                                             core::ChatState::open, "joe@example.com"}}));
  EXPECT_EQ(m_visitors.read(second.id, second.token, 0)->position, 1);
  EXPECT_EQ(m_visitors.read(first.id, first.token, 0)->position, std::nullopt);
}

TEST_F(VisitorsTest, ALongQueueIsReadOnceASecondForEveryPosition) {
  Limits limits;
  limits.chats_per_minute = 0;  // 80 chats within one test minute
  limits.chats_per_minute_per_network = 0;
  Visitors visitors(*m_store, &m_feed, limits, [this] { return m_now; });
  std::vector<Ticket> queue;
  for (int i = 0; i < 80; ++i)
    queue.push_back(visitors.start("v" + std::to_string(i), "", "").value());
  EXPECT_EQ(visitors.read(queue[79].id, queue[79].token, 0)->position, 80);
  EXPECT_EQ(visitors.read(queue[10].id, queue[10].token, 0)->position, 11);

  // The first is accepted: within the second, the others still count it ...
  ASSERT_TRUE(m_store->apply({core::SetState{queue[0].id, core::ChatState::waiting,
                                             core::ChatState::open, "joe@example.com"}}));
  m_now += 500;
  EXPECT_EQ(visitors.read(queue[10].id, queue[10].token, 0)->position, 11);
  // ... a chat newer than the queue as read reads it again, exactly ...
  const auto newest = visitors.start("late", "", "").value();
  EXPECT_EQ(visitors.read(newest.id, newest.token, 0)->position, 80);
  EXPECT_EQ(visitors.read(queue[10].id, queue[10].token, 0)->position, 10);
  // ... and a second later every position is exact again.
  ASSERT_TRUE(m_store->apply({core::SetState{queue[1].id, core::ChatState::waiting,
                                             core::ChatState::open, "joe@example.com"}}));
  m_now += 1000;
  EXPECT_EQ(visitors.read(queue[10].id, queue[10].token, 0)->position, 9);
  EXPECT_EQ(visitors.read(newest.id, newest.token, 0)->position, 79);
}

TEST_F(VisitorsTest, SendStoresVisitorMessagesInOrder) {
  const auto ticket = start();
  m_published.clear();
  const auto first = m_visitors.send(ticket.id, ticket.token, "Hi!");
  const auto second = m_visitors.send(ticket.id, ticket.token, "Still there?");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first.value(), 1);
  EXPECT_EQ(second.value(), 2);
  const auto messages = all_messages(ticket.id);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].from, core::Author::visitor);
  EXPECT_EQ(messages[1].text, "Still there?");
  EXPECT_GE(messages[1].at, messages[0].at);  // stamped by the store
  EXPECT_EQ(m_published, (std::vector<store::ChatId>{ticket.id, ticket.id}));
}

// The real store, except that refreshing the visitor's presence fails (a disk that just filled
// up between the message and the refresh).
class TouchFailingStore final : public seshat::testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  void touch_visitor(store::ChatId, store::Millis) override {
    ++touches;
    throw store::StoreError("database or disk is full (test)");
  }
  int touches = 0;
};

TEST_F(VisitorsTest, AStoredMessageIsNotReportedLostWhenThePresenceRefreshFails) {
  const auto ticket = start();
  TouchFailingStore failing(store::open_sqlite_store(m_db.file("seshat.db")));
  Visitors visitors(failing, &m_feed, Limits{}, [this] { return m_now; });
  m_published.clear();
  const auto sent = visitors.send(ticket.id, ticket.token, "Is anyone there?");
  EXPECT_EQ(failing.touches, 1) << "the refresh was tried";
  ASSERT_TRUE(sent.ok()) << sent.failure().message;
  EXPECT_EQ(sent.value(), 1);
  ASSERT_EQ(all_messages(ticket.id).size(), 1u) << "stored, and so answered as sent";
  EXPECT_EQ(m_published, (std::vector<store::ChatId>{ticket.id})) << "the broker is told";
}

TEST_F(VisitorsTest, HtmlIsStoredVerbatim) {
  const auto ticket = start();
  const std::string html = "<img src=x onerror=alert(1)> &lt; \"quotes\" 'single'";
  ASSERT_TRUE(m_visitors.send(ticket.id, ticket.token, html).ok());
  const auto transcript = m_visitors.read(ticket.id, ticket.token, 0);
  ASSERT_TRUE(transcript.ok());
  ASSERT_EQ(transcript->messages.size(), 1u);
  EXPECT_EQ(transcript->messages[0].text, html);
}

TEST_F(VisitorsTest, ASentLineIsPublishedWholeAsStoredForWhoeverTakesLines) {
  const auto ticket = start();
  std::vector<store::Message> lines;
  std::vector<std::string> streams;
  const auto subscription = m_feed.subscribe(
      [](store::ChatId) {},
      [&](store::ChatId chat, const store::Message& line, std::string_view sender_stream) {
        EXPECT_EQ(chat, ticket.id);
        lines.push_back(line);
        streams.emplace_back(sender_stream);
      });
  ASSERT_TRUE(m_visitors.send(ticket.id, ticket.token, "Hi!").ok());
  ASSERT_TRUE(m_visitors.send(ticket.id, ticket.token, "Hi!", "retry-1", "", "tab-1").ok());
  ASSERT_TRUE(m_visitors.send(ticket.id, ticket.token, "Hi!", "retry-1", "", "tab-1").ok());
  const auto stored = all_messages(ticket.id);
  ASSERT_EQ(lines.size(), 2u);  // the repeat published nothing
  EXPECT_EQ(streams, (std::vector<std::string>{"", "tab-1"}));
  ASSERT_EQ(stored.size(), 2u);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(lines[i].seq, stored[i].seq);
    EXPECT_EQ(lines[i].from, core::Author::visitor);
    EXPECT_EQ(lines[i].text, stored[i].text);
    EXPECT_EQ(lines[i].at, stored[i].at);
  }
}

TEST_F(VisitorsTest, SendRefusesBadText) {
  const auto ticket = start();
  expect_failure(m_visitors.send(ticket.id, ticket.token, ""), Error::bad_request,
                 "The message is empty.");
  expect_failure(m_visitors.send(ticket.id, ticket.token, " \n\t"), Error::bad_request,
                 "The message is empty.");
  expect_failure(m_visitors.send(ticket.id, ticket.token, std::string(4097, 'x')), Error::too_large,
                 "The message is longer than 4096 bytes.");
  expect_failure(m_visitors.send(ticket.id, ticket.token, "\xE2\x28\xA1"), Error::bad_request,
                 "The message is not valid UTF-8 text.");
  expect_failure(m_visitors.send(ticket.id, ticket.token, "nul\0inside"s), Error::bad_request,
                 "The message contains a NUL character.");
  expect_failure(m_visitors.send(ticket.id, ticket.token, "escape \x1B[31m"), Error::bad_request);
  EXPECT_TRUE(all_messages(ticket.id).empty());
}

TEST_F(VisitorsTest, TokenChecks) {
  const auto ticket = start();
  const auto other = start("someone else");
  expect_failure(m_visitors.send(ticket.id, "", "Hi"), Error::missing_token,
                 "A chat token is required.");
  expect_failure(m_visitors.send(ticket.id, "not-the-token", "Hi"), Error::wrong_token,
                 "The chat token is not valid for this chat.");
  expect_failure(m_visitors.send(ticket.id, other.token, "Hi"), Error::wrong_token);
  expect_failure(m_visitors.read(ticket.id, other.token, 0), Error::wrong_token);
  expect_failure(m_visitors.close(ticket.id, other.token), Error::wrong_token);
  expect_failure(m_visitors.authorize(ticket.id, other.token), Error::wrong_token);
  expect_failure(m_visitors.read(ticket.id, "", 0), Error::missing_token);
  expect_failure(m_visitors.close(ticket.id, ""), Error::missing_token);
  expect_failure(m_visitors.send(ticket.id, chat_hash(ticket.id), "Hi"), Error::wrong_token);
  expect_failure(m_visitors.send(999, ticket.token, "Hi"), Error::no_such_chat,
                 "There is no such chat.");
  expect_failure(m_visitors.read(999, ticket.token, 0), Error::no_such_chat);
  expect_failure(m_visitors.close(999, ticket.token), Error::no_such_chat);
  EXPECT_TRUE(all_messages(ticket.id).empty());
  EXPECT_EQ(m_store->find_chat(ticket.id)->chat.state, core::ChatState::waiting);
  EXPECT_EQ(m_visitors.authorize(ticket.id, ticket.token).value(), core::VisitorStatus::waiting);
}

TEST_F(VisitorsTest, ReadReturnsStatusAndMessagesAfterSeq) {
  const auto ticket = start("customer", "first");
  ASSERT_TRUE(m_visitors.send(ticket.id, ticket.token, "second").ok());
  ASSERT_TRUE(m_store->apply({core::SetState{ticket.id, core::ChatState::waiting,
                                             core::ChatState::open, "joe@example.com"},
                              core::PostToChat{ticket.id, core::Author::operator_, "Hello!"}}));
  auto transcript = m_visitors.read(ticket.id, ticket.token, 1);
  ASSERT_TRUE(transcript.ok());
  EXPECT_EQ(transcript->status, core::VisitorStatus::open);
  ASSERT_EQ(transcript->messages.size(), 2u);
  EXPECT_EQ(transcript->messages[0].seq, 2);
  EXPECT_EQ(transcript->messages[1].from, core::Author::operator_);
  EXPECT_EQ(transcript->messages[1].text, "Hello!");
  EXPECT_EQ(m_visitors.read(ticket.id, ticket.token, 3)->messages.size(), 0u);
  EXPECT_EQ(m_visitors.read(ticket.id, ticket.token, 0, 1)->messages.size(), 1u);
  expect_failure(m_visitors.read(ticket.id, ticket.token, -1), Error::bad_request);
}

TEST_F(VisitorsTest, ReadRecordsTheVisitorAsPresentAtMostEveryFewSeconds) {
  const auto ticket = start();
  m_published.clear();
  m_now = k_start + 10'000;
  ASSERT_TRUE(m_visitors.read(ticket.id, ticket.token, 0).ok());
  EXPECT_EQ(m_store->find_chat(ticket.id)->visitor_seen_at, k_start + 10'000);
  m_now = k_start + 11'000;  // within the touch interval: no write
  ASSERT_TRUE(m_visitors.read(ticket.id, ticket.token, 0).ok());
  EXPECT_EQ(m_store->find_chat(ticket.id)->visitor_seen_at, k_start + 10'000);
  m_now = k_start + 16'000;
  ASSERT_TRUE(m_visitors.read(ticket.id, ticket.token, 0).ok());
  EXPECT_EQ(m_store->find_chat(ticket.id)->visitor_seen_at, k_start + 16'000);
  EXPECT_TRUE(m_published.empty());  // presence is no change readers need to hear of
}

TEST_F(VisitorsTest, CloseEndsTheChatForBothSides) {
  const auto ticket = start();
  m_published.clear();
  ASSERT_TRUE(m_visitors.close(ticket.id, ticket.token).ok());
  EXPECT_EQ(m_published, std::vector<store::ChatId>{ticket.id});
  EXPECT_EQ(m_store->find_chat(ticket.id)->chat.state, core::ChatState::closed);
  const auto transcript = m_visitors.read(ticket.id, ticket.token, 0);
  ASSERT_TRUE(transcript.ok());
  EXPECT_EQ(transcript->status, core::VisitorStatus::closed);
  ASSERT_EQ(transcript->messages.size(), 1u);
  EXPECT_EQ(transcript->messages[0].from, core::Author::system);
  EXPECT_EQ(transcript->messages[0].text, "The chat is now closed.");

  expect_failure(m_visitors.close(ticket.id, ticket.token), Error::chat_closed,
                 "This chat is closed.");
  expect_failure(m_visitors.send(ticket.id, ticket.token, "Hello?"), Error::chat_closed);
  EXPECT_EQ(m_published, std::vector<store::ChatId>{ticket.id});
}

TEST_F(VisitorsTest, ReadGivesTheBotsTextsInTheChatsLanguage) {
  m_visitors.set_texts(std::make_shared<core::texts::VisitorTexts>("en"));
  const auto german = m_visitors.start("Kunde", "Hallo", "", "", "", "de-DE");
  const auto english = m_visitors.start("customer", "", "", "");
  ASSERT_TRUE(german.ok());
  ASSERT_TRUE(english.ok());
  ASSERT_TRUE(m_visitors.close(german->id, german->token).ok());
  ASSERT_TRUE(m_visitors.close(english->id, english->token).ok());
  const auto read = m_visitors.read(german->id, german->token, 0);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->messages.size(), 2u);
  EXPECT_EQ(read->messages[0].text, "Hallo");  // the visitor's own words: never translated
  EXPECT_EQ(read->messages[1].text, "Der Chat ist jetzt beendet.");
  EXPECT_EQ(all_messages(german->id)[1].text, "The chat is now closed.");  // stored in English
  EXPECT_EQ(m_visitors.read(english->id, english->token, 0)->messages[0].text,
            "The chat is now closed.");
  expect_failure(m_visitors.start("x", "", "", "", "", "not a tag"), Error::bad_request,
                 "The field 'language' must be a language tag such as 'de' or 'pt-BR'.");
}

TEST_F(VisitorsTest, ARetryWithTheSameClientIdIsStoredOnce) {
  const auto ticket = start();
  EXPECT_EQ(m_visitors.send(ticket.id, ticket.token, "first", "id-1").value(), 1);
  EXPECT_EQ(m_visitors.send(ticket.id, ticket.token, "first", "id-1").value(), 1);
  EXPECT_EQ(m_visitors.send(ticket.id, ticket.token, "second", "id-2").value(), 2);
  EXPECT_EQ(all_messages(ticket.id).size(), 2u);
  expect_failure(m_visitors.send(ticket.id, ticket.token, "x", std::string(65, 'a')),
                 Error::bad_request,
                 "The field 'client_id' must be 1 to 64 visible ASCII characters.");
  expect_failure(m_visitors.send(ticket.id, ticket.token, "x", "a b"), Error::bad_request);
  EXPECT_EQ(all_messages(ticket.id).size(), 2u);
}

TEST_F(VisitorsTest, ARetryAfterTheChatEndedStillLearnsItsSeq) {
  const auto ticket = start();
  ASSERT_EQ(m_visitors.send(ticket.id, ticket.token, "bye", "id-1").value(), 1);
  ASSERT_TRUE(m_visitors.close(ticket.id, ticket.token).ok());
  Visitors fresh(*m_store, &m_feed, Limits{}, [this] { return m_now; });  // nothing cached
  EXPECT_EQ(fresh.send(ticket.id, ticket.token, "bye", "id-1").value(), 1);
  expect_failure(fresh.send(ticket.id, ticket.token, "late", "id-2"), Error::chat_closed);
  expect_failure(fresh.send(ticket.id, "wrong-token", "bye", "id-1"), Error::wrong_token);
  EXPECT_EQ(all_messages(ticket.id).size(), 2u);  // "bye" and the closing line
}

TEST_F(VisitorsTest, ChatsEndedByOperatorsAreClosedToo) {
  const auto ticket = start();
  ASSERT_TRUE(m_store->apply(
      {core::SetState{ticket.id, core::ChatState::waiting, core::ChatState::canceled, ""}}));
  EXPECT_EQ(m_visitors.read(ticket.id, ticket.token, 0)->status, core::VisitorStatus::closed);
  expect_failure(m_visitors.send(ticket.id, ticket.token, "Hi"), Error::chat_closed);
  expect_failure(m_visitors.close(ticket.id, ticket.token), Error::chat_closed);
}

TEST_F(VisitorsTest, AChatThatSentIsStillCheckedOnEverySend) {
  // Once a chat sent, its token is checked against the token remembered from then.
  const auto ticket = start();
  const auto other = start("someone else");
  ASSERT_TRUE(m_visitors.send(ticket.id, ticket.token, "Hi").ok());
  expect_failure(m_visitors.send(ticket.id, ticket.token + "x", "Hi"), Error::wrong_token);
  expect_failure(m_visitors.send(ticket.id, ticket.token.substr(1), "Hi"), Error::wrong_token);
  expect_failure(m_visitors.send(ticket.id, other.token, "Hi"), Error::wrong_token,
                 "The chat token is not valid for this chat.");
  expect_failure(m_visitors.send(ticket.id, "", "Hi"), Error::missing_token);
  expect_failure(m_visitors.send(ticket.id, chat_hash(ticket.id), "Hi"), Error::wrong_token);
  ASSERT_TRUE(m_store->apply(
      {core::SetState{ticket.id, core::ChatState::waiting, core::ChatState::canceled, ""}}));
  expect_failure(m_visitors.send(ticket.id, ticket.token, "Still there?"), Error::chat_closed);
  ASSERT_EQ(all_messages(ticket.id).size(), 1u);
  EXPECT_EQ(all_messages(ticket.id)[0].text, "Hi");
}

TEST_F(VisitorsTest, RateLimitPerChatPerMinute) {
  const auto ticket = start();
  const auto other = start("other");
  for (int i = 0; i < 60; ++i) {
    m_now = k_start + i * 500;
    ASSERT_TRUE(m_visitors.send(ticket.id, ticket.token, "message").ok()) << i;
  }
  expect_failure(m_visitors.send(ticket.id, ticket.token, "one too many"), Error::too_many,
                 "Too many messages in a short time; please wait a moment and try again.");
  EXPECT_TRUE(m_visitors.send(other.id, other.token, "another chat is not limited").ok());
  m_now = k_start + 60'000;  // the first message leaves the window
  EXPECT_TRUE(m_visitors.send(ticket.id, ticket.token, "again").ok());
  expect_failure(m_visitors.send(ticket.id, ticket.token, "and again"), Error::too_many);
  EXPECT_EQ(all_messages(ticket.id).size(), 61u);
}

// Floods (issue 18): counted in the store, so two gateways (two Visitors on one database)
// share them.
TEST_F(VisitorsTest, NewChatsPerNetworkAndInTotalHoldAcrossGateways) {
  Limits limits;
  limits.chats_per_minute_per_network = 3;
  limits.chats_per_minute = 5;
  auto other_store = store::open_sqlite_store(m_db.file("seshat.db"));
  Visitors first(*m_store, nullptr, limits);
  Visitors second(*other_store, nullptr, limits);
  EXPECT_TRUE(first.start("a", "", "", "", "127.0.0.0/24").ok());
  EXPECT_TRUE(second.start("b", "", "", "", "127.0.0.0/24").ok());
  EXPECT_TRUE(first.start("c", "", "", "", "127.0.0.0/24").ok());
  expect_failure(second.start("d", "", "", "", "127.0.0.0/24"), Error::too_many,
                 "Too many chats were started from your network; please try again in a minute.");
  EXPECT_TRUE(second.start("e", "", "", "", "127.0.1.0/24").ok()) << "another network";
  EXPECT_TRUE(first.start("f", "", "", "", "127.0.2.0/24").ok());
  expect_failure(first.start("g", "", "", "", "127.0.3.0/24"), Error::too_many,
                 "Too many chats are being started right now; please try again in a minute.");
  EXPECT_EQ(m_store->live_chats().size(), 5u);
}

TEST_F(VisitorsTest, MessagesPerNetworkAndPerChat) {
  Limits limits;
  limits.messages_per_minute = 1000;
  limits.messages_per_minute_per_network = 4;
  limits.max_messages_per_chat = 5;  // the opening message is one of them
  Visitors visitors(*m_store, nullptr, limits);
  const auto a = visitors.start("a", "opening counts", "", "", "10.0.0.0/24").value();
  const auto b = visitors.start("b", "", "", "", "10.0.0.0/24").value();
  EXPECT_TRUE(visitors.send(a.id, a.token, "1", "", "10.0.0.0/24").ok());
  EXPECT_TRUE(visitors.send(b.id, b.token, "2", "", "10.0.0.0/24").ok());
  EXPECT_TRUE(visitors.send(a.id, a.token, "3", "", "10.0.0.0/24").ok());
  EXPECT_TRUE(visitors.send(b.id, b.token, "4", "", "10.0.0.0/24").ok());
  expect_failure(visitors.send(a.id, a.token, "5", "", "10.0.0.0/24"), Error::too_many,
                 "Too many messages came from your network in a short time; please wait a "
                 "moment and try again.");
  // Another network may write into the same chat, up to the chat's own bound.
  EXPECT_TRUE(visitors.send(a.id, a.token, "5", "", "10.0.9.0/24").ok());
  EXPECT_TRUE(visitors.send(a.id, a.token, "6", "", "10.0.9.0/24").ok());
  expect_failure(visitors.send(a.id, a.token, "7", "", "10.0.9.0/24"), Error::too_many,
                 "This chat holds as many messages as it may; please start a new chat.");
  EXPECT_EQ(m_store->visitor_messages(a.id), 5);
  EXPECT_EQ(all_messages(a.id).size(), 5u) << "nothing stored by a refused send";
}

// With the per-network limit off nothing reads the count: a send does not pay a write for it.
TEST_F(VisitorsTest, MessagesAreNotCountedPerNetworkWhenThatLimitIsOff) {
  Limits limits;
  limits.messages_per_minute_per_network = 0;
  Visitors visitors(*m_store, nullptr, limits);
  const auto a = visitors.start("a", "", "", "", "10.0.0.0/24").value();
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(visitors.send(a.id, a.token, "hi", "", "10.0.0.0/24").ok());
  EXPECT_EQ(m_store->visitor_sends_within(60'000, "10.0.0.0/24"), 0);
  EXPECT_EQ(m_store->visitor_messages(a.id), 3);
}

TEST_F(VisitorsTest, LowDiskRefusesNewChatsButOpenOnesGoOn) {
  const auto open = start();
  Limits limits;
  limits.min_free_disk_mb = std::int64_t{1} << 40;  // more than any disk has
  Visitors visitors(*m_store, nullptr, limits);
  expect_failure(visitors.start("late", "", ""), Error::unavailable,
                 "The chat service is short of disk space and cannot start new chats right now; "
                 "please try again later.");
  EXPECT_TRUE(visitors.send(open.id, open.token, "still here").ok());
  EXPECT_EQ(m_store->live_chats().size(), 1u);
}

TEST_F(VisitorsTest, AReadIsPagedByBytesAsWellAsCount) {
  const auto ticket = start();
  const std::string big(8 * 1024, 'x');
  for (int i = 0; i < 20; ++i) {
    const auto added = m_store->add_message(ticket.id, core::Author::operator_, big);
    ASSERT_EQ(added.result, store::AddResult::added);
  }
  auto page = m_visitors.read(ticket.id, ticket.token, 0);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->messages.size(), 8u) << "64 KB of 8 KB messages";
  EXPECT_TRUE(page->more);
  page = m_visitors.read(ticket.id, ticket.token, page->messages.back().seq);
  EXPECT_EQ(page->messages.size(), 8u);
  page = m_visitors.read(ticket.id, ticket.token, page->messages.back().seq);
  EXPECT_EQ(page->messages.size(), 4u);
  EXPECT_FALSE(page->more);
}

TEST_F(VisitorsTest, Availability) {
  auto availability = m_visitors.availability();
  ASSERT_TRUE(availability.ok());
  EXPECT_FALSE(availability->available);
  EXPECT_EQ(availability->operators, 0);
  ASSERT_TRUE(m_store->apply({core::SetOperatorAvailable{"joe@example.com", true},
                              core::SetOperatorAvailable{"bob@example.com", true}}));
  availability = m_visitors.availability();
  EXPECT_TRUE(availability->available);
  EXPECT_EQ(availability->operators, 2);
}

TEST(ErrorNames, ForLogsAndMetrics) {
  EXPECT_EQ(to_string(Error::bad_request), "bad_request");
  EXPECT_EQ(to_string(Error::too_many), "too_many");
  EXPECT_EQ(to_string(Error::unavailable), "unavailable");
}

}  // namespace
}  // namespace seshat::visitors
