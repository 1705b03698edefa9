#include "http/event_stream.hpp"

#include <utility>  // before Boost (Boost 1.74 with g++ 12)

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string_view>

#include "http/db_query.hpp"
#include "http/sse.hpp"

namespace seshat::http {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr int k_sse_retry_ms = 3000;
// A write stuck this long lets the stream read ahead; unwritten events beyond k_max_backlog cut
// it.
constexpr std::chrono::milliseconds k_stalled_write{1000};
constexpr std::size_t k_max_backlog = 256 * 1024;

// The next heartbeat: the period shortened by up to a quarter at random (streams opened together,
// a restart, a rush of visitors, would otherwise beat together, a spike of writes once a period
// that the messages in flight then wait behind), then on the next tick of k_beat_grid: waking the
// thread costs more than the write (a context switch; in a virtual machine, tens of microseconds),
// and 100,000 idle streams beating each at its own time woke it 4,500 times a second. On the grid,
// one wake queues every beat due in that tenth of a second, and the BeatPacer writes them a few
// at a time, letting the requests that came meanwhile in between.
constexpr std::chrono::milliseconds k_beat_grid{100};

SteadyClock::time_point next_beat(SteadyClock::time_point now, std::chrono::seconds period) {
  thread_local std::minstd_rand random{std::random_device{}()};
  // Each process's grid is shifted by a random part of a tick: the clock is the machine's, and
  // gateways on one machine would otherwise all write their beats in the same instant.
  static const SteadyClock::duration phase =
      std::chrono::microseconds(std::uniform_int_distribution<std::int64_t>(
          0, std::chrono::microseconds(k_beat_grid).count() - 1)(random));
  const auto full = std::chrono::duration_cast<std::chrono::milliseconds>(period).count();
  std::uniform_int_distribution<std::int64_t> shorten(0, full / 4);
  const auto due = now + std::chrono::milliseconds(full - shorten(random)) - phase;
  const auto ticks =
      (due.time_since_epoch() + k_beat_grid - SteadyClock::duration{1}) / k_beat_grid;
  return SteadyClock::time_point{SteadyClock::duration{ticks * k_beat_grid} + phase};
}

// The response's head, as Beast wrote it for the same fields (one buffer, no serializer kept
// for the stream's life: an idle stream's memory is mostly what it keeps between events).
std::string stream_head(unsigned http_version, std::string_view allow_origin,
                        std::string_view vary) {
  std::string head;
  head.reserve(256 + allow_origin.size() + vary.size());
  head += http_version == 10 ? "HTTP/1.0 200 OK\r\n" : "HTTP/1.1 200 OK\r\n";
  head +=
      "Server: seshat\r\n"
      "Content-Type: text/event-stream; charset=utf-8\r\n"
      "Cache-Control: no-store\r\n"
      "X-Content-Type-Options: nosniff\r\n"
      "X-Accel-Buffering: no\r\n";  // nginx: pass events through at once
  if (!allow_origin.empty()) {
    head += "Access-Control-Allow-Origin: ";
    head += allow_origin;
    head += "\r\n";
  }
  if (!vary.empty()) {
    head += "Vary: ";
    head += vary;
    head += "\r\n";
  }
  if (http_version != 10) head += "Connection: close\r\n";
  head += "Transfer-Encoding: chunked\r\n\r\n";
  return head;
}

// Appends `data` as one chunk of a chunked body.
void append_chunk(std::string& out, std::string_view data) {
  char size[24];
  const int length = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  out.append(size, static_cast<std::size_t>(length));
  out += data;
  out += "\r\n";
}

constexpr std::string_view k_last_chunk = "0\r\n\r\n";

// One timer serves the heartbeat and the timeout of the write in flight: a stream holds no
// other timer (Beast's tcp_stream would keep two, and arm one for every write).
class EventStream : public Waiter,
                    public Stoppable,
                    public std::enable_shared_from_this<EventStream> {
 public:
  EventStream(tcp::socket socket, SharedState& shared, std::string address, Admission admission,
              const StreamStart& start)
      : m_socket(std::move(socket)),
        m_shared(shared),
        m_address(std::move(address)),
        m_admission(admission),
        m_timer(m_socket.get_executor()),
        m_chat(start.chat),
        m_token(start.token),
        m_id(start.id),
        m_heartbeat(start.heartbeat),
        m_after(start.after) {}

  // The connection, its admission, the chat's stream slot and the event_streams gauge were
  // the Session's: they are given back here.
  ~EventStream() override {
    end();
    m_shared.connections.release(m_address, m_admission);
    m_shared.remove(this);
    m_shared.metrics.connections.fetch_sub(1, std::memory_order_relaxed);
  }

  void start(StreamStart start) {
    m_shared.add(this, weak_from_this());
    m_shared.waiters.join(m_chat, this, weak_from_this());
    m_registered = true;
    m_shared.db->hold(m_chat);  // the page is there while the stream is open
    m_dirty = start.dirty;
    m_status = start.first.status;
    m_position = start.first.position;
    m_operator_name = start.first.operator_name;
    m_head = stream_head(start.http_version, start.allow_origin, start.vary);
    m_shared.metrics.count_response(200);
    m_pending += sse_retry(k_sse_retry_ms) + sse_status(m_status, m_position, m_operator_name);
    m_shared.metrics.events_sent.fetch_add(1, std::memory_order_relaxed);
    m_next_beat = next_beat(SteadyClock::now(), m_heartbeat);
    arm_timer();
    watch_peer();
    take(start.first);
  }

  void wake() override {
    net::post(m_socket.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  // m_id never changes: read here, on the publisher's thread.
  void take_line(const store::Message& line, std::string_view sender_stream) override {
    if (!m_id.empty() && sender_stream == m_id) {
      net::post(m_socket.get_executor(),
                [self = shared_from_this(), seq = line.seq] { self->pass_over(seq); });
    } else {
      net::post(m_socket.get_executor(), [self = shared_from_this(), line] { self->echo(line); });
    }
  }

  void stop_gracefully() override {
    net::post(m_socket.get_executor(), [self = shared_from_this()] {
      self->m_stopping = true;
      self->m_ending = true;
      self->flush();
    });
  }

 private:
  void read() {
    if (m_closed) return;
    // One read at a time, and a stream reads again only once it has written what it has;
    // unless its write has been stuck for a while: then it reads ahead, to learn whether the
    // reader fell too far behind (k_max_backlog).
    const bool stalled = m_busy && SteadyClock::now() - m_write_started >= k_stalled_write;
    if (m_reading || ((m_busy || !m_pending.empty()) && !stalled)) {
      m_dirty = true;
      return;
    }
    m_reading = true;
    m_dirty = false;
    query_for(
        m_shared, shared_from_this(), m_socket.get_executor(),
        [chat = m_chat, token = m_token, after = m_after, handed = std::exchange(m_unhanded, 0)](
            visitors::Visitors& visitors, store::Store&) {
          return visitors.read(chat, token, after, 0, handed);
        },
        [this](base::Result<visitors::Transcript> transcript) {
          m_reading = false;
          if (m_closed) return;
          if (!transcript) {
            // The token stopped being valid, or the store is failing: end the stream; the
            // client reconnects (with Last-Event-ID) and learns what is wrong.
            m_ending = true;
            return flush();
          }
          take(transcript.value());
        });
  }

  // A line from its commit (the visitor's own, or an operator's from the broker in this
  // process): sent on without a read when it is the next one the stream owes; otherwise (a read
  // in flight, or a gap: a line of another writer came between) the stream reads as for any
  // change. An operator's line is then handed over by a read after its write (receipts, reply
  // mail), which also brings what its commit changed besides (typing, status).
  void echo(const store::Message& line) {
    if (!next_in_order(line.seq)) return;
    m_pending += sse_message(line);
    m_after = line.seq;
    if (line.from == core::Author::operator_) {
      m_unhanded = line.seq;
      m_dirty = true;
    }
    m_shared.metrics.events_sent.fetch_add(1, std::memory_order_relaxed);
    if (m_pending.size() + m_writing.size() > k_max_backlog) return cut();
    flush();
  }

  // A line that this stream's own page sent: passed over, as the page has it from the answer
  // to its POST; otherwise as echo().
  void pass_over(core::Seq seq) {
    if (next_in_order(seq)) m_after = seq;
  }

  // Whether `seq` is the next line the stream owes. Otherwise it has it already (a read brought
  // it), or it reads as for any change.
  bool next_in_order(core::Seq seq) {
    if (m_closed || seq <= m_after) return false;
    if (m_reading || seq != m_after + 1) {
      read();
      return false;
    }
    return true;
  }

  // What a read returned: its events, then a write.
  void take(const visitors::Transcript& value) {
    std::uint64_t sent = 0;
    for (const auto& message : value.messages) {
      if (message.seq <= m_after) continue;  // echoed already (echo)
      m_pending += sse_message(message);
      m_after = message.seq;
      ++sent;
    }
    m_shared.metrics.events_sent.fetch_add(sent, std::memory_order_relaxed);
    if (value.status != m_status || value.position != m_position ||
        value.operator_name != m_operator_name) {
      m_status = value.status;
      m_position = value.position;
      m_operator_name = value.operator_name;
      m_pending += sse_status(value.status, value.position, value.operator_name);
      m_shared.metrics.events_sent.fetch_add(1, std::memory_order_relaxed);
    }
    if (value.operator_typing != m_typing) {
      m_typing = value.operator_typing;
      m_pending += sse_typing(value.operator_typing, value.operator_name);
      m_shared.metrics.events_sent.fetch_add(1, std::memory_order_relaxed);
    }
    // A full page means there may be more: read again once this is written.
    if (value.more) m_dirty = true;
    // A reader that fell behind (its socket took nothing for a while and the events waiting
    // for it passed the bound) is cut: its memory is returned, and the client reconnects with
    // Last-Event-ID to continue where it was.
    if (m_pending.size() + m_writing.size() > k_max_backlog) return cut();
    if (value.status == core::VisitorStatus::closed || m_stopping) m_ending = true;
    flush();
    // A wake during this read may be for a commit the read did not see. With nothing to
    // write, no write completion will look at it: read again now (else once the write is done).
    if (m_dirty) read();
  }

  // The timer waits for the next heartbeat, or for the write in flight to time out if that
  // comes first. Whatever woke it, on_timer() looks at the clock, so a wait that a new one
  // replaced does no harm.
  void arm_timer() {
    if (m_closed) return;
    auto deadline = m_next_beat;
    if (m_ending) {
      if (!m_busy) return;  // no more heartbeats; the last write has no timeout left to watch
      deadline = m_write_started + m_shared.settings.write_timeout;
    } else if (m_busy) {
      deadline = std::min(deadline, m_write_started + m_shared.settings.write_timeout);
    }
    m_timer.expires_at(deadline);
    m_timer_set = true;
    m_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->m_closed) return;  // replaced by a new wait, or the stream ended
      self->m_timer_set = false;
      self->on_timer();
    });
  }

  void on_timer() {
    const auto now = SteadyClock::now();
    if (m_busy && now - m_write_started >= m_shared.settings.write_timeout)
      return fail(beast::error::timeout);
    // A comment keeps proxies from closing the stream. The visitor's presence needs nothing:
    // the gateway holds it while the stream is open (DbWorker::hold).
    if (!m_ending && now >= m_next_beat) {
      m_next_beat = next_beat(now, m_heartbeat);
      m_shared.beats->push([stream = weak_from_this()] {
        if (auto self = stream.lock()) {
          net::dispatch(self->m_socket.get_executor(), [self] { self->beat(); });
        }
      });
    }
    arm_timer();
  }

  // On a pass of the BeatPacer: the beats due on one tick go a few at a time, and the requests
  // that came meanwhile between them.
  void beat() {
    if (m_closed || m_ending) return;
    m_pending += sse_ping();
    flush();
  }

  // A stream's client sends nothing more, so the socket turning readable means it went (end
  // of stream, reset) or broke the protocol: either way the stream ends now, rather than
  // holding its descriptor and memory until a heartbeat fails to write. The wait can also end
  // with nothing to read (with two io threads under load, 8 of 1,600 waits in the API tests):
  // a peek tells, and such a stream watches again.
  void watch_peer() {
    m_socket.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
      if (ec || self->m_closed) return;
      if (!self->peer_readable()) return self->watch_peer();
      self->fail(net::error::eof);
    });
  }

  [[nodiscard]] bool peer_readable() {
    char byte = 0;
    beast::error_code ec;
    m_socket.non_blocking(true, ec);
    m_socket.receive(net::buffer(&byte, 1), tcp::socket::message_peek, ec);
    return ec != net::error::would_block && ec != net::error::try_again;
  }

  void cut() {
    m_shared.metrics.streams_cut.fetch_add(1, std::memory_order_relaxed);
    m_shared.log(LogLevel::debug, "http event stream of chat " + std::to_string(m_chat) + " from " +
                                      m_address + " cut: its reader fell " +
                                      std::to_string(m_pending.size() + m_writing.size()) +
                                      " bytes behind");
    std::string().swap(m_pending);
    fail(net::error::connection_aborted);
  }

  // Writes what is pending as one chunk (after the head, the first time), and the last chunk
  // with it once the stream ends.
  void flush() {
    if (m_busy || m_closed) return;
    if (m_pending.empty() && !m_ending) return;
    m_writing.reserve(m_head.size() + m_pending.size() + 32);
    m_writing += m_head;
    if (!m_head.empty()) std::string().swap(m_head);
    if (!m_pending.empty()) append_chunk(m_writing, m_pending);
    // An idle stream keeps no buffer between its events.
    std::string().swap(m_pending);
    m_last = m_ending;
    if (m_last) m_writing += k_last_chunk;
    m_busy = true;
    m_write_started = SteadyClock::now();
    if (!m_timer_set || m_write_started + m_shared.settings.write_timeout < m_timer.expiry())
      arm_timer();
    net::async_write(
        m_socket, net::buffer(m_writing),
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_written(ec); });
  }

  void on_written(beast::error_code ec) {
    m_busy = false;
    std::string().swap(m_writing);
    if (ec) return fail(ec);
    if (m_last) return close();
    if (!m_pending.empty() || m_ending) return flush();
    if (m_dirty) read();
  }

  void leave_registry() {
    if (!m_registered) return;
    m_shared.waiters.leave(m_chat, this);
    m_shared.db->let_go(m_chat);
    m_registered = false;
  }

  void end() {
    if (m_closed) return;
    m_closed = true;
    leave_registry();
    if (m_unhanded > 0) {
      // Written, but the read that hands it over had no time to run: the operator's client
      // still gets its receipts, and the line is not mailed too.
      (void)m_shared.db->submit([chat = m_chat, token = m_token, handed = m_unhanded](
                                    visitors::Visitors& visitors, store::Store&) {
        (void)visitors.hand_over(chat, token, handed);
        return DbWorker::Reply{};
      });
    }
    m_timer.cancel();
    m_shared.connections.release_stream(m_chat);
    m_shared.metrics.event_streams.fetch_sub(1, std::memory_order_relaxed);
  }

  void close() {
    end();
    beast::error_code ignored;
    m_socket.shutdown(tcp::socket::shutdown_send, ignored);
    m_socket.close(ignored);
  }

  void fail(beast::error_code ec) {
    end();
    if (ec != net::error::operation_aborted && ec != beast::error::timeout &&
        ec != net::error::eof && ec != net::error::connection_reset &&
        ec != net::error::broken_pipe && ec != net::error::connection_aborted) {
      m_shared.log(LogLevel::debug, "http event stream from " + m_address + ": " + ec.message());
    }
    beast::error_code ignored;
    m_socket.close(ignored);
  }

  tcp::socket m_socket;
  SharedState& m_shared;
  std::string m_address;
  Admission m_admission;
  net::steady_timer m_timer;  // the heartbeat, or the write's timeout if that comes first
  bool m_timer_set = false;   // a wait is pending on it
  core::ChatId m_chat;
  std::string m_token;
  const std::string m_id;  // the page's name for this stream (?stream=); may be empty
  std::chrono::seconds m_heartbeat;
  SteadyClock::time_point m_next_beat;
  core::Seq m_after = 0;
  core::Seq m_unhanded = 0;  // an operator's line echoed: the next read hands it over

  bool m_registered = false;
  bool m_reading = false;
  bool m_dirty = false;  // woken while reading (or writing): read again
  bool m_stopping = false;
  bool m_closed = false;
  bool m_busy = false;  // a write is in flight
  bool m_ending = false;
  bool m_last = false;                                          // the write in flight ends the body
  bool m_typing = false;                                        // the operator's, as last told
  core::VisitorStatus m_status = core::VisitorStatus::waiting;  // as last told
  std::optional<int> m_position;                                // as last told
  std::string m_operator_name;                                  // as last told

  std::string m_head;                       // the response's head until the first write
  std::string m_pending;                    // events not yet written
  std::string m_writing;                    // the bytes being written
  SteadyClock::time_point m_write_started;  // of the write in flight
};

}  // namespace

std::shared_ptr<Waiter> start_event_stream(tcp::socket socket, SharedState& shared,
                                           std::string address, Admission admission,
                                           StreamStart start) {
  auto stream = std::make_shared<EventStream>(std::move(socket), shared, std::move(address),
                                              admission, start);
  stream->start(std::move(start));
  return stream;
}

}  // namespace seshat::http
