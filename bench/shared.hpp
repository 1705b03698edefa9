#pragma once
// What the load generator's threads share: the XMPP thread (operators), the HTTP thread
// (visitors) and the main thread that steps through the phases. Plain atomics and Samples only.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "latency.hpp"

namespace seshat::bench {

// The phase a timed message belongs to travels in its text ("p=N"). `first`: the one message
// each side sends as soon as its chat is open (the operator after "You are now handling chat",
// the visitor after "Your chat has started."), the first message after each !ACCEPT. `round`:
// b's floor, one message to each receiver at once, rounds far apart (seq = the round).
enum class Phase : int { setup = 0, steady = 1, burst = 2, stop = 3, first = 4, round = 5 };
constexpr int k_phases = 6;

struct Shared {
  explicit Shared(std::size_t visitors)
      : chat_ids(std::make_unique<std::atomic<std::int64_t>[]>(visitors)),
        created_ns(std::make_unique<std::atomic<std::int64_t>[]>(visitors)) {}

  std::atomic<int> phase{static_cast<int>(Phase::setup)};
  // The steady phase: from steady_start_ns, `steady_active_ns` of sending; with a paired floor
  // (--paired-hop) that time comes in blocks of `block_ns`, the relay's (`block_turn` 0) and the
  // floor's (1) in turn, so both meet the same minutes of the host.
  std::atomic<std::int64_t> steady_start_ns{0};
  std::atomic<std::int64_t> steady_active_ns{0};
  std::atomic<std::int64_t> block_ns{0};  // 0: one block, the whole phase
  std::atomic<int> block_turn{0};

  // When a send due `offset` ns into this side's sending time falls on the clock.
  [[nodiscard]] std::int64_t steady_at(std::int64_t offset) const {
    const auto block = block_ns.load();
    if (block == 0) return steady_start_ns.load() + offset;
    return steady_start_ns.load() + (offset / block * 2 + block_turn.load()) * block +
           offset % block;
  }
  // Relay: operator i sends its !ACCEPT no earlier than this + i * 10 ms (0: not yet), so that
  // the 100 accepts and the first messages after them come at a chat's pace, not all at once.
  std::atomic<std::int64_t> accepts_start_ns{0};

  // Per active visitor i: its chat id once created (0 before), and when POST /api/chats was sent.
  std::unique_ptr<std::atomic<std::int64_t>[]> chat_ids;
  std::unique_ptr<std::atomic<std::int64_t>[]> created_ns;

  std::atomic<int> operators_online{0};
  std::atomic<int> operators_accepted{0};
  std::atomic<int> visitors_open{0};
  std::atomic<int> idle_ready{0};
  std::atomic<int> idle_failed{0};
  std::atomic<int> firsts_sent{0};    // first messages sent, both sides
  std::atomic<int> notifications{0};  // notify: every notice; notify floor: every round's message
  std::atomic<int> rounds_due{0};     // notify floor: rounds the main thread has called
  std::atomic<int> errors{0};
  std::atomic<int> bursts_called{0};  // a flooding client sends one burst for each call
  std::atomic<int> burst_received{0};
  std::atomic<std::int64_t> burst_last_ns{0};

  std::array<Samples, k_phases> to_operator;  // visitor (or client A) -> operator
  std::array<Samples, k_phases> to_visitor;   // operator (or client B) -> visitor
  // The parts of visitor -> operator that a visitor sees: where a slow message lost its time.
  std::array<Samples, k_phases> accepted;  // POST -> its 202 (stored)
  Samples notify;                          // POST /api/chats -> one operator's notification
  std::vector<std::string> error_texts;    // first few, for the report (HTTP thread only)
};

}  // namespace seshat::bench
