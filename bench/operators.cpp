#include "operators.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strophe.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace seshat::bench {
namespace {

constexpr std::string_view k_notice = "Remote user '";
constexpr std::string_view k_handling = "You are now handling chat #";
constexpr std::string_view k_no_request = "There is no open chat request";
constexpr std::int64_t k_second_ns = 1'000'000'000;
constexpr std::int64_t k_accept_retry_ns = 20'000'000;
constexpr std::int64_t k_accept_gap_ns = 10'000'000;
constexpr int k_logins_in_flight = 10;

// A chat client wants each stanza on the wire at once, not held back by Nagle's algorithm.
int set_no_delay(xmpp_conn_t* /*conn*/, void* socket) {
  const int on = 1;
  return setsockopt(*static_cast<int*>(socket), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

std::string bare(std::string_view jid) {
  return std::string(jid.substr(0, jid.find('/')));
}

}  // namespace

struct Operators::Client {
  Operators* owner = nullptr;
  OperatorSpec spec;
  xmpp_conn_t* conn = nullptr;
  bool online = false;
  bool accept_sent = false;
  bool chatting = false;             // relay: accepted; direct: always once online
  std::int64_t next_offset_ns = -1;  // the next steady send, into the side's sending time
  std::int64_t seq = 0;
  int bursts_sent = 0;
  int rounds_sent = 0;      // notify floor
  bool first_sent = false;  // relay: the first message after its !ACCEPT was answered
  std::int64_t accept_retry_ns = 0;
  int accept_retries = 0;
  std::string chat_address;  // relay in component mode: N@component, once the chat is known
};

Operators::Operators(XmppSettings settings, std::vector<OperatorSpec> specs, Shared& shared)
    : m_settings(std::move(settings)),
      m_specs(std::move(specs)),
      m_shared(shared),
      m_notify_last(static_cast<std::size_t>(m_settings.notify_visitors), 0),
      m_notify_count(static_cast<std::size_t>(m_settings.notify_visitors), 0) {}

Operators::~Operators() {
  if (m_thread.joinable()) {
    m_shared.phase = static_cast<int>(Phase::stop);
    m_thread.join();
  }
}

void Operators::start() {
  m_thread = std::thread([this] { run(); });
}

void Operators::join() {
  if (m_thread.joinable()) m_thread.join();
}

namespace {

void add_empty_child(xmpp_ctx_t* ctx, xmpp_stanza_t* parent, const char* name, const char* ns,
                     const char* id) {
  xmpp_stanza_t* child = xmpp_stanza_new(ctx);
  xmpp_stanza_set_name(child, name);
  xmpp_stanza_set_ns(child, ns);
  if (id != nullptr) xmpp_stanza_set_attribute(child, "id", id);
  xmpp_stanza_add_child(parent, child);
  xmpp_stanza_release(child);
}

// A chat message; with an id, shaped like the broker's: <active/> and <origin-id/> after the body.
void send_text(xmpp_ctx_t* ctx, xmpp_conn_t* conn, const std::string& to, const std::string& text,
               const std::string& id = {}) {
  xmpp_stanza_t* message =
      xmpp_message_new(ctx, "chat", to.c_str(), id.empty() ? nullptr : id.c_str());
  xmpp_message_set_body(message, text.c_str());
  if (!id.empty()) {
    add_empty_child(ctx, message, "active", "http://jabber.org/protocol/chatstates", nullptr);
    add_empty_child(ctx, message, "origin-id", "urn:xmpp:sid:0", id.c_str());
  }
  xmpp_send(conn, message);
  xmpp_stanza_release(message);
}

void send_presence(xmpp_ctx_t* ctx, xmpp_conn_t* conn, const char* show) {
  xmpp_stanza_t* presence = xmpp_presence_new(ctx);
  if (show != nullptr) {
    xmpp_stanza_t* element = xmpp_stanza_new(ctx);
    xmpp_stanza_set_name(element, "show");
    xmpp_stanza_t* text = xmpp_stanza_new(ctx);
    xmpp_stanza_set_text(text, show);
    xmpp_stanza_add_child(element, text);
    xmpp_stanza_release(text);
    xmpp_stanza_add_child(presence, element);
    xmpp_stanza_release(element);
  }
  xmpp_send(conn, presence);
  xmpp_stanza_release(presence);
}

}  // namespace

// libstrophe callbacks: plain functions taking the Client as user data.
namespace {

int on_presence(xmpp_conn_t* conn, xmpp_stanza_t* stanza, void* data) {
  auto* client = static_cast<Operators::Client*>(data);
  (void)client;
  const char* type = xmpp_stanza_get_type(stanza);
  const char* from = xmpp_stanza_get_from(stanza);
  // Like Gajim after "allow": let the broker see our presence.
  if (type != nullptr && from != nullptr && std::string_view(type) == "subscribe") {
    xmpp_ctx_t* ctx = xmpp_conn_get_context(conn);
    xmpp_stanza_t* reply = xmpp_presence_new(ctx);
    xmpp_stanza_set_type(reply, "subscribed");
    xmpp_stanza_set_to(reply, bare(from).c_str());
    xmpp_send(conn, reply);
    xmpp_stanza_release(reply);
  }
  return 1;
}

}  // namespace

// The message handler needs the Operators' privates, so it is a static friend-like lambda.
struct MessageHandler {
  static int handle(xmpp_conn_t* conn, xmpp_stanza_t* stanza, void* data);
};

int MessageHandler::handle(xmpp_conn_t* conn, xmpp_stanza_t* stanza, void* data) {
  const auto now = monotonic_ns();
  auto* client = static_cast<Operators::Client*>(data);
  xmpp_ctx_t* ctx = xmpp_conn_get_context(conn);
  const char* type = xmpp_stanza_get_type(stanza);
  if (type != nullptr && std::string_view(type) == "error") {
    client->owner->shared().errors++;
    return 1;
  }
  char* raw = xmpp_message_get_body(stanza);
  if (raw == nullptr) return 1;
  const std::string body(raw);
  xmpp_free(ctx, raw);
  client->owner->on_message(*client, body, now);
  return 1;
}

void Operators::on_message(Client& client, const std::string& body, std::int64_t now) {
  TimedText timed;
  if (parse_timed(body, timed)) {
    if (timed.phase < 0 || timed.phase >= k_phases) return;
    // Direct: what the flooding client A receives counts as "to visitor", what B receives as
    // "to operator".
    const bool is_a = client.spec.role == Role::direct && client.spec.floods;
    auto& samples = is_a ? m_shared.to_visitor[static_cast<std::size_t>(timed.phase)]
                         : m_shared.to_operator[static_cast<std::size_t>(timed.phase)];
    samples.add(now - timed.sent_ns);
    if (timed.phase == static_cast<int>(Phase::round)) {
      if (timed.seq < 0 || timed.seq >= static_cast<std::int64_t>(m_notify_last.size())) return;
      const auto round = static_cast<std::size_t>(timed.seq);
      m_notify_last[round] = std::max(m_notify_last[round], now - timed.sent_ns);
      m_notify_count[round]++;
      m_shared.notifications++;
    }
    if (timed.phase == static_cast<int>(Phase::burst)) {
      m_shared.burst_received++;
      m_shared.burst_last_ns = now;
    }
    return;
  }
  const std::string_view text(body);
  if (client.spec.role == Role::notify && text.substr(0, k_notice.size()) == k_notice) {
    // "Remote user 'n17' wants ..." -> visitor 17 of this run.
    const auto name = text.substr(k_notice.size());
    if (name.empty() || name[0] != 'n') return;
    const auto index = std::strtol(std::string(name.substr(1, 9)).c_str(), nullptr, 10);
    if (index < 0 || index >= static_cast<long>(m_notify_last.size())) return;
    const auto created = m_shared.created_ns[static_cast<std::size_t>(index)].load();
    if (created == 0) return;
    const auto latency = now - created;
    m_shared.notify.add(latency);
    auto& last = m_notify_last[static_cast<std::size_t>(index)];
    last = std::max(last, latency);
    m_notify_count[static_cast<std::size_t>(index)]++;
    m_shared.notifications++;
    return;
  }
  // The visitor learns its chat id (201) before the broker has read the new chat from the
  // store, so an early !ACCEPT can find no request: ask again shortly.
  if (client.spec.role == Role::relay && !client.chatting &&
      text.substr(0, k_no_request.size()) == k_no_request) {
    client.accept_sent = false;
    client.accept_retry_ns = now + k_accept_retry_ns;
    client.accept_retries++;
    return;
  }
  if (client.spec.role == Role::relay && text.substr(0, k_handling.size()) == k_handling &&
      !client.chatting) {
    client.chatting = true;
    m_shared.operators_accepted++;
  }
}

void Operators::on_connection(Client& client, bool connected) {
  if (connected) {
    client.online = true;
    const char* show = client.spec.role == Role::relay ? "dnd" : nullptr;
    send_presence(xmpp_conn_get_context(client.conn), client.conn, show);
    if (client.spec.role == Role::direct) client.chatting = true;
    m_shared.operators_online++;
  } else {
    if (client.online) m_shared.operators_online--;
    client.online = false;
  }
}

namespace {

void on_connection_event(xmpp_conn_t* conn, xmpp_conn_event_t status, int error,
                         xmpp_stream_error_t* /*stream_error*/, void* data) {
  auto* client = static_cast<Operators::Client*>(data);
  if (status == XMPP_CONN_CONNECT) {
    xmpp_handler_add(conn, MessageHandler::handle, nullptr, "message", nullptr, data);
    xmpp_handler_add(conn, on_presence, nullptr, "presence", nullptr, data);
    client->owner->on_connection(*client, true);
  } else {
    if (client->owner->shared().phase.load() != static_cast<int>(Phase::stop)) {
      std::fprintf(stderr, "loadgen: %s disconnected (error %d)\n", client->spec.jid.c_str(),
                   error);
    }
    client->owner->on_connection(*client, false);
  }
}

}  // namespace

// Where a relay operator writes: the bot, or in component mode its chat's own address.
const std::string& Operators::chat_address(Client& client) {
  if (m_settings.component.empty() || client.spec.role != Role::relay) return m_settings.bot;
  if (client.chat_address.empty()) {
    const auto chat = m_shared.chat_ids[static_cast<std::size_t>(client.spec.index)].load();
    if (chat == 0) return m_settings.bot;
    client.chat_address = std::to_string(chat) + "@" + m_settings.component;
  }
  return client.chat_address;
}

void Operators::send_due(Client& client, std::int64_t now) {
  xmpp_ctx_t* ctx = xmpp_conn_get_context(client.conn);
  const auto phase = static_cast<Phase>(m_shared.phase.load());
  const bool direct = client.spec.role == Role::direct;
  const auto& to = direct ? client.spec.peers.front() : chat_address(client);
  // A floor's message is shaped like the broker's (XmppSettings::bodies_only); an operator's
  // is a body, as it was.
  const auto id = [&] {
    return direct && !m_settings.bodies_only ? "floor-" + std::to_string(++m_stanzas)
                                             : std::string();
  };
  const auto accepts_start = m_shared.accepts_start_ns.load();
  if (client.spec.role == Role::relay && !client.accept_sent && accepts_start != 0 &&
      now >= accepts_start + client.spec.index * k_accept_gap_ns && now >= client.accept_retry_ns) {
    const auto chat = m_shared.chat_ids[static_cast<std::size_t>(client.spec.index)].load();
    if (chat != 0) {
      send_text(ctx, client.conn, m_settings.bot, "!ACCEPT " + std::to_string(chat));
      client.accept_sent = true;
    }
  }
  if (!client.chatting || client.spec.role == Role::notify || client.spec.role == Role::sink)
    return;
  // As a person would: write as soon as the chat is ours (scenario a counts this message).
  if (client.spec.role == Role::relay && !client.first_sent) {
    client.first_sent = true;
    m_shared.firsts_sent++;
    send_text(ctx, client.conn, to, timed_text(static_cast<int>(Phase::first), 0));
  }
  if (phase == Phase::steady) {
    const auto active = m_shared.steady_active_ns.load();
    const bool fast = direct && (client.spec.floods || !m_settings.a_shape);
    const auto interval = fast ? k_second_ns / m_settings.direct_rate : k_second_ns;
    if (client.next_offset_ns < 0) {
      // Spread the senders over the interval so that they do not all fire at once.
      client.next_offset_ns = (client.spec.index * 7919LL * 1'000'003LL) % interval;
    }
    // In a's shape A writes to its receivers in turn, as the broker writes to a's operators.
    const bool in_turn = direct && client.spec.floods && m_settings.a_shape;
    while (client.next_offset_ns < active && now >= m_shared.steady_at(client.next_offset_ns)) {
      const auto& peer =
          in_turn
              ? client.spec.peers[static_cast<std::size_t>(client.seq) % client.spec.peers.size()]
              : to;
      send_text(ctx, client.conn, peer, timed_text(static_cast<int>(Phase::steady), client.seq++),
                id());
      client.next_offset_ns += interval;
    }
  } else if (phase == Phase::round && client.spec.floods) {
    // Like the broker's notices of one new chat: one message to each, in one write.
    while (client.rounds_sent < m_shared.rounds_due.load()) {
      const auto text = timed_text(static_cast<int>(Phase::round), client.rounds_sent++);
      for (const auto& peer : client.spec.peers) send_text(ctx, client.conn, peer, text, id());
    }
  } else if (phase == Phase::burst && client.spec.floods &&
             client.bursts_sent < m_shared.bursts_called.load()) {
    client.bursts_sent++;
    for (int i = 0; i < m_settings.burst; ++i) {
      const auto& peer =
          direct ? client.spec.peers[static_cast<std::size_t>(i) % client.spec.peers.size()] : to;
      send_text(ctx, client.conn, peer, timed_text(static_cast<int>(Phase::burst), client.seq++),
                id());
    }
  }
}

void Operators::run() {
  xmpp_initialize();
  xmpp_ctx_t* ctx = xmpp_ctx_new(nullptr, nullptr);
  std::vector<std::unique_ptr<Client>> clients;
  for (const auto& spec : m_specs) {
    // At most k_logins_in_flight handshakes at once: ejabberd left some of 100 simultaneous
    // logins unfinished for over a minute (Prosody did not).
    const auto wait_until = monotonic_ns() + 10 * k_second_ns;
    while (static_cast<int>(clients.size()) - m_shared.operators_online.load() >=
               k_logins_in_flight &&
           monotonic_ns() < wait_until) {
      xmpp_run_once(ctx, 1);
    }
    auto client = std::make_unique<Client>();
    client->owner = this;
    client->spec = spec;
    client->conn = xmpp_conn_new(ctx);
    xmpp_conn_set_jid(client->conn, (spec.jid + "/bench").c_str());
    xmpp_conn_set_pass(client->conn, spec.password.c_str());
    xmpp_conn_set_flags(client->conn, XMPP_CONN_FLAG_MANDATORY_TLS | XMPP_CONN_FLAG_DISABLE_SM);
    xmpp_conn_set_sockopt_callback(client->conn, set_no_delay);
    if (!m_settings.ca_file.empty()) xmpp_conn_set_cafile(client->conn, m_settings.ca_file.c_str());
    if (xmpp_connect_client(client->conn, m_settings.host.c_str(), m_settings.port,
                            on_connection_event, client.get()) < 0) {
      std::fprintf(stderr, "loadgen: cannot connect %s\n", spec.jid.c_str());
      m_shared.errors++;
    }
    clients.push_back(std::move(client));
    xmpp_run_once(ctx, 0);  // start the handshakes while the rest are set up
  }

  while (m_shared.phase.load() != static_cast<int>(Phase::stop)) {
    const auto now = monotonic_ns();
    for (auto& client : clients) {
      if (client->online) send_due(*client, now);
    }
    // Queued stanzas are written at the start of the next run; a message wakes the select().
    xmpp_run_once(ctx, 1);
  }

  // Close the chats so that the operators are free for the next run, then log out.
  for (auto& client : clients) {
    if (client->online && client->chatting && client->spec.role == Role::relay) {
      send_text(ctx, client->conn, chat_address(*client), "!FINISH");
    }
  }
  const auto finish_deadline = monotonic_ns() + 500'000'000;
  while (monotonic_ns() < finish_deadline) xmpp_run_once(ctx, 10);
  for (auto& client : clients) {
    if (client->online) xmpp_disconnect(client->conn);
  }
  const auto deadline = monotonic_ns() + 3 * k_second_ns;
  while (monotonic_ns() < deadline &&
         std::any_of(clients.begin(), clients.end(), [](const auto& c) { return c->online; })) {
    xmpp_run_once(ctx, 10);
  }
  int retries = 0;
  for (auto& client : clients) retries += client->accept_retries;
  if (retries > 0)
    std::printf("!ACCEPT sent again %d times (chat not yet known to the broker)\n", retries);
  for (auto& client : clients) xmpp_conn_release(client->conn);
  xmpp_ctx_free(ctx);
  xmpp_shutdown();
}

}  // namespace seshat::bench
