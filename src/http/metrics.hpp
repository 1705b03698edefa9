#pragma once
// The gateway's counters, gauges and one histogram, as atomics that any thread may bump, and
// their rendering in the Prometheus text format (GET /metrics). The app owns the Metrics and
// may read it; the Gateway only adds to it.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "base/histogram.hpp"

namespace seshat::http {

struct Metrics {
  std::atomic<std::uint64_t> requests{0};  // every request read
  std::atomic<std::uint64_t> responses_2xx{0};
  std::atomic<std::uint64_t> responses_3xx{0};
  std::atomic<std::uint64_t> responses_4xx{0};
  std::atomic<std::uint64_t> responses_5xx{0};
  std::atomic<std::uint64_t> chats_started{0};
  std::atomic<std::uint64_t> messages_sent{0};        // visitor messages accepted (202)
  std::atomic<std::uint64_t> rate_limited{0};         // 429: chat creation, wrong tokens
  std::atomic<std::uint64_t> events_sent{0};          // SSE message and status events
  std::atomic<std::int64_t> connections{0};           // open TCP connections
  std::atomic<std::int64_t> long_polls{0};            // requests waiting for a message
  std::atomic<std::int64_t> event_streams{0};         // open SSE streams
  std::atomic<std::int64_t> db_queue{0};              // jobs waiting for the database thread
  std::atomic<std::uint64_t> connections_refused{0};  // over a connection cap (503/429 at once)
  std::atomic<std::uint64_t> streams_refused{0};      // over max_streams_per_chat (429)
  std::atomic<std::uint64_t> streams_cut{0};          // event streams cut: reader fell behind

  // Duration of requests answered at once (long-polls and streams are not counted here).
  base::Histogram durations;

  void count_response(int status);
  void observe_duration(std::chrono::steady_clock::duration duration);
};

// Prometheus text exposition format 0.0.4, metric names prefixed "seshat_http_".
[[nodiscard]] std::string render_prometheus(const Metrics& metrics);

}  // namespace seshat::http
