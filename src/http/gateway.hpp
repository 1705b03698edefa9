#pragma once
// The HTTP gateway: the visitors' JSON API (with long-poll and Server-Sent Events), the widget
// files and demo page, /healthz and /metrics. The only part of Seshat that knows Boost.Beast;
// nothing of it shows in this header.
//
// Threads: `io_threads` threads run the network; one database thread owns the gateway's Store
// (opened with Settings::open_store) and does every SQLite call, so no io thread ever blocks on
// the database. Long-polls and streams wait on the ChangeFeed: a published chat id wakes that
// chat's waiters; chat 0 (a commit by another process) makes the database thread look which
// waited-for chats changed, and wakes those.
//
// Lifetime: the ChangeFeed and the Metrics must outlive the Gateway. start() once; stop() (or
// the destructor) ends it: no new connections, requests being handled are answered, waiting
// long-polls are answered at once, event streams are ended; after `shutdown_grace` whatever is
// left is cut. stop() may be called from any thread (e.g. a signal handler's thread).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/ip_network.hpp"
#include "http/metrics.hpp"
#include "store/change_feed.hpp"
#include "store/store.hpp"
#include "visitors/visitors.hpp"

namespace seshat::http {

enum class LogLevel { debug, info, warn, error };

// What /healthz reports beyond the gateway itself, e.g. {"xmpp","connected"}.
struct Health {
  bool ok = true;  // false: /healthz answers 503 {"status":"failing",...}
  std::vector<std::pair<std::string, std::string>> checks;
};

struct Settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (Gateway::port() tells which)
  std::string prefix = "/seshat";
  // Origins allowed to call the API from other sites ("https://www.example.com"; "*" = any).
  // Same-origin requests and requests without Origin are always allowed.
  std::vector<std::string> allowed_origins;
  // Proxies (nginx, a CDN) whose X-Forwarded-For is believed: the visitor's address for the
  // per-network limits, wrong-token counting, !INFO and !BLOCK. Connection caps stay per peer.
  std::vector<base::IpNetwork> trusted_proxies;
  std::filesystem::path web_root;  // holds widget.js, widget.css, index.html
  std::size_t max_body = 16 * 1024;
  int wrong_tokens_per_minute = 20;  // then that address's chat calls get 429 for a while; 0: off
  int io_threads = 1;
  std::chrono::seconds header_timeout{30};  // also the keep-alive idle time
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds heartbeat{25};     // an event stream's comment, for proxies
  std::chrono::seconds longest_poll{25};  // a long-poll's page is heard from at least this often
  std::chrono::seconds shutdown_grace{5};
  std::size_t max_db_queue = 10000;  // jobs beyond it are answered 503
  // Connection caps (per process). Over a cap a connection gets a small reserve slot that only
  // answers /healthz and /metrics, or, with the reserve full, a fast 503/429 without reading.
  std::size_t max_connections = 20000;            // in total, `connection_reserve` included
  std::size_t max_connections_per_address = 200;  // 0: no cap
  std::size_t max_streams_per_chat = 8;           // SSE streams + long-polls per chat; 0: none
  std::size_t connection_reserve = 32;            // kept for /healthz and /metrics
  std::chrono::seconds reserve_timeout{5};        // a reserve connection's header timeout
  visitors::Limits limits;  // the visitor's limits (sizes, rates, floods counted in the store)
  // The bot's texts in the visitors' languages (none: as stored, in English).
  std::shared_ptr<const core::texts::VisitorTexts> visitor_texts;

  // Opens the gateway's Store (a connection of its own, or a user of one it shares with the
  // broker: store/shared_connection.hpp); called once, in start(). Required.
  std::function<std::unique_ptr<store::Store>()> open_store;
  // Optional: more Prometheus lines appended to /metrics (the app's own metrics).
  std::function<std::string()> extra_metrics;
  // Optional: the app's health checks for /healthz; called on an io thread, must be quick.
  std::function<Health()> health;
  // Optional: where the gateway logs (the app routes it to its logger).
  std::function<void(LogLevel, std::string_view)> log;
};

class Gateway {
 public:
  Gateway(Settings settings, store::ChangeFeed& feed, Metrics& metrics);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Opens the store, loads the widget files, listens, starts the threads; returns at once.
  // Throws std::runtime_error (cannot listen: the address and the reason) or store::StoreError.
  void start();

  // The port listened on (after start()).
  [[nodiscard]] std::uint16_t port() const;

  // Graceful stop as described above; returns when every thread has ended. Idempotent.
  void stop();

  // Blocks until stop() has been called and has finished (for a main thread that only waits).
  void wait();

 private:
  void start_listening();

  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace seshat::http
