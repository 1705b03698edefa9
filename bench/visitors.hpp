#pragma once
// Simulated visitors over seshat's real HTTP API (design.md), on one Boost.Asio thread with C++20
// coroutines. Every visitor connects from its own loopback address (127.B.x.y), as distinct
// visitors would: the gateway limits chats per client address. The main thread calls the
// methods below; they post the work onto the HTTP thread and return at once.

#include <utility>  // before Boost (Boost 1.74 with g++ 12)

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "shared.hpp"

namespace seshat::bench {

enum class Transport { sse, long_poll };

struct HttpSettings {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::string prefix = "/seshat";
  Transport transport = Transport::sse;
  int address_base = 10;           // visitors connect from 127.<base..base+2>.x.y
  unsigned short second_port = 0;  // a second gateway: visitors with an odd index use it
  // Idle visitors being connected at once (POST /chats, then the stream).
  int idle_window = 32;
  // An idle visitor's held stream is not read until this many bytes wait (SO_RCVLOWAT), so a
  // heartbeat does not wake the load generator: a browser reads it on a machine of its own, and
  // here its wake-up would take a turn on the cores under test (bench/rounds.md, "the held
  // streams' readers"). Its end still wakes it. 0: every heartbeat is read.
  int idle_low_water = 4096;
};

struct Ticket {
  std::int64_t id = 0;
  std::string token;
};

class Visitors {
 public:
  Visitors(HttpSettings settings, Shared& shared);
  ~Visitors();  // stops the thread: every connection is dropped
  Visitors(const Visitors&) = delete;
  Visitors& operator=(const Visitors&) = delete;

  void start();
  void stop();

  // Chats that stay idle: one SSE (or long-poll) reader each; shared.idle_ready counts them.
  void open_idle(int count);
  // Chats "v<i>" for i < count; shared.chat_ids[i] is set once created, shared.visitors_open
  // counts those that saw their chat open.
  void open_active(int count);
  // Chats "n<i>" opened one after another, `gap_ms` apart; shared.created_ns[i] is the send time.
  void announce(int count, int gap_ms);
  // Each active visitor sends one timed message a second within shared.steady_start/end_ns.
  void start_steady();
  // Each active visitor sends `per_visitor` timed messages back to back.
  void start_burst(int per_visitor);

  // The idle visitors' chats (read after stop()).
  [[nodiscard]] std::vector<Ticket> idle_tickets() const;

  struct Visitor;

 private:
  HttpSettings m_settings;
  Shared& m_shared;
  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
  std::vector<std::shared_ptr<Visitor>> m_active;
  std::vector<std::shared_ptr<Visitor>> m_idle;
  std::thread m_thread;
};

// Blocks until GET /api/availability reports `count` operators, or `timeout_s` passes.
[[nodiscard]] bool wait_available(const HttpSettings& settings, int count, int timeout_s);

}  // namespace seshat::bench
