#pragma once
// What every connection of one Gateway shares: settings, widget files, the database thread,
// the waiter registry, the rate limiters, the metrics, and the set of open sessions (for a
// graceful stop). Internal to src/http; owned by Gateway::Impl, which outlives every session.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/beat_pacer.hpp"
#include "http/connection_limits.hpp"
#include "http/db_worker.hpp"
#include "http/gateway.hpp"
#include "http/metrics.hpp"
#include "http/rate_limiter.hpp"
#include "http/routes.hpp"
#include "http/static_files.hpp"
#include "http/waiters.hpp"

namespace seshat::http {

// A connection as the gateway sees it when stopping.
class Stoppable {
 public:
  virtual ~Stoppable() = default;
  // Called on any thread: posts the graceful end to the connection's strand.
  virtual void stop_gracefully() = 0;
};

struct SharedState {
  SharedState(Settings settings_in, Metrics& metrics_in)
      : settings(std::move(settings_in)),
        prefix(normalize_prefix(settings.prefix)),
        metrics(metrics_in),
        wrong_tokens(settings.wrong_tokens_per_minute),
        connections(ConnectionCaps{settings.max_connections, settings.max_connections_per_address,
                                   settings.max_streams_per_chat, settings.connection_reserve}) {}

  void log(LogLevel level, std::string_view text) const {
    if (settings.log) settings.log(level, text);
  }

  void add(Stoppable* session, std::weak_ptr<Stoppable> handle) {
    std::lock_guard lock(sessions_mutex);
    sessions.insert_or_assign(session, std::move(handle));
  }
  void remove(Stoppable* session) {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(session);
    if (sessions.empty()) no_sessions.notify_all();
  }
  // True when every session ended within `timeout`.
  [[nodiscard]] bool wait_until_no_sessions(std::chrono::milliseconds timeout) {
    std::unique_lock lock(sessions_mutex);
    return no_sessions.wait_for(lock, timeout, [this] { return sessions.empty(); });
  }
  void stop_all() {
    std::vector<std::shared_ptr<Stoppable>> live;
    {
      std::lock_guard lock(sessions_mutex);
      for (const auto& [raw, handle] : sessions) {
        if (auto session = handle.lock()) live.push_back(std::move(session));
      }
    }
    for (const auto& session : live) session->stop_gracefully();
  }

  Settings settings;
  std::string prefix;  // normalized: "" or "/seshat"
  WidgetFiles files;
  std::string openapi;  // the OpenAPI document, for this prefix
  Metrics& metrics;
  std::unique_ptr<DbWorker> db;      // set by start()
  std::unique_ptr<BeatPacer> beats;  // set by start(): the event streams' heartbeats
  WaiterRegistry waiters;
  RateLimiter wrong_tokens;  // token guessing per address: wrong tokens spend it
  ConnectionLimits connections;
  std::atomic<bool> stopping{false};

  std::mutex sessions_mutex;
  std::condition_variable no_sessions;
  std::unordered_map<Stoppable*, std::weak_ptr<Stoppable>> sessions;
};

}  // namespace seshat::http
