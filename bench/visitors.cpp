#include "visitors.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

namespace seshat::bench {
namespace {

// A visitor's message as the widget posts it: the text, a client_id of 24 hex digits (the
// widget's is random; this one is the phase and seq, unique in the chat), which the gateway
// keeps with the row so that a retry is stored once, and the name of the visitor's event
// stream if it holds one, which then leaves the line out (the page has it from the 202).
std::string message_body(Phase phase, std::int64_t seq, const std::string& stream) {
  char client_id[25];
  std::snprintf(client_id, sizeof client_id, "%012llx%012llx",
                static_cast<unsigned long long>(phase), static_cast<unsigned long long>(seq));
  auto body = R"({"text":")" + timed_text(static_cast<int>(phase), seq) + R"(","client_id":")" +
              client_id + '"';
  if (!stream.empty()) body += R"(,"stream":")" + stream + '"';
  return body + '}';
}

namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

// Small: every idle reader waits in a read with this buffer in its coroutine frame (100,000 of
// them in scenario c).
constexpr std::size_t k_read_size = 2048;
// Distinct source addresses per 127.B.0.0/16: x in 0..249, y in 1..250.
constexpr int k_per_net = 250 * 250;
constexpr std::size_t k_max_error_texts = 5;

struct Response {
  int status = 0;
  std::string body;
  bool chunked = false;
};

// Appending, not operator+, which trips g++ 12's -Wrestrict false positive.
std::string numbered(std::string_view prefix, int number) {
  std::string text(prefix);
  text += std::to_string(number);
  return text;
}

std::string lower(std::string_view text) {
  std::string result(text);
  for (auto& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

// One HTTP/1.1 connection, kept alive; requests one at a time.
class HttpConnection {
 public:
  explicit HttpConnection(net::any_io_executor executor) : m_socket(std::move(executor)) {}

  awaitable<void> connect(const HttpSettings& settings, const net::ip::address_v4& source) {
    m_socket.open(tcp::v4());
    // The port is chosen at connect(), per (source, destination): bind() would take one of the
    // 28,000 ephemeral ports for good.
    const int on = 1;
    setsockopt(m_socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
    m_socket.bind(tcp::endpoint(source, 0));
    m_socket.set_option(tcp::no_delay(true));
    co_await m_socket.async_connect(
        tcp::endpoint(net::ip::make_address(settings.host), settings.port), use_awaitable);
  }

  void set_low_water(int bytes) {
    setsockopt(m_socket.native_handle(), SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes);
  }

  awaitable<void> send(std::string_view method, const std::string& target, const std::string& body,
                       const std::string& token) {
    std::string request;
    request.reserve(256 + body.size());
    append_request(request, method, target, body, token);
    co_await send_bytes(request);
  }

  // Several requests at once (pipelined), as appended by append_request.
  awaitable<void> send_bytes(const std::string& requests) {
    co_await net::async_write(m_socket, net::buffer(requests), use_awaitable);
  }

  static void append_request(std::string& request, std::string_view method,
                             const std::string& target, const std::string& body,
                             const std::string& token) {
    request.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (!token.empty()) request.append("Authorization: Bearer ").append(token).append("\r\n");
    if (method == "POST") {
      request.append("Content-Type: application/json\r\nContent-Length: ")
          .append(std::to_string(body.size()))
          .append("\r\n");
    }
    request.append("\r\n").append(body);
  }

  // Status line and headers; the body too unless it is chunked (then: read_chunk()).
  awaitable<Response> read_response() {
    std::size_t end;
    while ((end = m_buffer.find("\r\n\r\n")) == std::string::npos) co_await fill();
    Response response;
    const auto head = lower(std::string_view(m_buffer).substr(0, end));
    m_buffer.erase(0, end + 4);
    if (head.size() < 12) throw std::runtime_error("short HTTP status line");
    response.status = std::stoi(head.substr(9, 3));
    response.chunked = head.find("transfer-encoding: chunked") != std::string::npos;
    if (response.chunked) co_return response;
    std::size_t length = 0;
    if (const auto at = head.find("content-length:"); at != std::string::npos) {
      length = std::stoul(head.substr(at + 15));
    }
    while (m_buffer.size() < length) co_await fill();
    response.body = m_buffer.substr(0, length);
    m_buffer.erase(0, length);
    co_return response;
  }

  // The next chunk's data; empty at the last chunk.
  awaitable<std::string> read_chunk() {
    std::size_t end;
    while ((end = m_buffer.find("\r\n")) == std::string::npos) co_await fill();
    const auto size = std::stoul(m_buffer.substr(0, end), nullptr, 16);
    m_buffer.erase(0, end + 2);
    while (m_buffer.size() < size + 2) co_await fill();
    std::string data = m_buffer.substr(0, size);
    m_buffer.erase(0, size + 2);
    co_return data;
  }

  awaitable<Response> request(std::string_view method, const std::string& target,
                              const std::string& body, const std::string& token) {
    co_await send(method, target, body, token);
    auto response = co_await read_response();
    if (response.chunked) {
      for (std::string chunk; !(chunk = co_await read_chunk()).empty();) response.body += chunk;
    }
    co_return response;
  }

 private:
  awaitable<void> fill() {
    char data[k_read_size];
    const auto n = co_await m_socket.async_read_some(net::buffer(data), use_awaitable);
    m_buffer.append(data, n);
  }

  tcp::socket m_socket;
  std::string m_buffer;
};

// Visitor `index`'s own address: 127.<base + index / 62,500>.x.y, so 100,000 visitors span two
// 127.B networks (and so many /24s).
net::ip::address_v4 source_address(int base, int index) {
  const auto net_index = static_cast<unsigned>(base + index / k_per_net);
  const int within = index % k_per_net;
  return net::ip::address_v4((127U << 24) | (net_index << 16) |
                             (static_cast<unsigned>(within / 250) << 8) |
                             static_cast<unsigned>(within % 250 + 1));
}

}  // namespace

enum class Kind { active, idle };

struct Visitors::Visitor {
  Kind kind = Kind::active;
  int index = 0;
  Ticket ticket;
  bool open = false;
  bool first_started = false;  // active: the first message after the chat opened
  bool first_done = false;
  std::int64_t after = 0;
  std::string stream;  // the name its event stream was opened with (SSE), as the widget's
  std::unique_ptr<HttpConnection> sender;
  std::unique_ptr<HttpConnection> reader;
};

namespace {

void note_error(Shared& shared, const std::string& text) {
  if (shared.errors++ < static_cast<int>(k_max_error_texts)) shared.error_texts.push_back(text);
}

void mark_open(Shared& shared, Visitors::Visitor& visitor) {
  if (visitor.open) return;
  visitor.open = true;
  if (visitor.kind == Kind::active) shared.visitors_open++;
}

// One JSON document from the API (an SSE event's data or a long-poll reply).
void on_json(Shared& shared, Visitors::Visitor& visitor, std::string_view text, std::int64_t now) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return;
  const auto read_message = [&](const nlohmann::json& message) {
    if (!message.contains("text") || !message.contains("from")) return;
    const auto& body = message["text"].get_ref<const std::string&>();
    if (message.contains("seq"))
      visitor.after = std::max(visitor.after, message["seq"].get<std::int64_t>());
    TimedText timed;
    if (parse_timed(body, timed) && timed.phase < k_phases) {
      const auto phase = static_cast<std::size_t>(timed.phase);
      if (message["from"] == "operator") shared.to_visitor[phase].add(now - timed.sent_ns);
    } else if (message["from"] == "system" && body == "Your chat has started.") {
      mark_open(shared, visitor);
    }
  };
  if (json.contains("status") && json["status"] == "open") mark_open(shared, visitor);
  if (json.contains("messages")) {
    for (const auto& message : json["messages"]) read_message(message);
  } else {
    read_message(json);
  }
}

std::string api(const HttpSettings& settings, const std::string& path) {
  return settings.prefix + "/api" + path;
}

// A completion handler for co_spawn: a failure is counted and its text kept.
auto on_failure(Shared& shared) {
  return [&shared](const std::exception_ptr& failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      note_error(shared, error.what());
    }
  };
}

awaitable<void> post_timed(const HttpSettings& settings, Shared& shared, Visitors::Visitor& visitor,
                           Phase phase, std::int64_t seq) {
  const auto sent = monotonic_ns();
  const auto reply = co_await visitor.sender->request(
      "POST", api(settings, "/chats/" + std::to_string(visitor.ticket.id) + "/messages"),
      message_body(phase, seq, visitor.stream), visitor.ticket.token);
  if (reply.status != 202)
    throw std::runtime_error("POST /messages answered " + std::to_string(reply.status) + " " +
                             reply.body);
  shared.accepted[static_cast<std::size_t>(phase)].add(monotonic_ns() - sent);
}

awaitable<void> send_first(const HttpSettings& settings, Shared& shared,
                           std::shared_ptr<Visitors::Visitor> visitor) {
  shared.firsts_sent++;
  co_await post_timed(settings, shared, *visitor, Phase::first, 0);
  visitor->first_done = true;
}

// An active visitor writes as soon as its chat has opened (scenario a counts that message).
void after_events(const HttpSettings& settings, Shared& shared,
                  const std::shared_ptr<Visitors::Visitor>& visitor,
                  const net::any_io_executor& executor) {
  if (visitor->kind != Kind::active || !visitor->open || visitor->first_started) return;
  visitor->first_started = true;
  net::co_spawn(executor, send_first(settings, shared, visitor), on_failure(shared));
}

awaitable<void> read_sse(const HttpSettings& settings, Shared& shared,
                         std::shared_ptr<Visitors::Visitor> visitor) {
  auto& connection = *visitor->reader;
  visitor->stream = numbered("v", visitor->index);
  co_await connection.send(
      "GET",
      api(settings, "/chats/" + std::to_string(visitor->ticket.id) +
                        "/events?token=" + visitor->ticket.token + "&stream=" + visitor->stream),
      "", "");
  const auto head = co_await connection.read_response();
  if (head.status != 200 || !head.chunked)
    throw std::runtime_error("SSE answered " + std::to_string(head.status));
  // Held from here on: the server may send nothing more until a heartbeat or an event.
  if (visitor->kind == Kind::idle) {
    shared.idle_ready++;
    if (settings.idle_low_water > 0) connection.set_low_water(settings.idle_low_water);
  }
  std::string events;
  for (;;) {
    auto chunk = co_await connection.read_chunk();
    if (chunk.empty()) co_return;
    const auto now = monotonic_ns();
    events += chunk;
    std::size_t end;
    while ((end = events.find("\n\n")) != std::string::npos) {
      const std::string_view event(events.data(), end);
      if (const auto data = event.find("data: "); data != std::string_view::npos) {
        const auto line_end = event.find('\n', data);
        on_json(shared, *visitor, event.substr(data + 6, line_end - data - 6), now);
      }
      events.erase(0, end + 2);
    }
    after_events(settings, shared, visitor, co_await net::this_coro::executor);
  }
}

awaitable<void> read_long_poll(const HttpSettings& settings, Shared& shared,
                               std::shared_ptr<Visitors::Visitor> visitor) {
  bool ready = false;
  for (;;) {
    const auto response = co_await visitor->reader->request(
        "GET",
        api(settings, "/chats/" + std::to_string(visitor->ticket.id) +
                          "/messages?after=" + std::to_string(visitor->after) + "&wait=25"),
        "", visitor->ticket.token);
    if (response.status != 200)
      throw std::runtime_error("long-poll answered " + std::to_string(response.status));
    on_json(shared, *visitor, response.body, monotonic_ns());
    after_events(settings, shared, visitor, co_await net::this_coro::executor);
    if (!ready) {
      ready = true;
      if (visitor->kind == Kind::idle) shared.idle_ready++;
    }
  }
}

awaitable<void> open_chat(const HttpSettings& settings, Shared& shared,
                          std::shared_ptr<Visitors::Visitor> visitor, std::string name,
                          int address_offset) {
  auto executor = co_await net::this_coro::executor;
  const auto source = source_address(settings.address_base + address_offset, visitor->index);
  // Two gateways share the visitors: each visitor's requests and stream go to one of them.
  HttpSettings gateway = settings;
  if (settings.second_port != 0 && visitor->index % 2 == 1) gateway.port = settings.second_port;
  visitor->sender = std::make_unique<HttpConnection>(executor);
  co_await visitor->sender->connect(gateway, source);
  if (visitor->kind == Kind::active)
    shared.created_ns[static_cast<std::size_t>(visitor->index)] = monotonic_ns();
  const auto reply = co_await visitor->sender->request("POST", api(settings, "/chats"),
                                                       R"({"name":")" + name + R"("})", "");
  if (reply.status != 201)
    throw std::runtime_error("POST /chats answered " + std::to_string(reply.status) + " " +
                             reply.body);
  const auto json = nlohmann::json::parse(reply.body);
  visitor->ticket.id = json.at("id").get<std::int64_t>();
  visitor->ticket.token = json.at("token").get<std::string>();
  if (visitor->kind == Kind::active)
    shared.chat_ids[static_cast<std::size_t>(visitor->index)] = visitor->ticket.id;
  // An idle visitor keeps only its event stream open, as a widget between messages does.
  if (visitor->kind == Kind::idle) visitor->sender.reset();
  visitor->reader = std::make_unique<HttpConnection>(executor);
  co_await visitor->reader->connect(gateway, source);
  if (settings.transport == Transport::sse) {
    co_await read_sse(settings, shared, visitor);
  } else {
    co_await read_long_poll(settings, shared, visitor);
  }
}

awaitable<void> send_steady(const HttpSettings& settings, Shared& shared,
                            std::shared_ptr<Visitors::Visitor> visitor) {
  constexpr std::int64_t k_second = 1'000'000'000;
  net::steady_timer timer(co_await net::this_coro::executor);
  // The sender connection takes one request at a time: the first message goes before.
  for (int waited = 0; visitor->first_started && !visitor->first_done && waited < 5000; ++waited) {
    timer.expires_after(std::chrono::milliseconds(1));
    co_await timer.async_wait(use_awaitable);
  }
  const auto active = shared.steady_active_ns.load();
  auto offset = (visitor->index * 104'729LL * 1'000'003LL) % k_second;
  for (std::int64_t seq = 0; offset < active; ++seq, offset += k_second) {
    timer.expires_at(
        std::chrono::steady_clock::time_point(std::chrono::nanoseconds(shared.steady_at(offset))));
    co_await timer.async_wait(use_awaitable);
    co_await post_timed(settings, shared, *visitor, Phase::steady, seq);
  }
}

// Pipelined (HTTP/1.1): every request written at once (one write), then the answers read in order,
// so the figure is how fast seshat relays, not how many round trips one visitor makes in a second.
awaitable<void> send_burst(const HttpSettings& settings, std::shared_ptr<Visitors::Visitor> visitor,
                           int count) {
  const auto target = api(settings, "/chats/" + std::to_string(visitor->ticket.id) + "/messages");
  std::string requests;
  requests.reserve(static_cast<std::size_t>(count) * 512);
  for (int seq = 0; seq < count; ++seq) {
    HttpConnection::append_request(requests, "POST", target,
                                   message_body(Phase::burst, seq, visitor->stream),
                                   visitor->ticket.token);
  }
  co_await visitor->sender->send_bytes(requests);
  for (int seq = 0; seq < count; ++seq) {
    const auto reply = co_await visitor->sender->read_response();
    if (reply.status != 202)
      throw std::runtime_error("POST /messages answered " + std::to_string(reply.status) + " " +
                               reply.body);
  }
}

awaitable<void> announce_chats(const HttpSettings& settings, Shared& shared, int count,
                               int gap_ms) {
  auto executor = co_await net::this_coro::executor;
  net::steady_timer timer(executor);
  for (int i = 0; i < count; ++i) {
    HttpConnection connection(executor);
    co_await connection.connect(settings, source_address(settings.address_base + 2, i));
    shared.created_ns[static_cast<std::size_t>(i)] = monotonic_ns();
    const auto reply = co_await connection.request("POST", api(settings, "/chats"),
                                                   R"({"name":")" + numbered("n", i) + R"("})", "");
    if (reply.status != 201)
      throw std::runtime_error("POST /chats answered " + std::to_string(reply.status));
    timer.expires_after(std::chrono::milliseconds(gap_ms));
    co_await timer.async_wait(use_awaitable);
  }
}

// Runs `task` on the HTTP thread; a failure is counted and its text kept.
template <typename Task>
void spawn(net::io_context& io, Shared& shared, Task task) {
  net::co_spawn(io, std::move(task), on_failure(shared));
}

// Opens `count` idle visitors, at most settings.idle_window of them connecting at a time.
awaitable<void> open_idle_paced(const HttpSettings& settings, Shared& shared,
                                std::vector<std::shared_ptr<Visitors::Visitor>>& idle, int count) {
  auto executor = co_await net::this_coro::executor;
  net::steady_timer timer(executor);
  for (int i = 0; i < count; ++i) {
    while (i - shared.idle_ready.load() - shared.idle_failed.load() >= settings.idle_window) {
      timer.expires_after(std::chrono::milliseconds(1));
      co_await timer.async_wait(use_awaitable);
    }
    auto visitor = std::make_shared<Visitors::Visitor>();
    visitor->kind = Kind::idle;
    visitor->index = i;
    idle.push_back(visitor);
    net::co_spawn(executor, open_chat(settings, shared, visitor, numbered("idle", i), 1),
                  [&shared](const std::exception_ptr& failure) {
                    if (!failure) return;
                    shared.idle_failed++;
                    on_failure(shared)(failure);
                  });
  }
}

}  // namespace

Visitors::Visitors(HttpSettings settings, Shared& shared)
    : m_settings(std::move(settings)), m_shared(shared), m_work(m_io.get_executor()) {}

Visitors::~Visitors() {
  stop();
}

void Visitors::start() {
  m_thread = std::thread([this] { m_io.run(); });
}

void Visitors::stop() {
  m_io.stop();
  if (m_thread.joinable()) m_thread.join();
}

void Visitors::open_idle(int count) {
  net::post(m_io, [this, count] {
    m_idle.reserve(static_cast<std::size_t>(count));
    spawn(m_io, m_shared, open_idle_paced(m_settings, m_shared, m_idle, count));
  });
}

void Visitors::open_active(int count) {
  net::post(m_io, [this, count] {
    for (int i = 0; i < count; ++i) {
      auto visitor = std::make_shared<Visitor>();
      visitor->index = i;
      m_active.push_back(visitor);
      spawn(m_io, m_shared, open_chat(m_settings, m_shared, visitor, numbered("v", i), 0));
    }
  });
}

void Visitors::announce(int count, int gap_ms) {
  net::post(m_io, [this, count, gap_ms] {
    spawn(m_io, m_shared, announce_chats(m_settings, m_shared, count, gap_ms));
  });
}

void Visitors::start_steady() {
  net::post(m_io, [this] {
    for (const auto& visitor : m_active)
      spawn(m_io, m_shared, send_steady(m_settings, m_shared, visitor));
  });
}

void Visitors::start_burst(int per_visitor) {
  net::post(m_io, [this, per_visitor] {
    for (const auto& visitor : m_active)
      spawn(m_io, m_shared, send_burst(m_settings, visitor, per_visitor));
  });
}

std::vector<Ticket> Visitors::idle_tickets() const {
  std::vector<Ticket> tickets;
  for (const auto& visitor : m_idle) {
    if (visitor->ticket.id != 0) tickets.push_back(visitor->ticket);
  }
  return tickets;
}

bool wait_available(const HttpSettings& settings, int count, int timeout_s) {
  net::io_context io;
  bool reached = false;
  net::co_spawn(
      io,
      [&]() -> awaitable<void> {
        net::steady_timer timer(io);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
        while (std::chrono::steady_clock::now() < deadline) {
          HttpConnection connection(io.get_executor());
          co_await connection.connect(settings, net::ip::make_address_v4("127.0.0.1"));
          const auto reply =
              co_await connection.request("GET", api(settings, "/availability"), "", "");
          const auto json = nlohmann::json::parse(reply.body, nullptr, false);
          if (!json.is_discarded() && json.value("operators", -1) >= count) {
            reached = true;
            co_return;
          }
          timer.expires_after(std::chrono::milliseconds(20));
          co_await timer.async_wait(use_awaitable);
        }
      },
      net::detached);
  io.run();
  return reached;
}

}  // namespace seshat::bench
