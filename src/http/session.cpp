#include "http/session.hpp"

#include <utility>  // before Boost (Boost 1.74 with g++ 12)

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <type_traits>

#include "http/access.hpp"
#include "http/api_handler.hpp"
#include "http/api_json.hpp"
#include "http/db_query.hpp"
#include "http/event_stream.hpp"
#include "http/network.hpp"
#include "http/query.hpp"
#include "http/routes.hpp"
#include "visitors/text_check.hpp"

namespace seshat::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::uint32_t k_header_limit = 8 * 1024;
constexpr std::int64_t k_max_wait_seconds = 60;
constexpr std::size_t k_linger_bytes = 1024 * 1024;  // read and dropped after an early 413
constexpr std::chrono::seconds k_linger_time{2};
constexpr std::string_view k_json = "application/json; charset=utf-8";
constexpr std::string_view k_cors_headers = "Authorization, Content-Type, Last-Event-ID";
constexpr std::size_t k_kept_capacity = 4 * 1024;    // an idle buffer is freed above it
constexpr std::size_t k_held_bytes = 16 * 1024;      // pipelined answers held at most
constexpr std::size_t k_pipelined_read = 16 * 1024;  // a pipelining client's reads

std::string_view sv(beast::string_view text) {
  return {text.data(), text.size()};
}
beast::string_view bsv(std::string_view text) {
  return {text.data(), text.size()};
}

// A whole response as it goes on the wire, in one buffer: one write, without Beast's serializer,
// whose walk over its buffer sequences was a fifth of the HTTP thread under ingest.
std::string wire_bytes(const bhttp::response<bhttp::string_body>& response) {
  std::string wire;
  wire.reserve(256 + response.body().size());
  wire += response.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  wire += std::to_string(response.result_int());
  wire += ' ';
  wire += sv(response.reason());
  wire += "\r\n";
  for (const auto& field : response) {
    wire += sv(field.name_string());
    wire += ": ";
    wire += sv(field.value());
    wire += "\r\n";
  }
  wire += "\r\n";
  wire += response.body();
  return wire;
}

class Session : public Waiter, public Stoppable, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, SharedState& shared, std::string address, Admission admission)
      : m_stream(std::move(socket)),
        m_shared(shared),
        m_address(std::move(address)),
        m_admission(admission),
        m_timer(m_stream.get_executor()) {
    m_shared.metrics.connections.fetch_add(1, std::memory_order_relaxed);
  }

  ~Session() override {
    leave_registry();
    release_stream_slot();
    m_shared.remove(this);
    if (m_handed_over) return;  // the EventStream has the connection now
    m_shared.connections.release(m_address, m_admission);
    m_shared.metrics.connections.fetch_sub(1, std::memory_order_relaxed);
  }

  void start() {
    m_shared.add(this, weak_from_this());
    net::dispatch(m_stream.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  void wake() override {
    net::post(m_stream.get_executor(), [self = shared_from_this()] { self->on_wake(); });
  }

  void stop_gracefully() override {
    net::post(m_stream.get_executor(), [self = shared_from_this()] { self->on_stop(); });
  }

 private:
  enum class Phase { reading, handling, waiting, writing, closed };
  enum class Wait { none, long_poll, stream };
  enum class Body { read, unread };  // whether the request's body was read entirely

  // ---------------------------------------------------------------- reading requests

  void do_read() {
    if (m_shared.stopping.load()) return close(Body::read);
    m_parser.emplace();
    m_parser->header_limit(k_header_limit);
    m_parser->body_limit(m_shared.settings.max_body);
    if (!m_held.empty()) {
      // Answers are held for pipelined requests: the next one is taken from what was read
      // already when it is all there. Otherwise they go out before the socket is read again.
      beast::error_code ec;
      m_parser->eager(true);
      while (m_buffer.size() > 0 && !m_parser->is_done() && !ec) {
        const auto used = m_parser->put(m_buffer.data(), ec);
        m_buffer.consume(used);
        if (used == 0) break;
      }
      if (ec == bhttp::error::need_more) ec = {};
      if (ec || m_parser->is_done()) return on_header(ec);  // a failure's answer follows them
      return write_held([self = shared_from_this()] { self->read_header(); });
    }
    read_header();
  }

  // Reads the rest of the request header that do_read began.
  void read_header() {
    if (m_shared.stopping.load()) return close(Body::read);
    // A buffer grown for a pipelined run or a large body is given back once it is empty.
    if (m_buffer.size() == 0 && m_buffer.capacity() > k_kept_capacity) m_buffer.shrink_to_fit();
    m_phase = Phase::reading;
    m_stream.expires_after(is_reserve(m_admission) ? m_shared.settings.reserve_timeout
                                                   : m_shared.settings.header_timeout);
    bhttp::async_read_header(
        m_stream, m_buffer, *m_parser,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    if (!transfer_encoding_supported()) {
      // RFC 9112 6.1: a transfer coding the server does not understand gets 501. Beast would
      // ignore it and read Content-Length instead, which is how requests are smuggled.
      m_request = m_parser->release();
      begin_response();
      return send_error(501, "Only the chunked transfer coding is supported.", Body::unread);
    }
    if (m_parser->is_done()) return handle();
    if (beast::iequals(m_parser->get()[bhttp::field::expect], "100-continue")) {
      m_stream.expires_after(m_shared.settings.write_timeout);
      static constexpr std::string_view k_continue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(m_stream, net::buffer(k_continue.data(), k_continue.size()),
                       [self = shared_from_this()](beast::error_code error, std::size_t) {
                         if (error) return self->fail(error);
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  // No Transfer-Encoding, or exactly "chunked" (once, alone, any case).
  [[nodiscard]] bool transfer_encoding_supported() const {
    const auto& fields = m_parser->get();
    const auto [first, last] = fields.equal_range(bhttp::field::transfer_encoding);
    int codings = 0;
    bool chunked_only = true;
    for (auto field = first; field != last; ++field) {
      for (const auto& coding : bhttp::token_list{field->value()}) {
        ++codings;
        if (!beast::iequals(coding, "chunked")) chunked_only = false;
      }
      if (bhttp::token_list{field->value()}.begin() == bhttp::token_list{field->value()}.end())
        chunked_only = false;  // present but empty, or not a token list
    }
    return first == last || (chunked_only && codings == 1);
  }

  void read_body() {
    m_stream.expires_after(m_shared.settings.body_timeout);
    bhttp::async_read(m_stream, m_buffer, *m_parser,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->on_read_error(ec);
                        self->handle();
                      });
  }

  void on_read_error(beast::error_code ec) {
    if (m_parser) m_request = m_parser->release();
    if (ec == bhttp::error::body_limit) {
      // Answer at once, without reading the rest of the body.
      begin_response();
      return send_error(413, "The request body is too large.", Body::unread);
    }
    if (ec == bhttp::error::header_limit) {
      begin_response();
      return send_error(431, "The request headers are too large.", Body::unread);
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      begin_response();
      return send_error(400, "The request is not valid HTTP.", Body::unread);
    }
    fail(ec);  // end of stream, timeout, reset: nobody to answer
  }

  // ---------------------------------------------------------------- dispatch

  void handle() {
    m_phase = Phase::handling;
    m_stream.expires_never();
    m_request = m_parser->release();
    m_parser.reset();
    m_shared.metrics.requests.fetch_add(1, std::memory_order_relaxed);
    begin_response();

    const auto method = method_from_string(sv(m_request.method_string()));
    const auto target = sv(m_request.target());
    m_route = route(target, m_shared.prefix);
    if (m_route.endpoint == Endpoint::not_found)
      return send_error(404, "There is nothing at this address.");
    // Over a connection cap: the reserve answers the health checks only.
    if (is_reserve(m_admission) && m_route.endpoint != Endpoint::healthz &&
        m_route.endpoint != Endpoint::metrics) {
      if (m_admission == Admission::reserve_full) {
        m_response.set(bhttp::field::retry_after, "60");
        return send_error(503,
                          "The chat service is full at the moment; please try again in a minute.");
      }
      return send_rate_limited(
          "Too many connections from your address; please close some and try again.");
    }

    if (is_api(m_route.endpoint)) {
      const auto origin = sv(m_request[bhttp::field::origin]);
      const auto verdict = check_origin(origin, sv(m_request[bhttp::field::host]),
                                        m_shared.settings.allowed_origins);
      if (verdict == OriginVerdict::refused)
        return send_error(403, "This website may not use the chat service.");
      m_response.set(bhttp::field::cache_control, "no-store");
      if (verdict == OriginVerdict::allowed) {
        m_response.set(bhttp::field::access_control_allow_origin, bsv(origin));
        m_response.set(bhttp::field::vary, "Origin");
      }
    }
    if (method == Method::options) return preflight();
    if (!method_allowed(m_route.endpoint, method)) {
      m_response.set(bhttp::field::allow, bsv(allowed_methods(m_route.endpoint)));
      return send_error(405, "This method is not allowed here.");
    }
    dispatch(method);
  }

  void dispatch(Method method) {
    // A long-poll or a stream may wait: the answers held for the requests before it go first.
    if (!m_held.empty() && (m_route.endpoint == Endpoint::events ||
                            (m_route.endpoint == Endpoint::messages && method != Method::post))) {
      return write_held([self = shared_from_this(), method] { self->dispatch(method); });
    }
    m_client = client_address(m_address, sv(m_request["X-Forwarded-For"]),
                              m_shared.settings.trusted_proxies);
    if (needs_token(m_route.endpoint) && m_shared.wrong_tokens.exhausted(m_client)) {
      return send_rate_limited(
          "Too many wrong chat tokens came from your address; please try again in a minute.");
    }
    switch (m_route.endpoint) {
      case Endpoint::create_chat:
      case Endpoint::close_chat:
      case Endpoint::transcript:
      case Endpoint::typing:
      case Endpoint::mark_read:
      case Endpoint::availability:
        return api_call(method);
      case Endpoint::messages:
        return method == Method::post ? api_call(method) : read_messages();
      case Endpoint::events:
        return open_stream();
      case Endpoint::openapi:
        return send(200, m_shared.openapi, k_json);
      case Endpoint::widget_js:
        return serve_file(m_shared.files.widget_js);
      case Endpoint::widget_css:
        return serve_file(m_shared.files.widget_css);
      case Endpoint::demo_page:
        return serve_demo_page();
      case Endpoint::demo_redirect:
        m_response.set(bhttp::field::location, m_shared.prefix + "/");
        return send(308, "", "text/plain; charset=utf-8");
      case Endpoint::healthz:
        return healthz();
      case Endpoint::metrics:
        return metrics();
      case Endpoint::not_found:
        break;
    }
    send_error(404, "There is nothing at this address.");
  }

  void preflight() {
    m_response.set(bhttp::field::allow, bsv(allowed_methods(m_route.endpoint)));
    if (is_api(m_route.endpoint)) {
      m_response.set(bhttp::field::access_control_allow_methods,
                     bsv(allowed_methods(m_route.endpoint)));
      m_response.set(bhttp::field::access_control_allow_headers, bsv(k_cors_headers));
      m_response.set(bhttp::field::access_control_max_age, "600");
    }
    send(204, "", "");
  }

  // ---------------------------------------------------------------- the API

  // The calls that answer at once (api_handler.hpp): decoded here, done on the database thread.
  void api_call(Method method) {
    const auto network = network_of(m_client);
    auto job =
        prepare_api_call(ApiRequest{m_route.endpoint, method, m_route.chat, m_request.body(),
                                    header_token(), sv(m_request[bhttp::field::referer]), network,
                                    sv(m_request[bhttp::field::user_agent]), m_client});
    if (!job) return send_failure(job.failure());
    query([job = std::move(job).value()](visitors::Visitors& visitors,
                                         store::Store&) { return job(visitors); },
          [this](base::Result<ApiAnswer> answer) {
            if (!answer) return send_failure(answer.failure());
            if (m_route.endpoint == Endpoint::create_chat)
              m_shared.metrics.chats_started.fetch_add(1, std::memory_order_relaxed);
            if (m_route.endpoint == Endpoint::messages)
              m_shared.metrics.messages_sent.fetch_add(1, std::memory_order_relaxed);
            const std::string_view type = answer->body.empty() ? "" : k_json;
            send(answer->status, std::move(answer->body), type);
          });
  }

  void read_messages() {
    const auto after = parse_count(query_value(m_route.query, "after"), "after", 0,
                                   std::numeric_limits<std::int64_t>::max());
    if (!after) return send_failure(after.failure());
    const auto wait =
        parse_count(query_value(m_route.query, "wait"), "wait", 0, k_max_wait_seconds);
    if (!wait) return send_failure(wait.failure());
    if (wait.value() > 0 && !m_shared.stopping.load()) {
      // Its reads are what tells that the page is still there (a stream's is held instead).
      return begin_wait(
          Wait::long_poll, header_token(), after.value(),
          std::min(std::chrono::seconds(wait.value()), m_shared.settings.longest_poll));
    }
    query([chat = m_route.chat, token = header_token(), after = after.value()](
              visitors::Visitors& visitors,
              store::Store&) { return visitors.read(chat, token, after); },
          [this](base::Result<visitors::Transcript> transcript) {
            if (!transcript) return send_failure(transcript.failure());
            send(200, transcript_json(transcript.value()), k_json);
          });
  }

  void open_stream() {
    std::string token = header_token();
    if (token.empty()) token = query_value(m_route.query, "token").value_or("");
    // EventSource resumes with Last-Event-ID; a first connection may say where to start.
    const auto last_event = m_request["Last-Event-ID"];
    const auto after = last_event.empty()
                           ? parse_count(query_value(m_route.query, "after"), "after", 0,
                                         std::numeric_limits<std::int64_t>::max())
                           : parse_count(std::string(sv(last_event)), "Last-Event-ID", 0,
                                         std::numeric_limits<std::int64_t>::max());
    if (!after) return send_failure(after.failure());
    // The page's name for this stream: the lines it sends with it are not echoed here.
    auto id = query_value(m_route.query, "stream");
    if (id) {
      if (auto checked = visitors::check_stream_name(*id, "parameter 'stream'"); !checked)
        return send_failure(checked.failure());
    }
    if (m_shared.stopping.load())
      return send_failure(base::Failure{base::Error::unavailable,
                                        "The chat service is restarting; please try again."});
    begin_wait(Wait::stream, std::move(token), after.value(), m_shared.settings.heartbeat,
               std::move(id).value_or(""));
  }

  // ---------------------------------------------------------------- files, health, metrics

  void serve_file(const std::optional<StaticFile>& file) {
    if (!file) return send_error(404, "There is nothing at this address.");
    m_response.set(bhttp::field::etag, file->etag);
    m_response.set(bhttp::field::cache_control, file->cache_control);
    if (sv(m_request[bhttp::field::if_none_match]) == file->etag) return send(304, "", "");
    send(200, file->body, file->content_type);
  }

  void serve_demo_page() {
    m_response.set("Content-Security-Policy", bsv(k_demo_page_csp));
    m_response.set("Referrer-Policy", "same-origin");
    m_response.set("X-Frame-Options", "DENY");
    serve_file(m_shared.files.demo_page);
  }

  void healthz() {
    // Goes through the database thread: proves it runs and the store answers.
    query(
        [](visitors::Visitors&, store::Store& store) -> base::Result<base::Done> {
          try {
            (void)store.data_version();
            return base::Done{};
          } catch (const store::StoreError& error) {
            return base::Failure{base::Error::unavailable, error.what()};
          }
        },
        [this](base::Result<base::Done> store_check) {
          Health health;
          if (m_shared.settings.health) health = m_shared.settings.health();
          const bool ok = store_check.ok() && health.ok;
          m_response.set(bhttp::field::cache_control, "no-store");
          send(ok ? 200 : 503, health_json(ok, store_check.ok(), health.checks), k_json);
        });
  }

  void metrics() {
    m_shared.metrics.db_queue.store(static_cast<std::int64_t>(m_shared.db->queued()),
                                    std::memory_order_relaxed);
    std::string body = render_prometheus(m_shared.metrics);
    if (m_shared.settings.extra_metrics) body += m_shared.settings.extra_metrics();
    m_response.set(bhttp::field::cache_control, "no-store");
    send(200, std::move(body), "text/plain; version=0.0.4; charset=utf-8");
  }

  // ---------------------------------------------------------------- database jobs

  // Runs `work(visitors, store)` on the database thread, then, once its writes are committed,
  // `done(result)` on this strand.
  template <class Work, class Done>
  void query(Work work, Done done) {
    query_for(m_shared, shared_from_this(), m_stream.get_executor(), std::move(work),
              std::move(done));
  }

  // ---------------------------------------------------------------- long-poll and streams

  void begin_wait(Wait kind, std::string token, core::Seq after, std::chrono::seconds period,
                  std::string stream = {}) {
    m_wait = kind;
    m_timed = false;
    ++m_wait_generation;
    m_watch = Watch{};
    m_watch.chat = m_route.chat;
    m_watch.token = std::move(token);
    m_watch.stream = std::move(stream);
    m_watch.after = after;
    m_watch.period = period;
    m_phase = Phase::waiting;
    // Join before the first read, so a change published meanwhile is not missed.
    m_shared.waiters.join(m_watch.chat, this, weak_from_this());
    m_watch.registered = true;
    auto& gauge =
        kind == Wait::stream ? m_shared.metrics.event_streams : m_shared.metrics.long_polls;
    gauge.fetch_add(1, std::memory_order_relaxed);
    read_watch();
  }

  void end_wait() {
    if (m_wait == Wait::none) return;
    auto& gauge =
        m_wait == Wait::stream ? m_shared.metrics.event_streams : m_shared.metrics.long_polls;
    gauge.fetch_sub(1, std::memory_order_relaxed);
    m_wait = Wait::none;
    ++m_wait_generation;
    leave_registry();
    release_stream_slot();
    m_timer.cancel();
  }

  // Counted only once the token proved right, so a stranger cannot fill a chat's slots.
  [[nodiscard]] bool take_stream_slot() {
    if (m_stream_slot) return true;
    m_stream_slot = m_shared.connections.take_stream(m_watch.chat);
    return m_stream_slot;
  }

  void release_stream_slot() {
    if (!m_stream_slot) return;
    m_stream_slot = false;
    m_shared.connections.release_stream(m_watch.chat);
  }

  void send_too_many_streams() {
    m_shared.metrics.streams_refused.fetch_add(1, std::memory_order_relaxed);
    send_rate_limited(
        "Too many event streams and long-polls are open on this chat; please close some.");
  }

  void leave_registry() {
    if (!m_watch.registered) return;
    m_shared.waiters.leave(m_watch.chat, this);
    m_watch.registered = false;
  }

  void on_wake() {
    if (m_wait != Wait::none) return read_watch();
    // A wake meant for the stream this connection became: its registration came after.
    if (auto stream = m_event_stream.lock()) stream->wake();
  }

  void read_watch() {
    // One read at a time.
    if (m_watch.reading) {
      m_watch.dirty = true;
      return;
    }
    m_watch.reading = true;
    m_watch.dirty = false;
    const auto generation = m_wait_generation;
    query([chat = m_watch.chat, token = m_watch.token, after = m_watch.after](
              visitors::Visitors& visitors,
              store::Store&) { return visitors.read(chat, token, after); },
          [this, generation](base::Result<visitors::Transcript> transcript) {
            if (generation != m_wait_generation) return;
            m_watch.reading = false;
            if (m_wait == Wait::long_poll) return on_poll_read(std::move(transcript));
            on_stream_read(std::move(transcript));
          });
  }

  void arm_timer() {
    m_timer.expires_after(m_watch.period);
    m_timer.async_wait(
        [self = shared_from_this(), generation = m_wait_generation](beast::error_code ec) {
          if (ec || generation != self->m_wait_generation) return;
          self->on_timer();
        });
  }

  void on_timer() {  // long-polls only: a stream's heartbeat is the EventStream's
    if (m_watch.reading) {
      m_watch.expired = true;  // answered when the read comes back
    } else {
      finish_poll();
    }
  }

  void on_poll_read(base::Result<visitors::Transcript> transcript) {
    if (!transcript) {
      end_wait();
      return send_failure(transcript.failure());
    }
    auto& value = transcript.value();
    m_watch.position = value.position;
    if (!m_watch.first_read_done) {
      m_watch.first_read_done = true;
      m_watch.status = value.status;
      if (value.messages.empty() && value.status == m_watch.status && !m_watch.expired &&
          !m_stopping) {
        if (!take_stream_slot()) {
          end_wait();
          return send_too_many_streams();
        }
        arm_timer();
      }
    }
    if (!value.messages.empty() || value.status != m_watch.status) {
      m_watch.status = value.status;
      end_wait();
      return send(200, transcript_json(value), k_json);
    }
    if (m_watch.expired || m_stopping) return finish_poll();
    if (m_watch.dirty) read_watch();
  }

  void finish_poll() {
    end_wait();
    send(200, transcript_json(visitors::Transcript{m_watch.status, {}, m_watch.position}), k_json);
  }

  // The first read of a stream request: an answer of its own (a failure, 204 for a chat that
  // is over, 429 with no room), or the socket goes to an EventStream (event_stream.hpp).
  void on_stream_read(base::Result<visitors::Transcript> transcript) {
    if (!transcript) {
      end_wait();
      return send_failure(transcript.failure());
    }
    if (transcript->status == core::VisitorStatus::closed && transcript->messages.empty()) {
      end_wait();
      return send(204, "", "");  // nothing more will come: EventSource stops reconnecting
    }
    if (m_stopping) {
      end_wait();
      return close(Body::read);
    }
    if (!take_stream_slot()) {
      end_wait();
      return send_too_many_streams();
    }
    hand_over(std::move(transcript).value());
  }

  void hand_over(visitors::Transcript first) {
    StreamStart start{m_watch.chat,
                      m_watch.token,
                      m_watch.stream,
                      m_watch.after,
                      m_watch.period,
                      std::move(first),
                      m_watch.dirty,
                      m_request.version(),
                      std::string(sv(m_response[bhttp::field::access_control_allow_origin])),
                      std::string(sv(m_response[bhttp::field::vary]))};
    // The slot, the event_streams gauge and the connection's admission go with the socket.
    m_stream_slot = false;
    m_wait = Wait::none;
    ++m_wait_generation;
    leave_registry();
    m_timer.cancel();
    m_handed_over = true;
    m_phase = Phase::closed;
    m_event_stream = start_event_stream(m_stream.release_socket(), m_shared, m_address, m_admission,
                                        std::move(start));
  }

  // The wire buffer gives back what a large answer made it hold.
  static void release_buffer(std::string& buffer) {
    if (buffer.capacity() > k_kept_capacity)
      std::string().swap(buffer);
    else
      buffer.clear();
  }

  // ---------------------------------------------------------------- graceful stop

  void on_stop() {
    m_stopping = true;
    switch (m_phase) {
      case Phase::reading:
        // Idle between requests (or in the middle of one: it is cut, as a client must expect
        // of a server going away).
        m_stream.cancel();
        break;
      case Phase::waiting:
        if (m_wait == Wait::long_poll) {
          if (m_watch.reading)
            m_watch.expired = true;
          else
            finish_poll();
        } else if (m_wait == Wait::stream) {
          end_wait();  // the first read is still out: the stream never started
          close(Body::read);
        }
        break;
      case Phase::handling:
      case Phase::writing:
      case Phase::closed:
        break;  // answered, then closed (m_stopping)
    }
  }

  // ---------------------------------------------------------------- responses

  void begin_response() {
    m_response = bhttp::response<bhttp::string_body>{};
    m_response.version(m_request.version() ? m_request.version() : 11);
    m_response.set(bhttp::field::server, "seshat");
    m_response.set("X-Content-Type-Options", "nosniff");
    m_started = SteadyClock::now();
    m_timed = true;
  }

  std::string header_token() const {
    return std::string(bearer_token(sv(m_request[bhttp::field::authorization])));
  }

  void send_failure(const base::Failure& failure) {
    // Each wrong token spends the address's allowance: guessing stops at a few a minute.
    if (failure.code == base::Error::wrong_token) (void)m_shared.wrong_tokens.take(m_client);
    if (failure.code == base::Error::too_many) {
      m_shared.metrics.rate_limited.fetch_add(1, std::memory_order_relaxed);
      m_response.set(bhttp::field::retry_after, "60");
    }
    send_error(status_of(failure.code), failure.message);
  }

  // 429: both limits are per minute, so a minute is always enough.
  void send_rate_limited(std::string_view sentence) {
    m_shared.metrics.rate_limited.fetch_add(1, std::memory_order_relaxed);
    m_response.set(bhttp::field::retry_after, "60");
    send_error(429, sentence);
  }

  void send_error(int status, std::string_view sentence, Body body = Body::read) {
    m_response.set(bhttp::field::cache_control, "no-store");
    send(status, error_json(sentence), k_json, body);
  }

  void send(int status, std::string body, std::string_view content_type, Body read = Body::read) {
    m_phase = Phase::writing;
    m_response.result(static_cast<unsigned>(status));
    if (!content_type.empty()) m_response.set(bhttp::field::content_type, bsv(content_type));
    const bool keep_alive =
        read == Body::read && !m_stopping && !is_reserve(m_admission) && m_request.keep_alive();
    m_response.keep_alive(keep_alive);
    m_response.body() = std::move(body);
    m_response.prepare_payload();
    if (m_request.method() == bhttp::verb::head) {
      const auto length = m_response.body().size();
      m_response.body().clear();
      m_response.content_length(length);
    }
    m_shared.metrics.count_response(status);
    if (m_timed) m_shared.metrics.observe_duration(SteadyClock::now() - m_started);
    m_timed = false;
    m_held += wire_bytes(m_response);
    // The client pipelines (its next request was read with this one): the answer waits for
    // the next ones', so that a run of pipelined requests is answered in one write, not each.
    if (keep_alive && m_buffer.size() > 0 && m_held.size() < k_held_bytes) {
      // A read takes what fits in the buffer's capacity (a kilobyte or so): the rest of the run
      // then comes in one read and is answered in one write, not a read and a write per few.
      if (m_buffer.capacity() < k_pipelined_read) m_buffer.reserve(k_pipelined_read);
      return do_read();
    }
    write_held([self = shared_from_this(), keep_alive, read] {
      if (keep_alive) return self->do_read();
      self->close(read);
    });
  }

  // Writes the answers held, then `next`.
  template <class Next>
  void write_held(Next next) {
    m_phase = Phase::writing;
    m_stream.expires_after(m_shared.settings.write_timeout);
    m_wire = std::exchange(m_held, {});
    net::async_write(
        m_stream, net::buffer(m_wire),
        [self = shared_from_this(), next = std::move(next)](beast::error_code ec, std::size_t) {
          release_buffer(self->m_wire);
          if (ec) return self->fail(ec);
          next();
        });
  }

  // Ends the connection. A body left unread is drained for a moment first, so that closing
  // a socket with unread data (which sends a TCP reset) does not destroy the answer before
  // the client has read it.
  void close(Body body) {
    if (!m_held.empty()) {
      return write_held([self = shared_from_this(), body] { self->close(body); });
    }
    m_phase = Phase::closed;
    beast::error_code ignored;
    m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (body == Body::read) {
      m_stream.socket().close(ignored);
      return;
    }
    m_linger_deadline = SteadyClock::now() + k_linger_time;
    drain();
  }

  void drain() {
    if (m_drained >= k_linger_bytes || SteadyClock::now() >= m_linger_deadline) {
      beast::error_code ignored;
      m_stream.socket().close(ignored);
      return;
    }
    m_stream.expires_at(m_linger_deadline);
    if (!m_discard) m_discard = std::make_unique<std::array<char, k_discard_size>>();
    m_stream.async_read_some(net::buffer(*m_discard),
                             [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                               self->m_drained += n;
                               if (ec) {
                                 beast::error_code ignored;
                                 self->m_stream.socket().close(ignored);
                                 return;
                               }
                               self->drain();
                             });
  }

  void fail(beast::error_code ec) {
    m_phase = Phase::closed;
    if (ec != net::error::operation_aborted && ec != beast::error::timeout &&
        ec != bhttp::error::end_of_stream && ec != net::error::eof &&
        ec != net::error::connection_reset && ec != net::error::broken_pipe) {
      m_shared.log(LogLevel::debug, "http connection from " + m_address + ": " + ec.message());
    }
    beast::error_code ignored;
    m_stream.socket().close(ignored);
  }

  struct Watch {
    core::ChatId chat = 0;
    std::string token;
    std::string stream;  // the page's name for its event stream (?stream=)
    core::Seq after = 0;
    std::chrono::seconds period{0};  // long-poll: the wait; stream: the heartbeat
    core::VisitorStatus status = core::VisitorStatus::waiting;  // as last read
    std::optional<int> position;  // as last read (streams: sent with the status event)
    bool registered = false;
    bool reading = false;
    bool dirty = false;    // woken while reading (or writing): read again
    bool expired = false;  // the long-poll's time ran out while reading
    bool first_read_done = false;
  };

  beast::tcp_stream m_stream;
  beast::flat_buffer m_buffer;
  SharedState& m_shared;
  std::string m_address;  // the connection's peer: its connection caps
  std::string m_client;   // the request's visitor (client_address): limits, !INFO, !BLOCK
  Admission m_admission;
  bool m_stream_slot = false;  // holds one of the chat's max_streams_per_chat
  net::steady_timer m_timer;
  Phase m_phase = Phase::reading;
  bool m_stopping = false;

  std::optional<bhttp::request_parser<bhttp::string_body>> m_parser;
  bhttp::request<bhttp::string_body> m_request;
  bhttp::response<bhttp::string_body> m_response;
  std::string m_wire;  // the answers' bytes while they are written
  std::string m_held;  // answers to pipelined requests, written with a later one (send)
  Route m_route;
  SteadyClock::time_point m_started;
  bool m_timed = false;  // a long-poll or stream is not a request duration

  Wait m_wait = Wait::none;
  std::uint64_t m_wait_generation = 0;
  Watch m_watch;

  // Once the connection became an event stream (hand_over): wakes still sent here go there.
  bool m_handed_over = false;
  std::weak_ptr<Waiter> m_event_stream;

  // Only a connection that lingers to drain an unread body needs it; idle streams stay small.
  static constexpr std::size_t k_discard_size = 16 * 1024;
  std::unique_ptr<std::array<char, k_discard_size>> m_discard;
  std::size_t m_drained = 0;
  SteadyClock::time_point m_linger_deadline;
};

}  // namespace

void start_session(tcp::socket socket, SharedState& shared, std::string address,
                   Admission admission) {
  std::make_shared<Session>(std::move(socket), shared, std::move(address), admission)->start();
}

}  // namespace seshat::http
