#include "app/services.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "app/broker.hpp"
#include "app/fd_limit.hpp"
#include "app/leading_broker.hpp"
#include "app/mailer.hpp"
#include "app/signals.hpp"
#include "core/visitor_texts.hpp"
#include "http/gateway.hpp"
#include "http/metrics.hpp"
#include "store/change_feed.hpp"
#include "store/pg_listener.hpp"
#include "store/shared_connection.hpp"
#include "store/store.hpp"

namespace seshat::app {
namespace {

// How often a split-mode process looks for the other process's commits. A data_version read
// is a few microseconds; 2 ms keeps cross-process relay latency low.
constexpr std::chrono::milliseconds k_watch_period{2};

// The widget files: SESHAT_WEB_ROOT if set, else the installed copy, else the source tree's
// (running from a build directory).
std::filesystem::path web_root() {
  if (const char* root = std::getenv("SESHAT_WEB_ROOT"); root != nullptr && *root != '\0') {
    return root;
  }
  if (std::filesystem::exists(SESHAT_INSTALLED_WEB_DIR "/widget.js")) {
    return SESHAT_INSTALLED_WEB_DIR;
  }
  return SESHAT_SOURCE_WEB_DIR;
}

void log_from_gateway(http::LogLevel level, std::string_view text) {
  switch (level) {
    case http::LogLevel::debug:
      spdlog::debug("http: {}", text);
      break;
    case http::LogLevel::info:
      spdlog::info("http: {}", text);
      break;
    case http::LogLevel::warn:
      spdlog::warn("http: {}", text);
      break;
    case http::LogLevel::error:
      spdlog::error("http: {}", text);
      break;
  }
}

// The connection caps, bounded by what the descriptor limit allows (raised first).
void apply_caps(const Caps& caps, http::Settings& settings) {
  const auto limit = raise_fd_limit();
  if (!limit.error.empty())
    spdlog::warn("http: cannot raise the descriptor limit ({}): soft {}, hard {}", limit.error,
                 limit.soft, limit.hard);
  const auto allowed = connections_allowed(limit);
  auto wanted = static_cast<std::uint64_t>(caps.max_connections);
  if (wanted == 0) wanted = allowed;  // "no cap": as many as descriptors allow
  if (wanted > allowed) {
    spdlog::warn(
        "http: max_connections is {}, but the descriptor limit ({}) allows only {}; using {} "
        "(raise LimitNOFILE or ulimit -n)",
        caps.max_connections, limit.soft, allowed, allowed);
    wanted = allowed;
  }
  settings.max_connections = wanted;
  settings.connection_reserve = std::min<std::size_t>(settings.connection_reserve, wanted / 2);
  settings.max_connections_per_address = static_cast<std::size_t>(caps.max_connections_per_address);
  settings.max_streams_per_chat = static_cast<std::size_t>(caps.max_streams_per_chat);
  settings.limits.chats_per_minute = static_cast<int>(caps.chats_per_minute);
  settings.limits.chats_per_minute_per_network =
      static_cast<int>(caps.chats_per_minute_per_network);
  settings.limits.messages_per_minute_per_network =
      static_cast<int>(caps.messages_per_minute_per_network);
  settings.limits.max_messages_per_chat = static_cast<int>(caps.max_messages_per_chat);
  settings.limits.min_free_disk_mb = caps.min_free_disk_mb;
  spdlog::info(
      "http: can hold {} connections ({} kept for /healthz); descriptor limit {} (hard {}{})",
      wanted, settings.connection_reserve, limit.soft, limit.hard,
      limit.raised ? ", soft limit raised to it" : "");
}

http::Settings gateway_settings(const Config& config, const Broker* broker, const Mailer* mailer) {
  http::Settings settings;
  settings.host = config.listen.host;
  settings.port = config.listen.port;
  settings.prefix = config.prefix;
  settings.allowed_origins = config.allowed_origins;
  settings.trusted_proxies = config.trusted_proxies;
  settings.web_root = web_root();
  settings.open_store = [location = config.store_location()] {
    return store::open_store(location);
  };
  auto texts = std::make_shared<core::texts::VisitorTexts>(config.language);
  for (const auto& line : config.text_overrides)
    (void)texts->set(line.language, line.key, line.text);  // checked by load_config
  settings.visitor_texts = std::move(texts);
  // A page that polls is "seen" when it reads (one with an event stream open is held: see
  // visitors/held_presence.hpp). Refresh that well within visitor_timeout and visitor_grace, or
  // a page that is there would count as gone (the operator told, mail sent, the chat closed).
  for (const auto limit : {config.visitor_timeout, config.visitor_grace}) {
    using namespace std::chrono;
    if (limit.count() <= 0) continue;
    const auto within = duration_cast<milliseconds>(limit);
    settings.limits.touch_interval = std::min(settings.limits.touch_interval, within / 4);
    settings.longest_poll =
        std::max(seconds(1), std::min(settings.longest_poll, duration_cast<seconds>(within / 3)));
  }
  settings.limits.mail = config.mail.enabled();
  settings.log = log_from_gateway;
  apply_caps(config.caps, settings);
  if (broker != nullptr) {  // (on PostgreSQL, a LeadingBroker instead: see several_machines)
    settings.health = [broker] {
      const bool connected = broker->xmpp_connected();
      http::Health health{connected, {{"xmpp", connected ? "connected" : "disconnected"}}};
      // Component mode: chats talk through the component's stream; without it they cannot.
      if (const auto component = broker->component_connected()) {
        health.ok = health.ok && *component;
        health.checks.emplace_back("xmpp_component", *component ? "connected" : "disconnected");
      }
      return health;
    };
    settings.extra_metrics = [broker, mailer] {
      return broker->metrics() + (mailer != nullptr ? mailer->metrics() : std::string());
    };
  }
  return settings;
}

// PostgreSQL (README "Several machines"): /healthz and /metrics tell leader from standby, and
// show the change feed's connection and lag.
void several_machines(http::Settings& settings, const LeadingBroker* leading,
                      const store::PgListener& listener) {
  settings.health = [leading, &listener] {
    http::Health health;
    health.checks.emplace_back("feed", listener.connected() ? "listening" : "reconnecting");
    if (leading != nullptr) {
      const bool leader = leading->leading();
      const bool connected = leading->xmpp_connected();
      health.checks.emplace_back("broker", leader ? "leader" : "standby");
      if (leader) health.checks.emplace_back("xmpp", connected ? "connected" : "disconnected");
      health.ok = !leader || connected;  // a standby is healthy: it is doing its job
    }
    return health;
  };
  settings.extra_metrics = [leading, &listener] {
    return listener.metrics() + (leading != nullptr ? leading->metrics() : std::string());
  };
}

}  // namespace

int run_services(Mode mode, const Config& config) {
  block_shutdown_signals();
  store::ChangeFeed feed;
  // Open (and migrate) the database once before anything runs, so a broken file fails fast.
  auto store = store::open_store(config.store_location());

  // Other processes' commits: PostgreSQL notifies them (every mode: any number of processes
  // may share the database); SQLite's data_version is polled when split in two processes.
  std::optional<store::DataVersionWatcher> watcher;
  std::unique_ptr<store::PgListener> listener;
  // `serve` on SQLite: the gateway and the broker take turns on that one connection, which
  // keeps its page cache between their commits (store/shared_connection.hpp).
  std::optional<store::SharedConnection> shared;
  if (!config.database.empty()) {
    listener = std::make_unique<store::PgListener>(config.database, feed);
  } else if (mode != Mode::serve) {
    // At rest it sleeps until the write-ahead log is written (SQLite names it "<file>-wal").
    watcher.emplace(std::move(store), feed, k_watch_period, config.sqlitedb + "-wal");
  } else {
    shared.emplace(std::move(store));
  }
  const auto open_store = [&]() {
    return shared ? shared->user() : store::open_store(config.store_location());
  };

  std::unique_ptr<Broker> broker;
  std::unique_ptr<LeadingBroker> leading;  // PostgreSQL: one broker leads, others stand by
  if (mode != Mode::web && listener) {
    leading = std::make_unique<LeadingBroker>(config, feed);
    leading->start();
  } else if (mode != Mode::web) {
    broker = std::make_unique<Broker>(
        config, feed, open_store(),
        [&config](xmpp::Listener& listener) { return connect_xmpp(config, listener); });
    broker->start();
  }
  // Mail and retention run beside the broker (one process per database does them; on
  // PostgreSQL, beside the leading broker).
  std::unique_ptr<Mailer> mailer;
  if (mode != Mode::web && !leading && Mailer::needed(config)) {
    mailer = std::make_unique<Mailer>(config);
    mailer->start();
  }
  http::Metrics metrics;
  std::unique_ptr<http::Gateway> gateway;
  if (mode != Mode::broker) {
    auto settings = gateway_settings(config, broker.get(), mailer.get());
    if (shared) settings.open_store = open_store;
    // A visitor's line in an open chat goes to the operator's outbox in its own transaction
    // (SQLite): the broker only sends it.
    settings.open_store = [open = std::move(settings.open_store),
                           addressing = config.component.addressing()] {
      auto store = open();
      store->relay_open_lines(addressing);
      return store;
    };
    if (listener) several_machines(settings, leading.get(), *listener);
    gateway = std::make_unique<http::Gateway>(std::move(settings), feed, metrics);
    gateway->start();
    spdlog::info("listening on http://{}:{}{}/", config.listen.host, gateway->port(),
                 config.prefix);
  }
  spdlog::info("seshat {} running; SIGINT or SIGTERM stops it", SESHAT_VERSION);
  const int signal = wait_for_shutdown_signal();
  spdlog::info("signal {}: shutting down", signal);
  // The gateway first: it answers what is in flight; then the broker relays what that stored.
  if (gateway) gateway->stop();
  if (broker) broker->stop();
  if (leading) leading->stop();
  if (mailer) mailer->stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace seshat::app
