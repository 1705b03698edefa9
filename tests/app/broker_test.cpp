// The broker without an XMPP server: a real SQLite store, the real Switchboard, and a stand-in
// Sender that records what would go to the server and runs the broker's posted work when the
// test says. What the server would report (connected, presence, messages, the barrier's
// confirmations) the test tells the broker through its xmpp::Listener side.
#include "app/broker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/texts.hpp"
#include "forwarding_store.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace seshat::app {
namespace {

class FakeSender final : public Sender {
 public:
  void start() override {}
  void stop() override {}
  bool post(std::function<void()> task) override {
    std::lock_guard lock(m_mutex);
    m_tasks.push_back(std::move(task));
    m_posted.notify_all();
    return true;
  }
  // True once a task waits to run (posted by the broker's ticker, say), false after `timeout`.
  bool wait_posted(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_posted.wait_for(lock, timeout, [this] { return !m_tasks.empty(); });
  }
  // As the XMPP thread does while it sleeps with nothing posted (`resting`): a turn here.
  bool run_here(const std::function<void()>& task) override {
    {
      std::lock_guard lock(m_mutex);
      if (!resting || !m_tasks.empty()) return false;
    }
    ++turns_here;
    task();
    run();
    return true;
  }
  [[nodiscard]] bool connected() const override { return m_connected; }
  void send(std::vector<xmpp::Outgoing> messages) override {
    for (auto& message : messages) sent.push_back(std::move(message));
  }
  void send_typing(const std::string&, bool) override {}

  // Runs what was posted (the XMPP thread's work), including what that posts in turn.
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::lock_guard lock(m_mutex);
        if (m_tasks.empty()) return;
        task = std::move(m_tasks.front());
        m_tasks.pop_front();
      }
      task();
    }
  }

  bool m_connected = false;
  bool resting = false;
  int turns_here = 0;
  std::vector<xmpp::Outgoing> sent;

 private:
  std::mutex m_mutex;
  std::condition_variable m_posted;
  std::deque<std::function<void()>> m_tasks;
};

// A batch whose commit fails: the real one is dropped uncommitted, so it rolls back.
class FailingBatch final : public store::Batch {
 public:
  explicit FailingBatch(std::unique_ptr<store::Batch> real) : m_real(std::move(real)) {}
  void commit() override {
    m_real.reset();
    throw store::StoreError("commit failed (test)");
  }
  [[nodiscard]] bool intact() const override { return m_real && m_real->intact(); }

 private:
  std::unique_ptr<store::Batch> m_real;
};

// Fails every apply() (`failing`) or every batch's commit (`failing_commits`) while armed, as a
// store does when its disk is full or it is locked.
class FailingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  bool apply(const core::Actions& actions, std::optional<store::SeenState> seen) override {
    if (failing) throw store::StoreError("disk full (test)");
    ++apply_calls;
    return ForwardingStore::apply(actions, seen);
  }
  std::unique_ptr<store::Batch> begin_batch() override {
    auto batch = ForwardingStore::begin_batch();
    if (failing_commits) return std::make_unique<FailingBatch>(std::move(batch));
    return batch;
  }
  void mark_delivered(const std::vector<std::int64_t>& outbox_ids) override {
    ++mark_delivered_calls;
    ForwardingStore::mark_delivered(outbox_ids);
  }
  std::vector<store::OutboxItem> undelivered(std::int64_t after_id, int limit) override {
    ++undelivered_calls;
    return ForwardingStore::undelivered(after_id, limit);
  }
  store::Pending pending(int max_changed_chats) override {
    ++pending_calls;
    auto pending = ForwardingStore::pending(max_changed_chats);
    most_changed_chats = std::max(most_changed_chats, pending.changed_chats.size());
    return pending;
  }
  std::size_t most_changed_chats = 0;  // in one pending()
  bool failing = false;
  bool failing_commits = false;
  int mark_delivered_calls = 0;
  int undelivered_calls = 0;
  int pending_calls = 0;
  int apply_calls = 0;
};

constexpr const char* k_joe = "joe@example.com";

class BrokerTest : public ::testing::Test {
 protected:
  BrokerTest() {
    m_config.sqlitedb = m_dir.file("seshat.db");
    m_config.localusers = {k_joe};
    m_config.username = "bot@example.com";
    m_config.reconnect_grace = std::chrono::seconds(0);
    m_gateway = store::open_sqlite_store(m_config.sqlitedb);
    start_broker();
  }
  ~BrokerTest() override { m_broker->stop(); }

  // A broker with m_config, connected, joe available.
  void start_broker() {
    auto store = std::make_unique<FailingStore>(store::open_sqlite_store(m_config.sqlitedb));
    m_store = store.get();
    m_broker =
        std::make_unique<Broker>(m_config, m_feed, std::move(store), [this](xmpp::Listener&) {
          auto sender = std::make_unique<FakeSender>();
          m_sender = sender.get();
          return sender;
        });
    m_broker->start();
    m_sender->m_connected = true;
    listener().on_connected();
    listener().on_presence(std::string(k_joe) + "/laptop", core::Show::available, 0);
    m_sender->run();
  }

  xmpp::Listener& listener() { return *m_broker; }

  // What the gateway does: a stored row, then the change published.
  store::ChatId visitor_starts() {
    const auto id = m_gateway->create_chat(store::NewChat{"Ann", "", "", "hash", ""});
    m_feed.publish(id);
    m_sender->run();
    return id;
  }
  void visitor_says(store::ChatId chat, const std::string& text) {
    (void)m_gateway->add_message(chat, core::Author::visitor, text);
    m_feed.publish(chat);
    m_sender->run();
  }
  // What the gateway of this process does: the line handed over with the change.
  bool visitor_hands_over(store::ChatId chat, const std::string& text) {
    const auto added = m_gateway->add_message(chat, core::Author::visitor, text);
    store::Message line{added.seq, core::Author::visitor, text, added.at};
    line.relayed = added.relayed;
    m_feed.publish_line(chat, line);
    m_sender->run();
    return !added.relayed.empty();
  }
  void joe_says(const std::string& text) {
    listener().on_message(xmpp::IncomingMessage{std::string(k_joe) + "/laptop", text});
    m_sender->run();
  }
  // The server's barrier confirmed every row sent so far.
  void confirm_all() {
    std::vector<std::int64_t> ids;
    for (const auto& message : m_sender->sent) ids.push_back(message.id);
    listener().on_delivered(ids, {});
    m_sender->run();
  }
  int sent_to_joe(const std::string& body) const {
    int count = 0;
    for (const auto& message : m_sender->sent) count += message.to == k_joe && message.body == body;
    return count;
  }
  // The last `count` bodies sent to joe, oldest first.
  std::vector<std::string> last_sent_to_joe(std::size_t count) const {
    std::vector<std::string> bodies;
    for (const auto& message : m_sender->sent)
      if (message.to == k_joe) bodies.push_back(message.body);
    bodies.erase(bodies.begin(), bodies.end() - std::min(count, bodies.size()));
    return bodies;
  }
  // The broker again with room for two chats an operator (so lines get the prefix), and the
  // gateway relaying lines of open chats itself.
  void gateway_relays_for_operators_of_two_chats() {
    m_broker->stop();
    m_config.max_chats = 2;
    start_broker();
    m_gateway->relay_open_lines(core::Addressing::account);
  }

  testing::TempDir m_dir;
  Config m_config;
  store::ChangeFeed m_feed;
  std::unique_ptr<store::Store> m_gateway;
  FailingStore* m_store = nullptr;
  FakeSender* m_sender = nullptr;
  std::unique_ptr<Broker> m_broker;
};

TEST_F(BrokerTest, RelaysAVisitorMessageExactlyOnce) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  visitor_says(chat, "Where is my order?");
  EXPECT_EQ(sent_to_joe("Where is my order?"), 1);
  // Whatever wakes the broker again, the store says it was relayed: nothing more is sent.
  m_feed.publish(chat);
  m_sender->run();
  m_feed.publish(store::any_chat);
  m_sender->run();
  EXPECT_EQ(sent_to_joe("Where is my order?"), 1);
  // And joe's answer reaches the chat once.
  joe_says("On its way.");
  int answers = 0;
  for (const auto& message : m_gateway->messages_after(chat, 0, 100))
    answers += message.from == core::Author::operator_ && message.text == "On its way.";
  EXPECT_EQ(answers, 1);
}

// A flood of new chats is taken in by rounds of store::k_pending_chats, each its own commit,
// the next after a gap (the gateways' writes go between): every chat is seen, none left.
TEST_F(BrokerTest, AFloodOfNewChatsIsTakenInByShortRounds) {
  const int count = 2 * store::k_pending_chats + 10;
  for (int i = 0; i < count; ++i)
    (void)m_gateway->create_chat(store::NewChat{"V" + std::to_string(i), "", "", "hash", ""});
  m_feed.publish(store::any_chat);
  m_sender->run();
  for (int rounds = 0; rounds < 10 && !m_gateway->pending().changed_chats.empty(); ++rounds) {
    ASSERT_TRUE(m_sender->wait_posted(std::chrono::seconds(5))) << "the ticker brings the next";
    m_sender->run();
  }
  EXPECT_TRUE(m_gateway->pending().changed_chats.empty());
  EXPECT_EQ(m_store->most_changed_chats, static_cast<std::size_t>(store::k_pending_chats))
      << "no round took in more";
  EXPECT_EQ(m_gateway->live_chats().size(), static_cast<std::size_t>(count));
}

TEST_F(BrokerTest, AFailedBatchIsRetriedAndRelaysOnce) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  const auto sent_before = m_sender->sent.size();
  m_store->failing = true;
  visitor_says(chat, "one");
  visitor_says(chat, "two");
  EXPECT_EQ(m_sender->sent.size(), sent_before) << "nothing goes out of a batch that failed";
  m_store->failing = false;
  m_feed.publish(chat);  // the next wake: the rows are still pending
  m_sender->run();
  EXPECT_EQ(sent_to_joe("one"), 1);
  EXPECT_EQ(sent_to_joe("two"), 1);
  m_feed.publish(chat);
  m_sender->run();
  EXPECT_EQ(sent_to_joe("one"), 1);
  EXPECT_EQ(sent_to_joe("two"), 1);
}

TEST_F(BrokerTest, ABatchWhoseCommitFailedIsWrittenAgainEventByEventAndRelaysOnce) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  m_store->failing_commits = true;
  // Two rows, one wake: one pump, one batch, whose commit fails; each event is then written
  // on its own (not in a batch), and only then sent.
  (void)m_gateway->add_message(chat, core::Author::visitor, "first");
  (void)m_gateway->add_message(chat, core::Author::visitor, "second");
  m_feed.publish(chat);
  m_sender->run();
  EXPECT_EQ(sent_to_joe("first"), 1);
  EXPECT_EQ(sent_to_joe("second"), 1);
  EXPECT_TRUE(m_gateway->pending().visitor_messages.empty());
  m_store->failing_commits = false;
  m_feed.publish(chat);
  m_sender->run();
  EXPECT_EQ(sent_to_joe("first"), 1);
  EXPECT_EQ(sent_to_joe("second"), 1);
}

// The XMPP events of one turn of the broker's loop (the stanzas read together) are one commit:
// another connection sees none of them before the turn ends, and all of them after.
TEST_F(BrokerTest, TheEventsOfOneTurnAreCommittedTogether) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  const auto operator_lines = [&] {
    std::vector<std::string> lines;
    for (const auto& message : m_gateway->messages_after(chat, 0, 100))
      if (message.from == core::Author::operator_) lines.push_back(message.text);
    return lines;
  };
  const std::string joe = std::string(k_joe) + "/laptop";
  listener().on_message(xmpp::IncomingMessage{joe, "one"});
  listener().on_message(xmpp::IncomingMessage{joe, "two"});
  listener().on_message(xmpp::IncomingMessage{joe, "three"});
  EXPECT_TRUE(operator_lines().empty()) << "nothing committed within the turn";
  m_sender->run();  // the turn's end
  EXPECT_EQ(operator_lines(), (std::vector<std::string>{"one", "two", "three"}));
}

TEST_F(BrokerTest, ATurnWhoseCommitFailedIsWrittenAgainEventByEventOnce) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  m_store->failing_commits = true;
  (void)m_gateway->add_message(chat, core::Author::visitor, "three");
  const std::string joe = std::string(k_joe) + "/laptop";
  listener().on_message(xmpp::IncomingMessage{joe, "one"});
  listener().on_message(xmpp::IncomingMessage{joe, "two"});
  m_feed.publish(chat);  // the pump joins the turn
  m_sender->run();
  std::vector<std::string> lines;
  for (const auto& message : m_gateway->messages_after(chat, 0, 100))
    if (message.from == core::Author::operator_) lines.push_back(message.text);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two"})) << "each once, in order";
  EXPECT_EQ(sent_to_joe("three"), 1);
  EXPECT_TRUE(m_gateway->pending().visitor_messages.empty());
  for (const auto& message : m_sender->sent)
    EXPECT_EQ(message.body.find("could not be stored"), std::string::npos) << message.body;
  m_store->failing_commits = false;
  m_feed.publish(chat);
  m_sender->run();
  EXPECT_EQ(sent_to_joe("three"), 1) << "nothing relayed twice";
}

// An operator's line goes whole to whoever takes lines (the visitor's streams in this process),
// once committed, as stored; then as a change of its chat (their read after it hands it over).
TEST_F(BrokerTest, AnOperatorsLineIsPublishedWholeOnceCommittedThenAsAChange) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  std::vector<std::string> heard;  // in order: "line <seq> <text>" or "change"
  const auto subscription = m_feed.subscribe(
      [&](store::ChatId id) {
        if (id == chat) heard.emplace_back("change");
      },
      [&](store::ChatId id, const store::Message& line, std::string_view sender_stream) {
        EXPECT_EQ(id, chat);
        EXPECT_EQ(sender_stream, "") << "an operator's line comes from no page";
        heard.push_back("line " + std::to_string(line.seq) + " " + line.text);
      });
  const std::string joe = std::string(k_joe) + "/laptop";
  listener().on_message(xmpp::IncomingMessage{joe, "one"});
  listener().on_message(xmpp::IncomingMessage{joe, "two"});
  EXPECT_TRUE(heard.empty()) << "nothing before the turn's commit";
  m_sender->run();
  const auto stored = m_gateway->messages_after(chat, 0, 100);
  ASSERT_GE(stored.size(), 2u);
  const auto& one = stored[stored.size() - 2];
  const auto& two = stored.back();
  EXPECT_EQ(heard,
            (std::vector<std::string>{"line " + std::to_string(one.seq) + " one",
                                      "line " + std::to_string(two.seq) + " two", "change"}));
  // A turn whose commit failed is written again event by event: only those lines, once each.
  heard.clear();
  m_store->failing_commits = true;
  listener().on_message(xmpp::IncomingMessage{joe, "three"});
  m_sender->run();
  const auto three = m_gateway->messages_after(chat, two.seq, 100);
  ASSERT_EQ(three.size(), 1u);
  EXPECT_EQ(heard, (std::vector<std::string>{"line " + std::to_string(three[0].seq) + " three",
                                             "change"}));
}

TEST_F(BrokerTest, NothingOfAnUncommittedTurnIsSent) {
  const auto first = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(first));
  const auto second = visitor_starts();
  const auto before = m_sender->sent.size();
  // !ACCEPT queues answers to joe in the outbox; a barrier coming back in the same turn looks
  // at the outbox, which must not send rows a failed commit would replace by others.
  listener().on_message(
      xmpp::IncomingMessage{std::string(k_joe) + "/laptop", "!ACCEPT " + std::to_string(second)});
  listener().on_delivered({}, {});
  EXPECT_EQ(m_sender->sent.size(), before);
  m_sender->run();
  EXPECT_GT(m_sender->sent.size(), before) << "sent once committed";
}

TEST_F(BrokerTest, TheConfirmationsOfOneTurnAreMarkedInOneWrite) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  visitor_says(chat, "a");
  visitor_says(chat, "b");
  ASSERT_GE(m_sender->sent.size(), 2u);
  const auto calls = m_store->mark_delivered_calls;
  const auto count = m_sender->sent.size();
  // Two barriers come back in one turn.
  std::vector<std::int64_t> first;
  std::vector<std::int64_t> rest;
  for (std::size_t i = 0; i < count; ++i)
    (i < count / 2 ? first : rest).push_back(m_sender->sent[i].id);
  listener().on_delivered(first, {});
  listener().on_delivered(rest, {});
  m_sender->run();
  EXPECT_EQ(m_store->mark_delivered_calls, calls + 1);
  EXPECT_TRUE(m_gateway->undelivered(0, 100).empty()) << "every confirmed row marked";
}

TEST_F(BrokerTest, RowsBeyondTheWindowGoOutAsConfirmationsMakeRoom) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  confirm_all();
  m_sender->sent.clear();
  for (int i = 0; i < 300; ++i)
    (void)m_gateway->add_message(chat, core::Author::visitor, "line " + std::to_string(i));
  m_feed.publish(chat);
  m_sender->run();
  ASSERT_EQ(m_sender->sent.size(), 256u) << "no more in flight than the window";

  // Room for 100 more: the rest is read and sent.
  std::vector<std::int64_t> first;
  for (std::size_t i = 0; i < 100; ++i) first.push_back(m_sender->sent[i].id);
  listener().on_delivered(first, {});
  m_sender->run();
  ASSERT_EQ(m_sender->sent.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(sent_to_joe("line " + std::to_string(i)), 1) << i;

  // All of it read: confirmations alone read the outbox no more.
  const auto reads = m_store->undelivered_calls;
  confirm_all();
  EXPECT_EQ(m_store->undelivered_calls, reads);
  EXPECT_TRUE(m_gateway->undelivered(0, 1000).empty());
}

// While the XMPP thread sleeps, a line the gateway relayed goes out from the thread that
// committed it, in the XMPP thread's place: nothing is posted for it to wake up to.
TEST_F(BrokerTest, ALineTheGatewayRelayedGoesOutFromItsCommitWhileTheXmppThreadSleeps) {
  gateway_relays_for_operators_of_two_chats();
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  m_sender->resting = true;
  const auto added = m_gateway->add_message(chat, core::Author::visitor, "first");
  ASSERT_FALSE(added.relayed.empty());
  store::Message line{added.seq, core::Author::visitor, "first", added.at};
  line.relayed = added.relayed;
  m_feed.publish_line(chat, line);  // no m_sender->run(): nothing the XMPP thread would run
  EXPECT_EQ(sent_to_joe("first"), 1);
  EXPECT_EQ(m_sender->turns_here, 1);
  // While the XMPP thread is busy, the line waits for the pump posted to it.
  m_sender->resting = false;
  EXPECT_TRUE(visitor_hands_over(chat, "second"));
  EXPECT_EQ(sent_to_joe("second"), 1);
  EXPECT_EQ(m_sender->turns_here, 1);
  m_feed.publish(chat);
  m_sender->run();
  for (const auto* body : {"first", "second"}) EXPECT_EQ(sent_to_joe(body), 1) << body;
}

// So are a new chat's notices; any other change (the visitor typing, a page's marks) is posted
// to the XMPP thread, even while it sleeps.
TEST_F(BrokerTest, ANewChatsNoticesGoOutFromItsCommitWhileTheXmppThreadSleeps) {
  const auto earlier = visitor_starts();
  const auto notices = m_sender->sent.size();
  ASSERT_GT(notices, 0U);
  m_sender->resting = true;
  const auto chat = m_gateway->create_chat(store::NewChat{"Bob", "", "", "hash", ""});
  m_feed.publish(chat);  // no m_sender->run(): nothing the XMPP thread would run
  EXPECT_EQ(m_sender->turns_here, 1);
  EXPECT_EQ(m_sender->sent.size(), notices * 2) << "the new chat's notices, as the first's";
  m_feed.publish(chat);
  m_feed.publish(earlier);
  EXPECT_EQ(m_sender->turns_here, 1);
  EXPECT_TRUE(m_sender->wait_posted(std::chrono::milliseconds(0)));
  m_sender->run();
  EXPECT_EQ(m_sender->sent.size(), notices * 2);
}

// A visitor's line handed over from the gateway's commit, right after the lines the broker
// knows (relayed, or its own), goes out as it came: the store is not read back for it.
TEST_F(BrokerTest, TheNextLineOfAnOpenChatHandedOverIsRelayedWithoutARead) {
  const auto chat = visitor_starts();
  visitor_says(chat, "waiting");  // held, then the accept's backlog
  joe_says("!ACCEPT " + std::to_string(chat));
  ASSERT_EQ(sent_to_joe("waiting"), 1);
  const auto reads = m_store->pending_calls;
  visitor_hands_over(chat, "first");  // after the backlog and the bot's lines of the accept
  ASSERT_EQ(sent_to_joe("first"), 1);
  visitor_hands_over(chat, "second");
  EXPECT_EQ(sent_to_joe("second"), 1);
  EXPECT_EQ(m_store->pending_calls, reads) << "relayed without reading what is pending";
  // Joe's answer takes the next seq of the chat: the visitor's line after it is still next.
  joe_says("Hello");
  const auto reads_after_answer = m_store->pending_calls;
  visitor_hands_over(chat, "third");
  EXPECT_EQ(sent_to_joe("third"), 1);
  EXPECT_EQ(m_store->pending_calls, reads_after_answer);
  EXPECT_TRUE(m_gateway->pending().visitor_messages.empty()) << "each marked relayed";
  m_feed.publish(chat);
  m_sender->run();
  for (const auto* line : {"waiting", "first", "second", "third"})
    EXPECT_EQ(sent_to_joe(line), 1) << line;
}

// A line the broker was not handed (another process stored it) comes before the handed one,
// right after an accept or later: both are read, in order, each once.
TEST_F(BrokerTest, AHandedLineAfterOneNotHandedWaitsForTheRead) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  // Stored after the accept's commit: not taken as relayed by what the accept learned.
  (void)m_gateway->add_message(chat, core::Author::visitor, "elsewhere 1");
  visitor_hands_over(chat, "handed 1");
  (void)m_gateway->add_message(chat, core::Author::visitor, "elsewhere 2");
  const auto reads = m_store->pending_calls;
  visitor_hands_over(chat, "handed 2");
  EXPECT_GT(m_store->pending_calls, reads);
  std::vector<std::string> order;
  for (const auto& message : m_sender->sent) {
    if (message.body.starts_with("elsewhere") || message.body.starts_with("handed"))
      order.push_back(message.body);
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{"elsewhere 1", "handed 1", "elsewhere 2", "handed 2"}));
}

// The gateway of `serve` writes a line of an open chat to the operator's outbox itself
// (Store::relay_open_lines): the broker sends it once, in order, without deciding or writing.
TEST_F(BrokerTest, ALineTheGatewayRelayedIsOnlySent) {
  m_gateway->relay_open_lines(core::Addressing::account);
  const auto chat = visitor_starts();
  EXPECT_FALSE(visitor_hands_over(chat, "waiting")) << "a request's line waits for an accept";
  joe_says("!ACCEPT " + std::to_string(chat));
  ASSERT_EQ(sent_to_joe("waiting"), 1);
  const auto reads = m_store->pending_calls;
  const auto writes = m_store->apply_calls;
  const auto outbox_reads = m_store->undelivered_calls;
  EXPECT_TRUE(visitor_hands_over(chat, "first"));
  EXPECT_EQ(sent_to_joe("first"), 1);
  EXPECT_EQ(m_store->pending_calls, reads);
  EXPECT_EQ(m_store->apply_calls, writes) << "nothing decided or written by the broker";
  EXPECT_EQ(m_store->undelivered_calls, outbox_reads) << "its row sent as it was handed over";
  joe_says("Hello");
  const auto outbox_reads_after_hello = m_store->undelivered_calls;
  EXPECT_TRUE(visitor_hands_over(chat, "second"));
  EXPECT_EQ(sent_to_joe("second"), 1);
  EXPECT_EQ(m_store->undelivered_calls, outbox_reads_after_hello);
  EXPECT_TRUE(m_gateway->pending().visitor_messages.empty()) << "each marked relayed";
  m_feed.publish(chat);
  m_sender->run();
  EXPECT_EQ(last_sent_to_joe(2), (std::vector<std::string>{"first", "second"}));
  for (const auto* line : {"waiting", "first", "second"}) EXPECT_EQ(sent_to_joe(line), 1) << line;
  // Counted as the broker's own relays are (the accept's backlog is not).
  EXPECT_NE(m_broker->metrics().find("seshat_messages_relayed_total{direction=\"to_operator\"} 2"),
            std::string::npos)
      << m_broker->metrics();
}

// A retry under the same client id stores nothing, so it relays nothing either.
TEST_F(BrokerTest, ARetriedLineTheGatewayRelayedGoesOnce) {
  m_gateway->relay_open_lines(core::Addressing::account);
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  const auto first = m_gateway->add_visitor_message_once(chat, "again", "c1");
  ASSERT_EQ(first.relayed.size(), 1U);
  const auto retry = m_gateway->add_visitor_message_once(chat, "again", "c1");
  EXPECT_TRUE(retry.repeated);
  EXPECT_TRUE(retry.relayed.empty());
  store::Message line{first.seq, core::Author::visitor, "again", first.at};
  line.relayed = first.relayed;
  m_feed.publish_line(chat, line);
  m_sender->run();
  m_feed.publish(chat);
  m_sender->run();
  EXPECT_EQ(sent_to_joe("again"), 1);
}

// A line stored while an earlier one waits for the broker is not relayed by the gateway: the
// broker reads both and sends them in order.
TEST_F(BrokerTest, TheGatewayRelaysALineOnlyWhenEveryEarlierOneWent) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  (void)m_gateway->add_message(chat, core::Author::visitor, "elsewhere");  // not handed over
  m_gateway->relay_open_lines(core::Addressing::account);
  EXPECT_FALSE(visitor_hands_over(chat, "handed"));
  EXPECT_TRUE(visitor_hands_over(chat, "after"));
  EXPECT_EQ(last_sent_to_joe(3), (std::vector<std::string>{"elsewhere", "handed", "after"}));
}

// A handed row with an unread row before it (here a line relayed in another chat but not
// handed over) is not sent ahead of it: the outbox is read, and both go once, in order.
TEST_F(BrokerTest, AHandedRowAfterAnUnreadOneWaitsForTheRead) {
  gateway_relays_for_operators_of_two_chats();
  const auto first = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(first));
  const auto second = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(second));
  ASSERT_FALSE(m_gateway->add_message(first, core::Author::visitor, "unread").relayed.empty());
  const auto outbox_reads = m_store->undelivered_calls;
  EXPECT_TRUE(visitor_hands_over(second, "handed"));
  EXPECT_GT(m_store->undelivered_calls, outbox_reads);
  const auto unread = core::texts::line_prefix(first, "Ann") + "unread";
  const auto handed = core::texts::line_prefix(second, "Ann") + "handed";
  EXPECT_EQ(last_sent_to_joe(2), (std::vector<std::string>{unread, handed}));
  EXPECT_EQ(sent_to_joe(unread), 1);
  EXPECT_EQ(sent_to_joe(handed), 1);
}

// An operator who holds two chats tells their lines apart by the prefix, as the broker writes it.
TEST_F(BrokerTest, TheGatewayRelaysWithThePrefixOfAnOperatorHoldingSeveralChats) {
  gateway_relays_for_operators_of_two_chats();
  const auto first = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(first));
  EXPECT_TRUE(visitor_hands_over(first, "alone"));
  EXPECT_EQ(sent_to_joe("alone"), 1) << "no prefix for one chat";
  const auto second = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(second));
  EXPECT_TRUE(visitor_hands_over(first, "one of two"));
  EXPECT_EQ(sent_to_joe(core::texts::line_prefix(first, "Ann") + "one of two"), 1);
  joe_says("!FINISH " + std::to_string(second));
  EXPECT_TRUE(visitor_hands_over(first, "alone again"));
  EXPECT_EQ(sent_to_joe("alone again"), 1) << "no prefix once the other chat ended";
}

// More lines than the broker keeps for its next pump: the rest is read, nothing lost or doubled.
TEST_F(BrokerTest, LinesBeyondWhatIsKeptForThePumpAreRead) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  confirm_all();
  m_sender->sent.clear();
  const int count = 1500;
  for (int i = 0; i < count; ++i) {
    const auto text = "line " + std::to_string(i);
    const auto added = m_gateway->add_message(chat, core::Author::visitor, text);
    m_feed.publish_line(chat, store::Message{added.seq, core::Author::visitor, text, added.at});
  }
  const auto reads = m_store->pending_calls;
  m_sender->run();
  EXPECT_GT(m_store->pending_calls, reads) << "the lines not kept were read";
  for (std::size_t sent = 0; sent != m_sender->sent.size();) {
    sent = m_sender->sent.size();
    confirm_all();  // room in the window for the rest
  }
  ASSERT_EQ(m_sender->sent.size(), static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i)
    EXPECT_EQ(m_sender->sent[i].body, "line " + std::to_string(i)) << "each once, in order";
}

// A request's lines wait for an operator, handed over or not; after a failed write nothing is
// taken as known, and nothing is relayed twice.
TEST_F(BrokerTest, HandedLinesOfARequestOrAfterAFailedWriteGoThroughTheRead) {
  const auto chat = visitor_starts();
  visitor_hands_over(chat, "anyone there?");
  EXPECT_EQ(sent_to_joe("anyone there?"), 0) << "held until an operator accepts";
  joe_says("!ACCEPT " + std::to_string(chat));
  EXPECT_EQ(sent_to_joe("anyone there?"), 1) << "the backlog, once accepted";
  visitor_hands_over(chat, "one");
  ASSERT_EQ(sent_to_joe("one"), 1);

  m_store->failing_commits = true;  // the round fails, its events are written one by one
  (void)m_gateway->add_message(chat, core::Author::visitor, "two");
  visitor_hands_over(chat, "three");
  m_store->failing_commits = false;
  const auto reads = m_store->pending_calls;
  visitor_hands_over(chat, "four");
  EXPECT_GT(m_store->pending_calls, reads) << "read again after the failure";
  for (const auto* line : {"anyone there?", "one", "two", "three", "four"})
    EXPECT_EQ(sent_to_joe(line), 1) << line;
  EXPECT_TRUE(m_gateway->pending().visitor_messages.empty());
}

TEST_F(BrokerTest, UnconfirmedRowsAreSentAgainAfterAReconnectWithTheSameIds) {
  const auto chat = visitor_starts();
  joe_says("!ACCEPT " + std::to_string(chat));
  confirm_all();  // the offer and the accept's answers went through
  visitor_says(chat, "are you there?");
  ASSERT_EQ(sent_to_joe("are you there?"), 1);
  const auto id = m_sender->sent.back().id;

  // The connection drops before the barrier came back.
  listener().on_disconnected("test");
  m_sender->m_connected = false;
  m_sender->run();
  m_sender->sent.clear();
  m_sender->m_connected = true;
  listener().on_connected();
  m_sender->run();
  ASSERT_EQ(sent_to_joe("are you there?"), 1) << "sent again after the reconnect";
  EXPECT_EQ(m_sender->sent.back().id, id) << "with the same id (the same stanza id)";

  // Confirmed now: a further reconnect sends nothing again.
  confirm_all();
  listener().on_disconnected("test");
  m_sender->m_connected = false;
  m_sender->run();
  m_sender->sent.clear();
  m_sender->m_connected = true;
  listener().on_connected();
  m_sender->run();
  EXPECT_EQ(sent_to_joe("are you there?"), 0);
}

}  // namespace
}  // namespace seshat::app
