#include "http/gateway.hpp"

#include <utility>  // before Boost (Boost 1.74 with g++ 12)

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <pthread.h>

#include <array>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/openapi.hpp"
#include "http/session.hpp"
#include "http/shared_state.hpp"

namespace seshat::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// Accepts connections until closed, each onto its own strand when several threads run the
// network. With one thread, everything on it is serialized already and a strand would only add
// a lock and a queue to every handler.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& io, tcp::acceptor acceptor, SharedState& shared)
      : m_io(io),
        m_acceptor(std::move(acceptor)),
        m_shared(shared),
        m_strands(shared.settings.io_threads > 1) {}

  void accept() {
    m_acceptor.async_accept(
        m_strands ? net::any_io_executor(net::make_strand(m_io))
                  : net::any_io_executor(m_io.get_executor()),
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
          self->on_accept(ec, std::move(socket));
        });
  }

  [[nodiscard]] net::any_io_executor executor() { return m_acceptor.get_executor(); }

  // On executor().
  void close() {
    boost::system::error_code ignored;
    m_acceptor.close(ignored);
    m_pause.cancel();
  }

 private:
  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !m_acceptor.is_open()) return;
    if (!ec) {
      admit(std::move(socket));
      return accept();
    }
    // Out of file descriptors and the like: accepting again at once would fail again at once,
    // in a loop that starves every connection. Pause, then go on (others may have closed).
    // Logged at most once per k_accept_log_every, with the count of failures meanwhile.
    ++m_accept_failures;
    const auto now = std::chrono::steady_clock::now();
    if (m_accept_logged == std::chrono::steady_clock::time_point{} ||
        now - m_accept_logged >= k_accept_log_every) {
      m_shared.log(LogLevel::warn, "http accept failed: " + ec.message() + " (" +
                                       std::to_string(m_accept_failures) +
                                       " accept failures since the last such line); pausing "
                                       "100 ms each time");
      m_accept_logged = now;
      m_accept_failures = 0;
    }
    m_pause.expires_after(k_accept_pause);
    m_pause.async_wait([self = shared_from_this()](boost::system::error_code wait_error) {
      if (!wait_error && self->m_acceptor.is_open()) self->accept();
    });
  }

  void admit(tcp::socket socket) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return;  // already gone
    auto address = remote.address().to_string();
    const auto admission = m_shared.connections.admit(address);
    if (admission != Admission::normal)
      m_shared.metrics.connections_refused.fetch_add(1, std::memory_order_relaxed);
    if (is_refused(admission)) return refuse(std::move(socket), admission);
    // Each answer and event is one write already. With Nagle's algorithm an event written within
    // the visitor's delayed ACK of the one before (40 ms on Linux, 200 ms on Windows) waited for
    // that ACK: a line 5 ms after another reached the page 42 ms after it (bench/rounds.md).
    socket.set_option(tcp::no_delay(true), ec);
    start_session(std::move(socket), m_shared, std::move(address), admission);
  }

  // A fast answer without reading the request: what is already there is read and dropped
  // (closing a socket with unread data sends a reset that may destroy the answer), the answer
  // written into the empty send buffer, and the socket closed.
  static void refuse(tcp::socket socket, Admission admission) {
    static const std::string k_full = refusal(
        "503 Service Unavailable",
        R"({"error":"The chat service is full at the moment; please try again in a minute."})");
    static const std::string k_per_address = refusal(
        "429 Too Many Requests",
        R"({"error":"Too many connections from your address; please close some and try again."})");
    boost::system::error_code ignored;
    socket.non_blocking(true, ignored);
    std::array<char, 4096> discard{};
    for (int i = 0; i < 4; ++i) {
      if (socket.read_some(net::buffer(discard), ignored) == 0 || ignored) break;
    }
    const auto& answer = admission == Admission::refused_full ? k_full : k_per_address;
    (void)socket.write_some(net::buffer(answer), ignored);
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
  }

  static std::string refusal(std::string_view status, std::string_view body) {
    return "HTTP/1.1 " + std::string(status) +
           "\r\nServer: seshat\r\nContent-Type: application/json; charset=utf-8\r\n"
           "Cache-Control: no-store\r\nRetry-After: 60\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
  }

  static constexpr std::chrono::seconds k_accept_log_every{10};
  static constexpr std::chrono::milliseconds k_accept_pause{100};

  net::io_context& m_io;
  tcp::acceptor m_acceptor;
  net::steady_timer m_pause{m_acceptor.get_executor()};
  SharedState& m_shared;
  bool m_strands;
  std::uint64_t m_accept_failures = 0;
  std::chrono::steady_clock::time_point m_accept_logged{};
};

tcp::acceptor open_acceptor(net::io_context& io, const Settings& settings) {
  const auto where = settings.host + ":" + std::to_string(settings.port);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(settings.host, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": not an IP address");
  const tcp::endpoint endpoint(address, settings.port);
  tcp::acceptor acceptor(net::make_strand(io));
  auto check = [&](const char* what) {
    if (ec)
      throw std::runtime_error("cannot listen on " + where + ": " + what + ": " + ec.message());
  };
  acceptor.open(endpoint.protocol(), ec);
  check("open");
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  check("reuse_address");
  acceptor.bind(endpoint, ec);
  check("bind");
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  check("listen");
  return acceptor;
}

}  // namespace

struct Gateway::Impl {
  Impl(Settings settings, store::ChangeFeed& feed_in, Metrics& metrics)
      : shared(std::move(settings), metrics), feed(feed_in) {}

  // Commits by another process arrive as chat 0: rather than waking every waiter (thousands of
  // database reads), the database thread compares each waited-for chat with what it saw last
  // time and wakes the changed ones. Requests coalesce: one sweep pending at a time.
  void request_sweep() {
    if (sweep_pending.exchange(true)) return;
    const bool queued =
        shared.db->submit([this](visitors::Visitors&, store::Store& store) -> DbWorker::Reply {
          sweep_pending = false;
          sweep(store);
          return {};
        });
    if (!queued) {
      sweep_pending = false;
      shared.waiters.wake(store::any_chat);  // the queue is full: fall back to waking all
    }
  }

  // On the database thread.
  void sweep(store::Store& store) {
    std::unordered_map<core::ChatId, Snapshot> now;
    for (const auto chat : shared.waiters.chats()) {
      Snapshot snapshot;
      try {
        if (auto record = store.find_chat(chat))
          snapshot = Snapshot{record->last_seq, record->chat.state, record->operator_typing,
                              record->operator_name};
      } catch (const store::StoreError&) {
        shared.waiters.wake(chat);  // let the waiter find out (it gets a 503)
        continue;
      }
      const auto before = seen.find(chat);
      if (before == seen.end() || before->second != snapshot) shared.waiters.wake(chat);
      now.emplace(chat, snapshot);
    }
    seen = std::move(now);
  }

  // What a page is shown of a chat: its messages, status, and the operator's typing and name.
  struct Snapshot {
    core::Seq last_seq = 0;
    core::ChatState state = core::ChatState::waiting;
    bool operator_typing = false;
    std::string operator_name{};
    bool operator==(const Snapshot&) const = default;
  };

  // Declaration order is destruction order reversed: sessions (owned by handlers in `io`)
  // die before `shared`, the database thread's jobs (which hold sessions) before `io`.
  SharedState shared;
  store::ChangeFeed& feed;
  std::optional<net::io_context> io;
  // The io threads run until stop() lets them go. Without it they would return as soon as no
  // socket or timer waits: once the listener closes, a long-poll whose read is out on the
  // database thread is not such a wait, and its answer would be posted to nobody.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> keep_running;
  std::shared_ptr<Listener> listener;
  std::uint16_t port = 0;
  std::vector<std::thread> threads;
  std::atomic<bool> sweep_pending{false};
  std::unordered_map<core::ChatId, Snapshot> seen;  // database thread only
  store::ChangeFeed::Subscription subscription;

  std::mutex state_mutex;
  std::condition_variable state_changed;
  bool started = false;
  bool stopped = false;
};

Gateway::Gateway(Settings settings, store::ChangeFeed& feed, Metrics& metrics)
    : m_impl(std::make_unique<Impl>(std::move(settings), feed, metrics)) {}

Gateway::~Gateway() {
  stop();
}

void Gateway::start() {
  auto& impl = *m_impl;
  {
    std::lock_guard lock(impl.state_mutex);
    if (impl.started) throw std::logic_error("Gateway::start called twice");
    impl.started = true;
  }
  try {
    start_listening();
  } catch (...) {
    // Nothing runs: stop() has nothing to do, wait() returns.
    std::lock_guard lock(impl.state_mutex);
    impl.stopped = true;
    impl.state_changed.notify_all();
    throw;
  }
}

void Gateway::start_listening() {
  auto& impl = *m_impl;
  auto& shared = impl.shared;
  if (!shared.settings.open_store) throw std::invalid_argument("Gateway: no open_store given");
  shared.files = load_widget_files(shared.settings.web_root, shared.prefix);
  shared.openapi = openapi_document(shared.prefix);
  if (!shared.files.widget_js || !shared.files.widget_css || !shared.files.demo_page) {
    shared.log(LogLevel::warn, "http: widget files missing in '" +
                                   shared.settings.web_root.string() + "' (served as 404)");
  }
  const int threads = std::max(1, shared.settings.io_threads);
  impl.io.emplace(threads);
  impl.keep_running.emplace(impl.io->get_executor());
  shared.beats = std::make_unique<BeatPacer>(
      [&io = *impl.io](std::function<void()> pass) { net::post(io, std::move(pass)); });
  auto acceptor = open_acceptor(*impl.io, shared.settings);
  impl.port = acceptor.local_endpoint().port();
  shared.db =
      std::make_unique<DbWorker>(shared.settings.open_store, impl.feed, shared.settings.limits,
                                 shared.settings.max_db_queue, shared.settings.visitor_texts);
  impl.subscription = impl.feed.subscribe(
      [&impl](core::ChatId chat) {
        if (chat == store::any_chat)
          impl.request_sweep();
        else
          impl.shared.waiters.wake(chat);
      },
      [&impl](core::ChatId chat, const store::Message& line, std::string_view sender_stream) {
        impl.shared.waiters.hand_line(chat, line, sender_stream);
      });
  impl.listener = std::make_shared<Listener>(*impl.io, std::move(acceptor), shared);
  impl.listener->accept();
  for (int i = 0; i < threads; ++i) {
    impl.threads.emplace_back([&impl] {
      pthread_setname_np(pthread_self(), "seshat-http");
      for (;;) {
        try {
          impl.io->run();
          return;
        } catch (const std::exception& error) {
          // A handler threw: log it and keep serving the other connections.
          impl.shared.log(LogLevel::error, std::string("http: ") + error.what());
        }
      }
    });
  }
  shared.log(LogLevel::info, "http gateway listening on " + shared.settings.host + ":" +
                                 std::to_string(impl.port) + shared.prefix + "/");
}

std::uint16_t Gateway::port() const {
  return m_impl->port;
}

void Gateway::stop() {
  auto& impl = *m_impl;
  {
    std::lock_guard lock(impl.state_mutex);
    if (!impl.started || impl.stopped) return;
  }
  auto& shared = impl.shared;
  shared.stopping = true;
  impl.subscription.reset();
  net::post(impl.listener->executor(), [listener = impl.listener] { listener->close(); });
  shared.stop_all();
  // Connections end by themselves once answered; whatever is left after the grace period
  // (a slow client, a request still being read) is cut.
  if (shared.wait_until_no_sessions(shared.settings.shutdown_grace))
    impl.keep_running.reset();  // what the ended sessions left queued still runs
  else
    impl.io->stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
  impl.listener.reset();
  shared.db->stop();
  {
    std::lock_guard lock(impl.state_mutex);
    impl.stopped = true;
  }
  impl.state_changed.notify_all();
}

void Gateway::wait() {
  std::unique_lock lock(m_impl->state_mutex);
  m_impl->state_changed.wait(lock, [this] { return m_impl->stopped; });
}

}  // namespace seshat::http
