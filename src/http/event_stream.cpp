#include "http/event_stream.hpp"

#include <utility>  // before Boost (Boost 1.74 with g++ 12)

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <random>

#include "http/db_query.hpp"
#include "http/sse.hpp"

namespace seshat::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr int k_sse_retry_ms = 3000;
// A write stuck this long lets the stream read ahead; unwritten events beyond k_max_backlog cut
// it; buffers above k_kept_capacity are freed after each write.
constexpr std::chrono::milliseconds k_stalled_write{1000};
constexpr std::size_t k_max_backlog = 256 * 1024;
constexpr std::size_t k_kept_capacity = 4 * 1024;

// A heartbeat period shortened by up to a quarter at random: streams opened together (a
// restart, a rush of visitors) would otherwise beat together, a spike of reads and writes once
// a period that the messages in flight then wait behind.
std::chrono::milliseconds jittered(std::chrono::seconds period) {
  thread_local std::minstd_rand random{std::random_device{}()};
  const auto full = std::chrono::duration_cast<std::chrono::milliseconds>(period).count();
  std::uniform_int_distribution<std::int64_t> shorten(0, full / 4);
  return std::chrono::milliseconds(full - shorten(random));
}

// Buffers give back what a burst made them hold: thousands of idle streams each keeping the
// capacity of their largest write would be most of the gateway's memory.
void release_buffer(std::string& buffer) {
  if (buffer.capacity() > k_kept_capacity)
    std::string().swap(buffer);
  else
    buffer.clear();
}

class EventStream : public Waiter,
                    public Stoppable,
                    public std::enable_shared_from_this<EventStream> {
 public:
  EventStream(beast::tcp_stream stream, SharedState& shared, std::string address,
              Admission admission, StreamStart start)
      : m_stream(std::move(stream)),
        m_shared(shared),
        m_address(std::move(address)),
        m_admission(admission),
        m_timer(m_stream.get_executor()),
        m_start(std::move(start)) {}

  // The connection, its admission, the chat's stream slot and the event_streams gauge were
  // the Session's: they are given back here.
  ~EventStream() override {
    end();
    m_shared.connections.release(m_address, m_admission);
    m_shared.remove(this);
    m_shared.metrics.connections.fetch_sub(1, std::memory_order_relaxed);
  }

  void start() {
    m_shared.add(this, weak_from_this());
    m_shared.waiters.join(m_start.chat, this, weak_from_this());
    m_registered = true;
    m_dirty = m_start.dirty;
    m_status = m_start.first.status;
    m_position = m_start.first.position;
    m_operator_name = m_start.first.operator_name;
    m_after = m_start.after;
    write_header();
    auto first = std::move(m_start.first);
    m_start.first = {};
    take(first);
  }

  void wake() override {
    net::post(m_stream.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  void stop_gracefully() override {
    net::post(m_stream.get_executor(), [self = shared_from_this()] {
      self->m_stopping = true;
      self->m_ending = true;
      self->flush();
    });
  }

 private:
  void write_header() {
    m_head.emplace(bhttp::status::ok, m_start.http_version);
    m_head->set(bhttp::field::server, "seshat");
    m_head->set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
    m_head->set(bhttp::field::cache_control, "no-store");
    m_head->set("X-Content-Type-Options", "nosniff");
    m_head->set("X-Accel-Buffering", "no");  // nginx: pass events through at once
    if (!m_start.allow_origin.empty())
      m_head->set(bhttp::field::access_control_allow_origin, m_start.allow_origin);
    if (!m_start.vary.empty()) m_head->set(bhttp::field::vary, m_start.vary);
    m_head->keep_alive(false);
    m_head->chunked(true);
    m_serializer.emplace(*m_head);
    m_shared.metrics.count_response(200);
    m_pending += sse_retry(k_sse_retry_ms) + sse_status(m_status, m_position, m_operator_name);
    m_shared.metrics.events_sent.fetch_add(1, std::memory_order_relaxed);
    m_busy = true;
    m_write_started = SteadyClock::now();
    m_stream.expires_after(m_shared.settings.write_timeout);
    bhttp::async_write_header(
        m_stream, *m_serializer,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_written(ec); });
    arm_timer();
    watch_peer();
  }

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
        m_shared, shared_from_this(), m_stream.get_executor(),
        [chat = m_start.chat, token = m_start.token, after = m_after](visitors::Visitors& visitors,
                                                                      store::Store&) {
          return visitors.read(chat, token, after);
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

  // What a read returned: its events, then a write.
  void take(const visitors::Transcript& value) {
    for (const auto& message : value.messages) {
      m_pending += sse_message(message);
      m_after = std::max(m_after, message.seq);
    }
    m_shared.metrics.events_sent.fetch_add(value.messages.size(), std::memory_order_relaxed);
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

  void arm_timer() {
    m_timer.expires_after(jittered(m_start.heartbeat));
    m_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->m_closed) return;
      // A comment keeps proxies from closing the stream, and a read refreshes the visitor's
      // presence (a chat whose visitor is silent is abandoned after a while).
      if (!self->m_ending) {
        self->m_pending += sse_ping();
        self->read();
        self->flush();
        self->arm_timer();
      }
    });
  }

  // A stream's client sends nothing more, so the socket turning readable means it went (end
  // of stream, reset) or broke the protocol: either way the stream ends now, rather than
  // holding its descriptor and memory until a heartbeat fails to write. On the socket itself:
  // the stream's timeouts are for the writes.
  void watch_peer() {
    m_stream.socket().async_wait(tcp::socket::wait_read,
                                 [self = shared_from_this()](beast::error_code ec) {
                                   if (ec || self->m_closed) return;
                                   self->fail(net::error::eof);
                                 });
  }

  void cut() {
    m_shared.metrics.streams_cut.fetch_add(1, std::memory_order_relaxed);
    m_shared.log(LogLevel::debug, "http event stream of chat " + std::to_string(m_start.chat) +
                                      " from " + m_address + " cut: its reader fell " +
                                      std::to_string(m_pending.size() + m_writing.size()) +
                                      " bytes behind");
    release_buffer(m_pending);
    fail(net::error::connection_aborted);
  }

  void flush() {
    if (m_busy || m_closed || !m_serializer) return;
    if (!m_pending.empty()) {
      m_writing.swap(m_pending);
      release_buffer(m_pending);
      m_busy = true;
      m_write_started = SteadyClock::now();
      m_stream.expires_after(m_shared.settings.write_timeout);
      net::async_write(
          m_stream, bhttp::make_chunk(net::buffer(m_writing)),
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_written(ec); });
      return;
    }
    if (m_ending) {
      m_busy = true;
      m_write_started = SteadyClock::now();
      m_stream.expires_after(m_shared.settings.write_timeout);
      net::async_write(m_stream, bhttp::make_chunk_last(),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->fail(ec);
                         self->close();
                       });
    }
  }

  void on_written(beast::error_code ec) {
    m_busy = false;
    m_stream.expires_never();
    release_buffer(m_writing);
    if (ec) return fail(ec);
    if (!m_pending.empty() || m_ending) return flush();
    if (m_dirty) read();
  }

  void leave_registry() {
    if (!m_registered) return;
    m_shared.waiters.leave(m_start.chat, this);
    m_registered = false;
  }

  void end() {
    if (m_closed) return;
    m_closed = true;
    leave_registry();
    m_timer.cancel();
    m_shared.connections.release_stream(m_start.chat);
    m_shared.metrics.event_streams.fetch_sub(1, std::memory_order_relaxed);
  }

  void close() {
    end();
    beast::error_code ignored;
    m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    m_stream.socket().close(ignored);
  }

  void fail(beast::error_code ec) {
    end();
    if (ec != net::error::operation_aborted && ec != beast::error::timeout &&
        ec != net::error::eof && ec != net::error::connection_reset &&
        ec != net::error::broken_pipe && ec != net::error::connection_aborted) {
      m_shared.log(LogLevel::debug, "http event stream from " + m_address + ": " + ec.message());
    }
    beast::error_code ignored;
    m_stream.socket().close(ignored);
  }

  beast::tcp_stream m_stream;
  SharedState& m_shared;
  std::string m_address;
  Admission m_admission;
  net::steady_timer m_timer;
  StreamStart m_start;

  bool m_registered = false;
  bool m_reading = false;
  bool m_dirty = false;  // woken while reading (or writing): read again
  bool m_stopping = false;
  bool m_closed = false;
  core::Seq m_after = 0;
  core::VisitorStatus m_status = core::VisitorStatus::waiting;  // as last told
  std::optional<int> m_position;                                // as last told
  std::string m_operator_name;                                  // as last told
  bool m_typing = false;                                        // the operator's, as last told

  std::optional<bhttp::response<bhttp::empty_body>> m_head;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> m_serializer;
  bool m_busy = false;  // a write is in flight
  bool m_ending = false;
  std::string m_pending;                    // events not yet written
  std::string m_writing;                    // the chunk being written
  SteadyClock::time_point m_write_started;  // of the write in flight
};

}  // namespace

std::shared_ptr<Waiter> start_event_stream(beast::tcp_stream stream, SharedState& shared,
                                           std::string address, Admission admission,
                                           StreamStart start) {
  auto session = std::make_shared<EventStream>(std::move(stream), shared, std::move(address),
                                               admission, std::move(start));
  session->start();
  return session;
}

}  // namespace seshat::http
