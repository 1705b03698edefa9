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
#include "app/signals.hpp"
#include "core/visitor_texts.hpp"
#include "http/gateway.hpp"
#include "http/metrics.hpp"
#include "store/change_feed.hpp"
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

http::Settings gateway_settings(const Config& config, const Broker* broker) {
  http::Settings settings;
  settings.host = config.listen.host;
  settings.port = config.listen.port;
  settings.prefix = config.prefix;
  settings.allowed_origins = config.allowed_origins;
  settings.web_root = web_root();
  settings.open_store = [path = config.sqlitedb] { return store::open_sqlite_store(path); };
  auto texts = std::make_shared<core::texts::VisitorTexts>(config.language);
  for (const auto& line : config.text_overrides)
    (void)texts->set(line.language, line.key, line.text);  // checked by load_config
  settings.visitor_texts = std::move(texts);
  // A visitor's page is "seen" when it reads; refresh that well within visitor_timeout, or a
  // live visitor would count as vanished.
  if (config.visitor_timeout.count() > 0) {
    using namespace std::chrono;
    const auto timeout = duration_cast<milliseconds>(config.visitor_timeout);
    settings.limits.touch_interval = std::min(settings.limits.touch_interval, timeout / 4);
    settings.heartbeat =
        std::max(seconds(1), std::min(settings.heartbeat, duration_cast<seconds>(timeout / 3)));
  }
  settings.log = log_from_gateway;
  if (broker != nullptr) {
    settings.health = [broker] {
      const bool connected = broker->xmpp_connected();
      return http::Health{connected, {{"xmpp", connected ? "connected" : "disconnected"}}};
    };
    settings.extra_metrics = [broker] { return broker->metrics(); };
  }
  return settings;
}

}  // namespace

int run_services(Mode mode, const Config& config) {
  block_shutdown_signals();
  store::ChangeFeed feed;
  // Open (and migrate) the database once before anything runs, so a broken file fails fast.
  auto store = store::open_sqlite_store(config.sqlitedb);

  std::optional<store::DataVersionWatcher> watcher;
  if (mode != Mode::serve) watcher.emplace(std::move(store), feed, k_watch_period);

  std::unique_ptr<Broker> broker;
  if (mode != Mode::web) {
    broker = std::make_unique<Broker>(config, feed);
    broker->start();
  }
  http::Metrics metrics;
  std::unique_ptr<http::Gateway> gateway;
  if (mode != Mode::broker) {
    gateway =
        std::make_unique<http::Gateway>(gateway_settings(config, broker.get()), feed, metrics);
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
  spdlog::info("stopped");
  return 0;
}

}  // namespace seshat::app
