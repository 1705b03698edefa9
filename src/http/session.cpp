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
#include "http/network.hpp"
#include "http/query.hpp"
#include "http/routes.hpp"
#include "http/sse.hpp"

namespace seshat::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// A heartbeat period shortened by up to a quarter at random: streams opened together (a
// restart, a rush of visitors) would otherwise beat together, a spike of reads and writes once
// a period that the messages in flight then wait behind.
std::chrono::milliseconds jittered(std::chrono::seconds period) {
  thread_local std::minstd_rand random{std::random_device{}()};
  const auto full = std::chrono::duration_cast<std::chrono::milliseconds>(period).count();
  std::uniform_int_distribution<std::int64_t> shorten(0, full / 4);
  return std::chrono::milliseconds(full - shorten(random));
}

constexpr std::uint32_t k_header_limit = 8 * 1024;
constexpr std::int64_t k_max_wait_seconds = 60;
constexpr int k_sse_retry_ms = 3000;
constexpr std::size_t k_linger_bytes = 1024 * 1024;  // read and dropped after an early 413
constexpr std::chrono::seconds k_linger_time{2};
constexpr std::string_view k_json = "application/json; charset=utf-8";
constexpr std::string_view k_cors_headers = "Authorization, Content-Type, Last-Event-ID";
// Event streams: a write stuck this long lets the stream read ahead; unwritten events beyond
// k_max_backlog cut it; buffers above k_kept_capacity are freed after each write.
constexpr std::chrono::milliseconds k_stalled_write{1000};
constexpr std::size_t k_max_backlog = 256 * 1024;
constexpr std::size_t k_kept_capacity = 4 * 1024;

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

base::Failure busy() {
  return base::Failure{base::Error::unavailable,
                       "The chat service is busy at the moment; please try again."};
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
    m_shared.connections.release(m_address, m_admission);
    m_shared.remove(this);
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
  enum class Phase { reading, handling, waiting, streaming, writing, closed };
  enum class Wait { none, long_poll, stream };
  enum class Body { read, unread };  // whether the request's body was read entirely

  // ---------------------------------------------------------------- reading requests

  void do_read() {
    if (m_shared.stopping.load()) return close(Body::read);
    m_phase = Phase::reading;
    m_parser.emplace();
    m_parser->header_limit(k_header_limit);
    m_parser->body_limit(m_shared.settings.max_body);
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
    if (needs_token(m_route.endpoint) && m_shared.wrong_tokens.exhausted(m_address)) {
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
    auto job = prepare_api_call(ApiRequest{m_route.endpoint, method, m_route.chat, m_request.body(),
                                           header_token(), sv(m_request[bhttp::field::referer]),
                                           network_of(m_address)});
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
      // No longer than a stream's heartbeat: the page is seen at least that often.
      return begin_wait(Wait::long_poll, header_token(), after.value(),
                        std::min(std::chrono::seconds(wait.value()), m_shared.settings.heartbeat));
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
    if (m_shared.stopping.load())
      return send_failure(base::Failure{base::Error::unavailable,
                                        "The chat service is restarting; please try again."});
    begin_wait(Wait::stream, std::move(token), after.value(), m_shared.settings.heartbeat);
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
    using Result = std::invoke_result_t<Work&, visitors::Visitors&, store::Store&>;
    auto self = shared_from_this();
    const bool queued = m_shared.db->submit(
        [self, work = std::move(work), done](visitors::Visitors& visitors,
                                             store::Store& store) mutable -> DbWorker::Reply {
          std::optional<Result> result;
          try {
            result.emplace(work(visitors, store));
          } catch (const std::exception&) {
            result.emplace(busy());
          }
          return [self, done, result = std::move(*result)]() mutable {
            net::post(self->m_stream.get_executor(),
                      [self, done = std::move(done), result = std::move(result)]() mutable {
                        done(std::move(result));
                      });
          };
        });
    if (!queued) done(Result(busy()));
  }

  // ---------------------------------------------------------------- long-poll and streams

  void begin_wait(Wait kind, std::string token, core::Seq after, std::chrono::seconds period) {
    m_wait = kind;
    m_timed = false;
    ++m_wait_generation;
    m_watch = Watch{};
    m_watch.chat = m_route.chat;
    m_watch.token = std::move(token);
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
    if (m_wait != Wait::none) read_watch();
  }

  void read_watch() {
    // One read at a time, and a stream reads again only once it has written what it has;
    // unless its write has been stuck for a while: then it reads ahead, to learn whether the
    // reader fell too far behind (k_max_backlog).
    const bool stalled = m_sse_busy && SteadyClock::now() - m_write_started >= k_stalled_write;
    if (m_watch.reading || ((m_sse_busy || !m_sse_pending.empty()) && !stalled)) {
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
    m_timer.expires_after(m_wait == Wait::stream ? jittered(m_watch.period) : m_watch.period);
    m_timer.async_wait(
        [self = shared_from_this(), generation = m_wait_generation](beast::error_code ec) {
          if (ec || generation != self->m_wait_generation) return;
          self->on_timer();
        });
  }

  void on_timer() {
    if (m_wait == Wait::long_poll) {
      if (m_watch.reading) {
        m_watch.expired = true;  // answered when the read comes back
      } else {
        finish_poll();
      }
      return;
    }
    // Stream heartbeat: a comment keeps proxies from closing it, and a read refreshes the
    // visitor's presence (a chat whose visitor is silent is abandoned after a while).
    if (!m_sse_ending) {
      m_sse_pending += sse_ping();
      read_watch();
      sse_flush();
      arm_timer();
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

  void on_stream_read(base::Result<visitors::Transcript> transcript) {
    if (!m_sse_started) {
      if (!transcript) {
        end_wait();
        return send_failure(transcript.failure());
      }
      if (transcript->status == core::VisitorStatus::closed && transcript->messages.empty()) {
        end_wait();
        return send(204, "", "");  // nothing more will come: EventSource stops reconnecting
      }
      m_watch.position = transcript->position;
      if (!take_stream_slot()) {
        end_wait();
        return send_too_many_streams();
      }
      start_stream(transcript->status, transcript->operator_name);
    } else if (!transcript) {
      // The token stopped being valid, or the store is failing: end the stream; the client
      // reconnects (with Last-Event-ID) and learns what is wrong.
      m_sse_ending = true;
      return sse_flush();
    }
    const auto& value = transcript.value();
    for (const auto& message : value.messages) {
      m_sse_pending += sse_message(message);
      m_watch.after = std::max(m_watch.after, message.seq);
    }
    m_shared.metrics.events_sent.fetch_add(value.messages.size(), std::memory_order_relaxed);
    if (value.status != m_watch.status || value.position != m_watch.position ||
        value.operator_name != m_watch.operator_name) {
      m_watch.status = value.status;
      m_watch.position = value.position;
      m_watch.operator_name = value.operator_name;
      m_sse_pending += sse_status(value.status, value.position, value.operator_name);
      m_shared.metrics.events_sent.fetch_add(1, std::memory_order_relaxed);
    }
    if (value.operator_typing != m_watch.typing) {
      m_watch.typing = value.operator_typing;
      m_sse_pending += sse_typing(value.operator_typing, value.operator_name);
      m_shared.metrics.events_sent.fetch_add(1, std::memory_order_relaxed);
    }
    // A full page means there may be more: read again once this is written.
    if (value.more) m_watch.dirty = true;
    // A reader that fell behind (its socket took nothing for a while and the events waiting
    // for it passed the bound) is cut: its memory is returned, and the client reconnects
    // with Last-Event-ID to continue where it was.
    if (m_sse_pending.size() + m_sse_writing.size() > k_max_backlog) return cut_stream();
    if (value.status == core::VisitorStatus::closed || m_stopping) m_sse_ending = true;
    sse_flush();
    // A wake during this read may be for a commit the read did not see. With nothing to write,
    // no write completion will look at it: read again now (else once the write is done).
    if (m_watch.dirty) read_watch();
  }

  void start_stream(core::VisitorStatus status, const std::string& operator_name) {
    m_sse_started = true;
    m_phase = Phase::streaming;
    m_watch.status = status;
    m_watch.operator_name = operator_name;
    m_sse_head.emplace(bhttp::status::ok, m_request.version());
    m_sse_head->set(bhttp::field::server, "seshat");
    m_sse_head->set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
    m_sse_head->set(bhttp::field::cache_control, "no-store");
    m_sse_head->set("X-Content-Type-Options", "nosniff");
    m_sse_head->set("X-Accel-Buffering", "no");  // nginx: pass events through at once
    for (const auto field : {bhttp::field::access_control_allow_origin, bhttp::field::vary}) {
      if (const auto value = m_response[field]; !value.empty()) m_sse_head->set(field, value);
    }
    m_sse_head->keep_alive(false);
    m_sse_head->chunked(true);
    m_sse_serializer.emplace(*m_sse_head);
    // The connection ends with the stream: free what reading the request took. Thousands of
    // idle visitors each hold a stream.
    m_request = {};
    m_response = {};
    m_buffer = beast::flat_buffer{};
    m_shared.metrics.count_response(200);
    m_sse_pending +=
        sse_retry(k_sse_retry_ms) + sse_status(status, m_watch.position, operator_name);
    m_shared.metrics.events_sent.fetch_add(1, std::memory_order_relaxed);
    m_sse_busy = true;
    m_write_started = SteadyClock::now();
    m_stream.expires_after(m_shared.settings.write_timeout);
    bhttp::async_write_header(m_stream, *m_sse_serializer,
                              [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                self->on_sse_written(ec);
                              });
    arm_timer();
    watch_peer();
  }

  // A stream's client sends nothing more, so the socket turning readable means it went (end of
  // stream, reset) or broke the protocol: either way the stream ends now, rather than holding
  // its descriptor and memory until a heartbeat fails to write. Thousands of pages closing at
  // once otherwise pile up. On the socket itself: the stream's timeouts are for the writes.
  void watch_peer() {
    m_stream.socket().async_wait(tcp::socket::wait_read,
                                 [self = shared_from_this()](beast::error_code ec) {
                                   if (ec || self->m_phase == Phase::closed) return;
                                   self->end_wait();
                                   self->fail(net::error::eof);
                                 });
  }

  void cut_stream() {
    m_shared.metrics.streams_cut.fetch_add(1, std::memory_order_relaxed);
    m_shared.log(LogLevel::debug, "http event stream of chat " + std::to_string(m_watch.chat) +
                                      " from " + m_address + " cut: its reader fell " +
                                      std::to_string(m_sse_pending.size() + m_sse_writing.size()) +
                                      " bytes behind");
    end_wait();
    release_buffer(m_sse_pending);
    fail(net::error::connection_aborted);
  }

  // Buffers give back what a burst made them hold: thousands of idle streams each keeping
  // the capacity of their largest write would be most of the gateway's memory.
  static void release_buffer(std::string& buffer) {
    if (buffer.capacity() > k_kept_capacity)
      std::string().swap(buffer);
    else
      buffer.clear();
  }

  void sse_flush() {
    if (m_sse_busy || !m_sse_started) return;
    if (!m_sse_pending.empty()) {
      m_sse_writing.swap(m_sse_pending);
      release_buffer(m_sse_pending);
      m_sse_busy = true;
      m_write_started = SteadyClock::now();
      m_stream.expires_after(m_shared.settings.write_timeout);
      net::async_write(m_stream, bhttp::make_chunk(net::buffer(m_sse_writing)),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->on_sse_written(ec);
                       });
      return;
    }
    if (m_sse_ending) {
      m_sse_busy = true;
      m_write_started = SteadyClock::now();
      m_stream.expires_after(m_shared.settings.write_timeout);
      net::async_write(m_stream, bhttp::make_chunk_last(),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->end_wait();
                         if (ec) return self->fail(ec);
                         self->close(Body::read);
                       });
    }
  }

  void on_sse_written(beast::error_code ec) {
    m_sse_busy = false;
    m_stream.expires_never();
    release_buffer(m_sse_writing);
    if (ec) {
      end_wait();
      return fail(ec);
    }
    if (!m_sse_pending.empty() || m_sse_ending) return sse_flush();
    if (m_watch.dirty) read_watch();
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
      case Phase::streaming:
        m_sse_ending = true;
        sse_flush();
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
    if (failure.code == base::Error::wrong_token) (void)m_shared.wrong_tokens.take(m_address);
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
    m_stream.expires_after(m_shared.settings.write_timeout);
    m_wire = wire_bytes(m_response);
    net::async_write(
        m_stream, net::buffer(m_wire),
        [self = shared_from_this(), keep_alive, read](beast::error_code ec, std::size_t) {
          release_buffer(self->m_wire);
          if (ec) return self->fail(ec);
          if (keep_alive) return self->do_read();
          self->close(read);
        });
  }

  // Ends the connection. A body left unread is drained for a moment first, so that closing
  // a socket with unread data (which sends a TCP reset) does not destroy the answer before
  // the client has read it.
  void close(Body body) {
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
    core::Seq after = 0;
    std::chrono::seconds period{0};  // long-poll: the wait; stream: the heartbeat
    core::VisitorStatus status = core::VisitorStatus::waiting;  // as last read
    std::optional<int> position;  // as last read (streams: sent with the status event)
    std::string operator_name;    // as last told (streams)
    bool typing = false;          // the operator's typing, as last told (streams)
    bool registered = false;
    bool reading = false;
    bool dirty = false;    // woken while reading (or writing): read again
    bool expired = false;  // the long-poll's time ran out while reading
    bool first_read_done = false;
  };

  beast::tcp_stream m_stream;
  beast::flat_buffer m_buffer;
  SharedState& m_shared;
  std::string m_address;
  Admission m_admission;
  bool m_stream_slot = false;  // holds one of the chat's max_streams_per_chat
  net::steady_timer m_timer;
  Phase m_phase = Phase::reading;
  bool m_stopping = false;

  std::optional<bhttp::request_parser<bhttp::string_body>> m_parser;
  bhttp::request<bhttp::string_body> m_request;
  bhttp::response<bhttp::string_body> m_response;
  std::string m_wire;  // m_response's bytes while they are written
  Route m_route;
  SteadyClock::time_point m_started;
  bool m_timed = false;  // a long-poll or stream is not a request duration

  Wait m_wait = Wait::none;
  std::uint64_t m_wait_generation = 0;
  Watch m_watch;

  std::optional<bhttp::response<bhttp::empty_body>> m_sse_head;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> m_sse_serializer;
  bool m_sse_started = false;
  bool m_sse_busy = false;  // a write is in flight
  bool m_sse_ending = false;
  std::string m_sse_pending;                // events not yet written
  std::string m_sse_writing;                // the chunk being written
  SteadyClock::time_point m_write_started;  // of the write in flight

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
