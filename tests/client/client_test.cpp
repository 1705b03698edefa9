#include "seshat/client.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "store/store.hpp"
#include "temp_dir.hpp"

namespace seshat {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class ClientTest : public ::testing::Test {
 protected:
  testing::TempDir m_db;
  Client m_client{m_db.file("seshat.db")};
};

template <class Operation>
ErrorCode code_of(Operation operation) {
  try {
    operation();
  } catch (const Error& error) {
    return error.code();
  }
  ADD_FAILURE() << "no seshat::Error thrown";
  return ErrorCode::unavailable;
}

TEST_F(ClientTest, StartSendFetchEnd) {
  const auto ticket = m_client.start_chat("customer", "Hi!", "https://shop.example.com/");
  EXPECT_GT(ticket.id, 0);
  EXPECT_EQ(ticket.token.size(), 43u);
  EXPECT_EQ(m_client.send(ticket.id, ticket.token, "Anyone there?"), 2);

  const auto before = std::chrono::system_clock::now();
  auto page = m_client.fetch(ticket.id, ticket.token, 0);
  EXPECT_EQ(page.status, "waiting");
  ASSERT_EQ(page.messages.size(), 2u);
  EXPECT_EQ(page.messages[0].seq, 1);
  EXPECT_EQ(page.messages[0].from, "visitor");
  EXPECT_EQ(page.messages[0].text, "Hi!");
  EXPECT_EQ(page.messages[1].text, "Anyone there?");
  EXPECT_LE(page.messages[1].at, before);
  EXPECT_GT(page.messages[1].at, before - 60s);

  m_client.end(ticket.id, ticket.token);
  page = m_client.fetch(ticket.id, ticket.token, 2);
  EXPECT_EQ(page.status, "closed");
  ASSERT_EQ(page.messages.size(), 1u);
  EXPECT_EQ(page.messages[0].from, "system");
  EXPECT_EQ(page.messages[0].text, "The chat is now closed.");
}

TEST_F(ClientTest, ErrorsAreThrownWithTheirCode) {
  const auto ticket = m_client.start_chat("customer");
  const auto other = m_client.start_chat("other");
  EXPECT_EQ(code_of([&] { (void)m_client.start_chat(""); }), ErrorCode::bad_request);
  EXPECT_EQ(code_of([&] { m_client.send(ticket.id, "", "Hi"); }), ErrorCode::missing_token);
  EXPECT_EQ(code_of([&] { m_client.send(ticket.id, other.token, "Hi"); }), ErrorCode::wrong_token);
  EXPECT_EQ(code_of([&] { (void)m_client.fetch(12345, ticket.token, 0); }),
            ErrorCode::no_such_chat);
  EXPECT_EQ(code_of([&] { m_client.send(ticket.id, ticket.token, std::string(5000, 'x')); }),
            ErrorCode::too_large);
  m_client.end(ticket.id, ticket.token);
  EXPECT_EQ(code_of([&] { m_client.end(ticket.id, ticket.token); }), ErrorCode::chat_closed);
  try {
    m_client.send(ticket.id, ticket.token, "");
    FAIL();
  } catch (const std::runtime_error& error) {  // seshat::Error is a runtime_error
    EXPECT_STREQ(error.what(), "The message is empty.");
  }
}

TEST_F(ClientTest, TooManyMessages) {
  const auto ticket = m_client.start_chat("customer");
  for (int i = 0; i < 60; ++i) m_client.send(ticket.id, ticket.token, "spam");
  EXPECT_EQ(code_of([&] { m_client.send(ticket.id, ticket.token, "spam"); }), ErrorCode::too_many);
}

TEST(ClientOpen, UnopenableDatabaseIsUnavailable) {
  testing::TempDir db;
  const auto path = (db.path() / "no-such-dir" / "seshat.db").string();
  try {
    Client client(path);
    FAIL() << "opened " << path;
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::unavailable);
    EXPECT_NE(std::string(error.what()).find("Cannot open the chat database '" + path + "'"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(ClientTest, AvailabilityCountsAvailableOperators) {
  auto availability = m_client.availability();
  EXPECT_FALSE(availability.available);
  EXPECT_EQ(availability.operators, 0);
  auto broker = store::open_sqlite_store(m_db.file("seshat.db"));
  ASSERT_TRUE(broker->apply({core::SetOperatorAvailable{"joe@example.com", true}}));
  availability = m_client.availability();
  EXPECT_TRUE(availability.available);
  EXPECT_EQ(availability.operators, 1);
}

TEST_F(ClientTest, FetchWithoutNewsWaitsTheWholeWait) {
  const auto ticket = m_client.start_chat("customer", "Hi!");
  const auto started = Clock::now();
  const auto page = m_client.fetch(ticket.id, ticket.token, 1, 300ms);
  const auto waited = Clock::now() - started;
  EXPECT_TRUE(page.messages.empty());
  EXPECT_EQ(page.status, "waiting");
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 3s);
}

TEST_F(ClientTest, FetchReturnsAtOnceWhenThereIsSomething) {
  const auto ticket = m_client.start_chat("customer", "Hi!");
  const auto started = Clock::now();
  EXPECT_EQ(m_client.fetch(ticket.id, ticket.token, 0, 10s).messages.size(), 1u);
  m_client.end(ticket.id, ticket.token);
  EXPECT_EQ(m_client.fetch(ticket.id, ticket.token, 2, 10s).status, "closed");  // nothing after 2
  EXPECT_LT(Clock::now() - started, 5s);
}

// The broker is another process with its own connection: only the data-version watcher can
// tell this Client about its commit.
TEST_F(ClientTest, FetchIsWokenByAnotherConnectionsCommit) {
  const auto ticket = m_client.start_chat("customer", "Hi!");
  auto broker = store::open_sqlite_store(m_db.file("seshat.db"));
  const auto started = Clock::now();
  auto waiting = std::async(std::launch::async,
                            [&] { return m_client.fetch(ticket.id, ticket.token, 1, 20s); });
  // Gives the fetch time to start waiting, so the wake-up path is what is exercised; the test
  // passes either way (a fetch that starts later finds the message at once).
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(broker->apply({core::SetState{ticket.id, core::ChatState::waiting,
                                            core::ChatState::open, "joe@example.com"},
                             core::PostToChat{ticket.id, core::Author::operator_, "Hello!"}}));
  const auto page = waiting.get();
  EXPECT_LT(Clock::now() - started, 10s);
  EXPECT_EQ(page.status, "open");
  ASSERT_EQ(page.messages.size(), 1u);
  EXPECT_EQ(page.messages[0].from, "operator");
  EXPECT_EQ(page.messages[0].text, "Hello!");
}

TEST_F(ClientTest, FetchIsWokenBySendOnAnotherClient) {
  Client other(m_db.file("seshat.db"));
  const auto ticket = m_client.start_chat("customer");
  const auto started = Clock::now();
  auto waiting =
      std::async(std::launch::async, [&] { return other.fetch(ticket.id, ticket.token, 0, 20s); });
  std::this_thread::sleep_for(50ms);  // as above: not needed for the outcome
  m_client.send(ticket.id, ticket.token, "Hi from the other instance");
  const auto page = waiting.get();
  EXPECT_LT(Clock::now() - started, 10s);
  ASSERT_EQ(page.messages.size(), 1u);
  EXPECT_EQ(page.messages[0].text, "Hi from the other instance");
}

TEST_F(ClientTest, FetchIsWokenBySendOnTheSameClient) {
  const auto ticket = m_client.start_chat("customer");
  auto waiting = std::async(std::launch::async,
                            [&] { return m_client.fetch(ticket.id, ticket.token, 0, 20s); });
  std::this_thread::sleep_for(50ms);  // as above
  const auto started = Clock::now();
  m_client.send(ticket.id, ticket.token, "same instance");
  const auto page = waiting.get();
  EXPECT_LT(Clock::now() - started, 10s);
  ASSERT_EQ(page.messages.size(), 1u);
}

TEST(FormatTime, Rfc3339Milliseconds) {
  const std::chrono::system_clock::time_point time{std::chrono::milliseconds(1'795'599'839'123)};
  EXPECT_EQ(format_time(time), "2026-11-25T09:43:59.123Z");
}

}  // namespace
}  // namespace seshat
