// A real Gateway on a free port, over a temporary SQLite database, for the API tests.
// Prints "port N" once listening. Reads commands on stdin that stand in for the broker (each
// answered by one line "ok ..." or "error ..."):
//   operator ID TEXT   the operator writes TEXT in chat ID (published for chat ID)
//   remote ID TEXT     the same, but published as chat 0, as a commit by another process is
//   line ID TEXT       joe's line asking for a receipt, published as the broker does: the
//                      line whole, then the chat ("ok SEQ")
//   receipts ID        how many receipts for chat ID wait in the outbox ("ok N")
//   accept ID          an operator accepts chat ID ("Your chat has started.")
//   finish ID          the operator ends chat ID ("The chat is now closed.")
//   online JID         the operator JID becomes available
//   reads              how many times the gateway has read messages from the store ("ok N")
//   slow-lookup MS     the gateway's next look-up of a chat (every request on a chat begins with
//                      one) takes MS milliseconds more
//   slowed             how many such slowed look-ups have begun ("ok N")
//   stop               graceful stop (also on end of input); prints "stopped"
// Options: --db PATH --web-root DIR --prefix P --origin O (repeatable) --chats-per-minute N
//          --max-body BYTES --heartbeat SECONDS
//          --max-connections N --max-per-address N --max-streams-per-chat N --reserve N
//          --chats-per-minute-total N --messages-per-minute-per-network N
//          --max-messages-per-chat N --min-free-disk-mb N
// (--chats-per-minute is per network; the total is off unless given)
//          --io-threads N

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "core/texts.hpp"
#include "forwarding_store.hpp"
#include "http/gateway.hpp"
#include "store/change_feed.hpp"
#include "store/store.hpp"

namespace {

using namespace seshat;

struct Options {
  std::string db;
  http::Settings settings;
};

Options parse(int argc, char** argv) {
  Options options;
  options.settings.port = 0;
  options.settings.limits.chats_per_minute = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const std::string value = argv[i + 1];
    if (name == "--db")
      options.db = value;
    else if (name == "--web-root")
      options.settings.web_root = value;
    else if (name == "--prefix")
      options.settings.prefix = value;
    else if (name == "--origin")
      options.settings.allowed_origins.push_back(value);
    else if (name == "--chats-per-minute")  // per network
      options.settings.limits.chats_per_minute_per_network = std::stoi(value);
    else if (name == "--chats-per-minute-total")
      options.settings.limits.chats_per_minute = std::stoi(value);
    else if (name == "--messages-per-minute-per-network")
      options.settings.limits.messages_per_minute_per_network = std::stoi(value);
    else if (name == "--max-messages-per-chat")
      options.settings.limits.max_messages_per_chat = std::stoi(value);
    else if (name == "--min-free-disk-mb")
      options.settings.limits.min_free_disk_mb = std::stoll(value);
    else if (name == "--io-threads")
      options.settings.io_threads = std::stoi(value);
    else if (name == "--max-body")
      options.settings.max_body = std::stoul(value);
    else if (name == "--max-connections")
      options.settings.max_connections = std::stoul(value);
    else if (name == "--max-per-address")
      options.settings.max_connections_per_address = std::stoul(value);
    else if (name == "--max-streams-per-chat")
      options.settings.max_streams_per_chat = std::stoul(value);
    else if (name == "--reserve")
      options.settings.connection_reserve = std::stoul(value);
    else if (name == "--heartbeat")
      options.settings.heartbeat = std::chrono::seconds(std::stoi(value));
    else
      throw std::invalid_argument("unknown option " + name);
  }
  return options;
}

std::atomic<int> g_reads{0};
std::atomic<int> g_slow_lookup_ms{0};
std::atomic<int> g_slowed{0};

// The gateway's store, counting its reads of messages (the command "reads"), and slowing its
// next look-up of a chat on request ("slow-lookup"). A look-up to be slowed runs on the database
// thread, not on an io thread at rest (DbWorker): no batch starts there meanwhile.
class CountingStore : public testing::ForwardingStore {
 public:
  explicit CountingStore(std::unique_ptr<store::Store> real) : ForwardingStore(std::move(real)) {}
  std::unique_ptr<store::Batch> try_begin_batch() override {
    if (g_slow_lookup_ms.load() > 0) return nullptr;
    return ForwardingStore::try_begin_batch();
  }
  std::vector<store::Message> messages_after(store::ChatId chat, store::Seq after,
                                             int limit) override {
    ++g_reads;
    return ForwardingStore::messages_after(chat, after, limit);
  }
  std::optional<store::ChatRecord> find_chat(store::ChatId chat) override {
    if (const int ms = g_slow_lookup_ms.exchange(0); ms > 0) {
      ++g_slowed;
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    return ForwardingStore::find_chat(chat);
  }
};
int g_stanzas = 0;

std::string rest_of(std::istringstream& in) {
  std::string text;
  std::getline(in >> std::ws, text);
  return text;
}

std::string run_command(const std::string& line, store::Store& store, store::ChangeFeed& feed) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  if (verb == "operator" || verb == "remote") {
    core::ChatId chat = 0;
    in >> chat;
    const auto added = store.add_message(chat, core::Author::operator_, rest_of(in));
    if (added.result != store::AddResult::added) return "error not added";
    feed.publish(verb == "operator" ? chat : store::any_chat);
    return "ok " + std::to_string(added.seq);
  }
  if (verb == "accept" || verb == "finish") {
    core::ChatId chat = 0;
    in >> chat;
    const bool accept = verb == "accept";
    core::Actions actions{
        core::SetState{chat, accept ? core::ChatState::waiting : core::ChatState::open,
                       accept ? core::ChatState::open : core::ChatState::closed,
                       accept ? "joe@localhost" : ""},
        core::PostToChat{chat, core::Author::system,
                         accept ? core::texts::chat_started() : core::texts::chat_closed()}};
    if (!store.apply(actions)) return "error not applied";
    feed.publish(chat);
    return "ok";
  }
  if (verb == "reads") return "ok " + std::to_string(g_reads.load());
  if (verb == "slow-lookup") {
    int ms = 0;
    in >> ms;
    g_slow_lookup_ms = ms;
    return "ok";
  }
  if (verb == "slowed") return "ok " + std::to_string(g_slowed.load());
  if (verb == "line") {
    core::ChatId chat = 0;
    in >> chat;
    core::OperatorStanza stanza;
    stanza.id = "s-" + std::to_string(++g_stanzas);
    stanza.wants_receipt = true;
    if (!store.apply({core::PostToChat{chat, core::Author::operator_, rest_of(in), "Joe",
                                       "joe@localhost/phone", stanza}}))
      return "error not applied";
    const auto lines = store.take_operator_lines();
    if (lines.size() != 1) return "error " + std::to_string(lines.size()) + " lines";
    feed.publish_line(chat, lines[0].second);
    feed.publish(chat);
    return "ok " + std::to_string(lines[0].second.seq);
  }
  if (verb == "receipts") {
    core::ChatId chat = 0;
    in >> chat;
    int receipts = 0;
    for (const auto& item : store.undelivered(0, 1000))
      receipts += item.chat == chat && item.kind == store::OutboxKind::received;
    return "ok " + std::to_string(receipts);
  }
  if (verb == "online") {
    const auto jid = rest_of(in);
    if (!store.apply({core::SetOperatorAvailable{jid, true}, core::SetOperatorFree{jid, true}}))
      return "error not applied";
    return "ok";
  }
  return "error unknown command";
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse(argc, argv);
  std::filesystem::path temp_dir;
  if (options.db.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "seshat-api-XXXXXX").string();
    temp_dir = ::mkdtemp(pattern.data());
    options.db = (temp_dir / "seshat.db").string();
  }
  int status = 0;
  {
    store::ChangeFeed feed;
    http::Metrics metrics;
    options.settings.open_store = [db = options.db]() -> std::unique_ptr<store::Store> {
      return std::make_unique<CountingStore>(store::open_sqlite_store(db));
    };
    options.settings.health = [] { return http::Health{true, {{"xmpp", "not used"}}}; };
    options.settings.extra_metrics = [] { return std::string("seshat_test_extra 1\n"); };
    options.settings.log = [](http::LogLevel level, std::string_view text) {
      if (level == http::LogLevel::debug || level == http::LogLevel::info) return;
      std::cerr << text << '\n';
    };
    http::Gateway gateway(options.settings, feed, metrics);
    gateway.start();
    auto store = store::open_sqlite_store(options.db);
    std::cout << "port " << gateway.port() << std::endl;
    std::string line;
    while (std::getline(std::cin, line) && line != "stop") {
      try {
        std::cout << run_command(line, *store, feed) << std::endl;
      } catch (const std::exception& error) {
        std::cout << "error " << error.what() << std::endl;
      }
    }
    gateway.stop();
    std::cout << "stopped" << std::endl;
  }
  if (!temp_dir.empty()) std::filesystem::remove_all(temp_dir);
  return status;
}
