#include "xmpp/strophe_session.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <array>

#include "xmpp/iq_policy.hpp"
#include "xmpp/message_parse.hpp"
#include "xmpp/presence_parse.hpp"
#include "xmpp/stanzas.hpp"
#include "xmpp/strophe_common.hpp"
#include "xmpp/tls_settings.hpp"

namespace seshat::xmpp {
namespace {

using namespace std::chrono_literals;

constexpr int k_passes = 4;         // xmpp_run_once passes per wake: 4 x 4 KiB drains a TLS record
constexpr int k_pass_read = 4096;   // what one pass reads at most (libstrophe's read buffer)
constexpr auto k_max_idle = 200ms;  // bounds libstrophe's own timers (disconnect grace)
constexpr auto k_shutdown_grace = 3s;  // for the server to close the stream at stop()
constexpr const char* k_stopped = "stopped";
constexpr const char* k_caps_node = "urn:seshat";  // XEP-0115: names the software

std::string domain_of(std::string_view jid) {
  const auto at = jid.find('@');
  auto domain = at == std::string_view::npos ? jid : jid.substr(at + 1);
  return std::string(domain.substr(0, domain.find('/')));
}

StropheSession& session(void* self) {
  return *static_cast<StropheSession*>(self);
}

}  // namespace

StropheSession::StropheSession(const Settings& settings, Listener& listener, TaskQueue& tasks,
                               std::atomic<std::uint64_t>& reconnects)
    : m_settings(settings),
      m_listener(listener),
      m_tasks(tasks),
      m_reconnects(reconnects),
      m_domain(domain_of(settings.jid)),
      m_log(settings.password),
      m_backoff(settings.min_backoff, settings.max_backoff) {
  for (const auto& contact : settings.contacts) m_contacts.push_back(core::split_jid(contact).bare);
  initialize_libstrophe_once();
  m_ctx = xmpp_ctx_new(nullptr, m_log.get());
  m_conn = xmpp_conn_new(m_ctx);
  if (!m_ctx || !m_conn) throw std::bad_alloc();
  // A fixed resource: the same full JID after every reconnect and restart (clients show it).
  const auto jid =
      settings.resource.empty() ? settings.jid : settings.jid + "/" + settings.resource;
  xmpp_conn_set_jid(m_conn, jid.c_str());
  xmpp_conn_set_pass(m_conn, settings.password.c_str());
  apply_tls_settings(m_conn, settings);
  xmpp_conn_set_sockopt_callback(m_conn, remember_socket);
  // User handlers survive reconnects (libstrophe only drops its own on reset).
  xmpp_handler_add(m_conn, on_message_stanza, nullptr, "message", nullptr, this);
  xmpp_handler_add(m_conn, on_presence_stanza, nullptr, "presence", nullptr, this);
  xmpp_handler_add(m_conn, on_iq_stanza, nullptr, "iq", nullptr, this);
  if (!settings.component.empty()) {
    m_component = std::make_unique<ComponentLink>(m_ctx, settings, listener, m_contacts, m_domain);
  }
}

StropheSession::~StropheSession() {
  m_shutting_down = true;
  m_component.reset();  // its connection lives in m_ctx
  // Closes a live socket, which calls on_connection_event(DISCONNECT) one last time.
  if (m_conn) xmpp_conn_release(m_conn);
  if (m_ctx) xmpp_ctx_free(m_ctx);
}

// ---- the loop ----

void StropheSession::run() {
  m_tasks.run_on_this_thread();
  auto turn = m_tasks.take_turn();  // let go of only while the loop waits
  connect();
  if (m_component) m_component->connect();
  while (true) {
    // libstrophe's own lines are a protocol trace (debug) and the reasons a connection could
    // not be made; while every connection is up, a disconnection is logged from its callback.
    m_log.set_silent(!spdlog::should_log(spdlog::level::debug) && m_session_up &&
                     (!m_component || m_component->up()));
    run_tasks();
    auto now = Clock::now();
    if (finished(now)) return;
    run_timers(now);
    read_passes();
    // What this turn posted to itself (the broker's round end, after the stanzas just read) runs
    // now and what it queued is written now, rather than after another wake-up and poll.
    run_tasks();
    if (unsent()) xmpp_run_once(m_ctx, 0);
    now = Clock::now();
    if (finished(now)) return;
    wait_for_events(now, turn);
  }
}

// One pass when only posted tasks woke the loop: it still drains what TLS holds (4 KiB). After
// the sockets woke it, passes until they are empty and TLS can hold nothing either: OpenSSL
// takes a record at a time from the socket and gives its text out 4 KiB a pass, so once the
// passes could have given out all the bytes they took, nothing is left (a record that arrived
// split is read at the look 1 ms later). After a time out, the socket is empty and TLS may hold
// up to a whole record: every pass.
void StropheSession::read_passes() {
  if (!m_sockets_woke) {
    xmpp_run_once(m_ctx, 0);
    return;
  }
  int waiting = m_timed_out ? -1 : unread();
  long taken = 0;
  for (int pass = 1; pass <= k_passes; ++pass) {
    xmpp_run_once(m_ctx, 0);
    if (waiting < 0) continue;
    const int left = unread();
    if (left < 0) {
      waiting = -1;
      continue;
    }
    taken += std::max(0, waiting - left);
    if (left == 0 && taken <= long{k_pass_read} * pass) return;
    waiting = left;
  }
}

// Bytes the XMPP sockets hold unread; -1 if the kernel would not say.
int StropheSession::unread() const {
  int total = 0;
  for (const int fd : {m_socket, m_component ? m_component->socket() : -1}) {
    int bytes = 0;
    if (fd < 0) continue;
    if (::ioctl(fd, FIONREAD, &bytes) != 0) return -1;
    total += bytes;
  }
  return total;
}

bool StropheSession::turn_here(const std::function<void()>& task) {
  guarded("task run in the loop's place", task);
  // A pass reads only what the sockets have: when they have nothing, it leaves nothing in TLS
  // that the loop's poll() would not see, and the loop sleeps on.
  bool read = false;
  const auto pass = [&] {
    if (!unsent()) return;
    read = read || readable();
    xmpp_run_once(m_ctx, 0);
  };
  pass();
  // Until nothing is left: a round begun here (by the task, or a stanza the pass read) ends
  // here, as a store batch is begun and ended on one thread.
  while (m_tasks.has_tasks()) {
    run_tasks();
    pass();
  }
  return read || unsent();
}

bool StropheSession::readable() const {
  std::array<pollfd, 2> fds{};
  nfds_t count = 0;
  if (m_socket >= 0) fds[count++] = {m_socket, POLLIN, 0};
  if (m_component && m_component->socket() >= 0) fds[count++] = {m_component->socket(), POLLIN, 0};
  return count > 0 && ::poll(fds.data(), count, 0) != 0;
}

bool StropheSession::unsent() const {
  return (m_conn != nullptr && xmpp_conn_send_queue_len(m_conn) > 0) ||
         (m_component && m_component->unsent());
}

void StropheSession::run_tasks() {
  for (auto& task : m_tasks.take_all()) guarded("posted task", task);
}

void StropheSession::run_timers(Clock::time_point now) {
  if (m_retry_at && now >= *m_retry_at) {
    m_retry_at.reset();
    connect();
  }
  if (m_component) m_component->run_timers(now);
  if (!m_session_up) return;
  if (const auto oldest = m_tracker.oldest_pending(); oldest && now - *oldest > k_barrier_timeout) {
    spdlog::warn("xmpp: the server left a ping unanswered for {}s; reconnecting",
                 std::chrono::duration_cast<std::chrono::seconds>(k_barrier_timeout).count());
    m_tracker.clear();
    xmpp_disconnect(m_conn);  // DISCONNECT follows within libstrophe's 2 s grace
    return;
  }
  if (now - m_last_barrier >= k_keepalive && !m_tracker.oldest_pending())
    write_with_barrier({}, true);
}

void StropheSession::wait_for_events(Clock::time_point now, std::unique_lock<std::mutex>& turn) {
  if (m_tasks.has_tasks()) {  // posted by this thread (no eventfd): run them first
    m_sockets_woke = true;    // and read whatever came meanwhile, as after a wait
    m_timed_out = false;
    return;
  }
  std::array<pollfd, 3> fds{};
  fds[0] = {m_tasks.wake_fd(), POLLIN, 0};
  nfds_t count = 1;
  if (m_socket >= 0 && !xmpp_conn_is_disconnected(m_conn)) {
    short events = POLLIN;
    if (xmpp_conn_is_connecting(m_conn) || xmpp_conn_send_queue_len(m_conn) > 0) {
      events |= POLLOUT;
    }
    fds[count++] = {m_socket, events, 0};
  }
  if (m_component && m_component->socket() >= 0) {
    fds[count++] = {m_component->socket(), m_component->poll_events(), 0};
  }
  for (nfds_t i = 1; i < count; ++i) ack_promptly(fds[i].fd);
  auto timeout = m_idle;
  const auto until = [&](Clock::time_point deadline) {
    timeout =
        std::clamp(std::chrono::ceil<std::chrono::milliseconds>(deadline - now), 0ms, timeout);
  };
  if (m_retry_at) until(*m_retry_at);
  if (m_shutting_down) until(m_shutdown_deadline);
  if (m_session_up) until(m_last_barrier + k_keepalive);
  if (m_component) {
    if (const auto deadline = m_component->next_deadline()) until(*deadline);
  }

  // Another thread may run a task in the loop's place meanwhile (TaskQueue::run_here); it
  // writes the eventfd when done, and this poll() returns to look after what it left.
  if (!m_tasks.rest(turn, m_timed_out)) {
    m_sockets_woke = true;
    m_timed_out = false;
    return;
  }
  const int ready = ::poll(fds.data(), count, static_cast<int>(timeout.count()));
  m_tasks.end_rest(turn);
  // A time out reads too: TLS may hold bytes already taken from the socket (poll cannot see
  // them), and after activity the wait is 1 ms.
  m_timed_out = ready == 0;
  m_sockets_woke = ready <= 0 || std::any_of(fds.begin() + 1, fds.begin() + count,
                                             [](const pollfd& fd) { return fd.revents != 0; });
  // Activity: look again soon for what poll() cannot see. Quiet: back off towards k_max_idle.
  m_idle = ready > 0 ? 1ms : std::min<std::chrono::milliseconds>(m_idle * 2, k_max_idle);
}

bool StropheSession::finished(Clock::time_point now) const {
  return m_shutting_down &&
         ((!m_session_up && !component_connected()) || now >= m_shutdown_deadline);
}

// ---- connecting ----

void StropheSession::connect() {
  if (m_settings.may_connect && !m_settings.may_connect()) {
    spdlog::warn("xmpp: not connecting: this broker is not the leader");
    schedule_retry();
    return;
  }
  if (m_attempts++ > 0) ++m_reconnects;
  (void)take_created_socket();
  const char* host = m_settings.host.empty() ? nullptr : m_settings.host.c_str();
  const int result = xmpp_connect_client(m_conn, host, m_settings.port, on_connection_event, this);
  if (result < 0) {
    spdlog::warn("xmpp: cannot connect to {}:{} (libstrophe error {})",
                 host ? host : m_domain.c_str(), m_settings.port, result);
    schedule_retry();
    return;
  }
  m_socket = take_created_socket();
}

void StropheSession::schedule_retry() {
  if (m_shutting_down) return;
  const auto delay = m_backoff.next();
  spdlog::info("xmpp: reconnecting in {} ms", delay.count());
  m_retry_at = Clock::now() + delay;
}

void StropheSession::begin_shutdown() {
  if (m_shutting_down) return;
  m_shutting_down = true;
  m_retry_at.reset();
  m_shutdown_deadline = Clock::now() + k_shutdown_grace;
  if (m_component) m_component->begin_shutdown();
  if (m_session_up) {
    xmpp_send(m_conn, presence(m_ctx, "unavailable").get());
    xmpp_disconnect(m_conn);
  }
}

void StropheSession::on_connection_event(xmpp_conn_t* /*conn*/, xmpp_conn_event_t event, int error,
                                         xmpp_stream_error_t* stream_error, void* self) {
  guarded("connection event", [&] {
    if (event == XMPP_CONN_CONNECT) {
      session(self).handle_connected();
    } else if (event == XMPP_CONN_DISCONNECT || event == XMPP_CONN_FAIL) {
      session(self).handle_disconnected(error, stream_error);
    }
  });
}

void StropheSession::handle_connected() {
  const char* bound = xmpp_conn_get_bound_jid(m_conn);
  m_bound_jid = bound ? bound : m_settings.jid;
  spdlog::info("xmpp: session established as {} ({})", m_bound_jid,
               xmpp_conn_is_secured(m_conn) ? "TLS" : "no TLS");
  if (m_shutting_down) {  // stop() came while connecting: no session to announce
    xmpp_disconnect(m_conn);
    return;
  }
  m_backoff.reset();
  m_session_up = true;
  m_last_barrier = Clock::now();
  // With XEP-0115 capabilities, clients know what the bot supports without asking.
  xmpp_send(m_conn, presence_with_caps(m_ctx, k_caps_node, caps_ver()).get());
  // Asking again is harmless when already subscribed: the server answers nothing.
  for (const auto& contact : m_contacts) {
    xmpp_send(m_conn, presence(m_ctx, "subscribe", contact).get());
  }
  m_listener.on_connected();
}

void StropheSession::handle_disconnected(int error, const xmpp_stream_error_t* stream_error) {
  m_socket = -1;
  m_tracker.clear();
  // vCard requests that got no answer are asked again after the reconnect.
  for (const auto& [id, contact] : m_vcard_requests) m_vcard_asked.erase(contact);
  m_vcard_requests.clear();
  const auto reason = m_shutting_down ? std::string(k_stopped) : describe(error, stream_error);
  if (m_session_up) {
    m_session_up = false;
    spdlog::warn("xmpp: disconnected: {}", reason);
    m_listener.on_disconnected(reason);
  } else if (!m_shutting_down) {
    spdlog::warn("xmpp: connection attempt failed: {}", reason);
  }
  schedule_retry();
}

// ---- stanzas ----

int StropheSession::on_message_stanza(xmpp_conn_t*, xmpp_stanza_t* stanza, void* self) {
  guarded("message handler", [&] { session(self).handle_message(stanza); });
  return 1;  // keep the handler
}

int StropheSession::on_presence_stanza(xmpp_conn_t*, xmpp_stanza_t* stanza, void* self) {
  guarded("presence handler", [&] { session(self).handle_presence(stanza); });
  return 1;
}

int StropheSession::on_iq_stanza(xmpp_conn_t*, xmpp_stanza_t* stanza, void* self) {
  guarded("iq handler", [&] { session(self).handle_iq(stanza); });
  return 1;
}

void StropheSession::handle_message(xmpp_stanza_t* stanza) {
  if (settle_unrelayable(stanza, m_tracker, "")) return;
  const auto from = attribute(stanza, "from");
  // Receipts, markers, OMEMO key exchanges and server notices carry nothing to relay.
  auto message = parse_message(m_ctx, stanza);
  if (!message) return;
  if (!message->nick.empty() && is_contact(core::split_jid(from).bare)) {
    m_listener.on_name(from, message->nick, core::NameSource::nick);
  }
  m_listener.on_message(*message);
}

void StropheSession::handle_presence(xmpp_stanza_t* stanza) {
  const auto from = attribute(stanza, "from");
  if (from.empty() || from == m_bound_jid) return;  // our own presence, reflected
  const auto type = attribute(stanza, "type");
  const auto parsed = parse_presence(type, child_text(m_ctx, stanza, "show"),
                                     child_text(m_ctx, stanza, "priority"));
  switch (parsed.kind) {
    case PresenceKind::availability: {
      const auto bare = core::split_jid(from).bare;
      if (parsed.show != core::Show::unavailable && is_contact(bare)) {
        if (const auto nick = nick_of(m_ctx, stanza); !nick.empty()) {
          m_listener.on_name(from, nick, core::NameSource::nick);
        }
        ask_vcard(bare);
      }
      m_listener.on_presence(from, parsed.show, parsed.priority);
      break;
    }
    case PresenceKind::subscribe_request: {
      const auto bare = core::split_jid(from).bare;
      if (is_contact(bare)) {
        spdlog::info("xmpp: approving the subscription of operator {}", bare);
        xmpp_send(m_conn, presence(m_ctx, "subscribed", bare).get());
      } else {
        spdlog::info("xmpp: subscription request from {} ignored: not an operator", bare);
      }
      break;
    }
    case PresenceKind::other:
      spdlog::debug("xmpp: presence type '{}' from {} ignored", type, from);
      break;
  }
}

void StropheSession::handle_iq(xmpp_stanza_t* stanza) {
  const auto type = attribute(stanza, "type");
  if (type == "result" || type == "error") {
    if (const auto asked = m_vcard_requests.find(attribute(stanza, "id"));
        asked != m_vcard_requests.end()) {
      const auto contact = asked->second;
      m_vcard_requests.erase(asked);
      if (type == "result") {
        if (const auto name = vcard_name(m_ctx, stanza); !name.empty()) {
          m_listener.on_name(contact, name, core::NameSource::vcard);
        }
      }
      return;
    }
    // An error answer is a barrier too: the server processed the ping after the messages.
    if (auto report = m_tracker.complete(attribute(stanza, "id"))) {
      write_with_barrier({});  // for what was written while it was on its way
      if (!report->delivered.empty() || !report->bounced.empty()) {
        m_listener.on_delivered(std::move(report->delivered), std::move(report->bounced));
      }
    }
    return;
  }
  auto* payload = xmpp_stanza_get_children(stanza);
  while (payload != nullptr && !xmpp_stanza_is_tag(payload))
    payload = xmpp_stanza_get_next(payload);
  const auto from = attribute(stanza, "from");
  const char* payload_name = payload ? xmpp_stanza_get_name(payload) : nullptr;
  const char* payload_ns = payload ? xmpp_stanza_get_ns(payload) : nullptr;
  const char* node = payload ? xmpp_stanza_get_attribute(payload, "node") : nullptr;
  const IqRequest request{type, from, payload_name ? payload_name : "",
                          payload_ns ? payload_ns : "", node ? node : ""};
  switch (answer_iq(request, m_settings.jid, caps_node())) {
    case IqAnswer::none:
      if (type == "set" || type == "get") spdlog::info("xmpp: iq {} from {} ignored", type, from);
      break;
    case IqAnswer::empty_result:
      xmpp_send(m_conn, iq_result(m_ctx, stanza).get());
      break;
    case IqAnswer::disco_info:
      xmpp_send(m_conn, disco_info(m_ctx, stanza, supported_features()).get());
      break;
    case IqAnswer::version:
      xmpp_send(m_conn, software_version(m_ctx, stanza, m_settings.software_version).get());
      break;
    case IqAnswer::item_not_found:
      xmpp_send(m_conn, iq_error(stanza, "item-not-found").get());
      break;
    case IqAnswer::service_unavailable:
      xmpp_send(m_conn, iq_unsupported(stanza).get());
      break;
  }
}

const std::vector<std::string>& StropheSession::supported_features() {
  // Only what the bot really does (XEP-0030: a feature listed is a promise).
  static const std::vector<std::string> features{
      k_ns_disco_info, k_ns_ping,    k_ns_version, k_ns_receipts, k_ns_markers,
      k_ns_chatstates, k_ns_correct, k_ns_sid,     k_ns_nick,
  };
  return features;
}

const std::string& StropheSession::caps_ver() {
  if (m_caps_ver.empty()) {
    m_caps_ver = caps_verification(m_ctx, "client", "bot", "Seshat", supported_features());
  }
  return m_caps_ver;
}

std::string StropheSession::caps_node() {
  return std::string(k_caps_node) + "#" + caps_ver();
}

void StropheSession::ask_vcard(const std::string& bare_jid) {
  // Once per contact and process: a name rarely changes, and a nickname wins anyway.
  if (!m_vcard_asked.insert(bare_jid).second) return;
  const auto id = "vcard-" + std::to_string(m_vcard_asked.size());
  m_vcard_requests.emplace(id, bare_jid);
  xmpp_send(m_conn, vcard_request(m_ctx, bare_jid, id).get());
}

bool StropheSession::is_contact(std::string_view bare_jid) const {
  return std::find(m_contacts.begin(), m_contacts.end(), bare_jid) != m_contacts.end();
}

// ---- delivery ----

void StropheSession::send(std::vector<Outgoing> messages) {
  if (m_component) {
    // Component mode: what is about a chat goes from the chat's own address.
    std::vector<const Outgoing*> chats;
    for (const auto& message : messages) {
      if (message.chat != 0) chats.push_back(&message);
    }
    if (!chats.empty()) m_component->send(chats);
    std::erase_if(messages, [](const Outgoing& message) { return message.chat != 0; });
    if (messages.empty()) return;
  }
  if (!m_session_up) {
    spdlog::debug("xmpp: not connected; {} messages not sent", messages.size());
    return;
  }
  // The batch and its barrier in one write: one TLS record and one TCP segment rather than one
  // of each per stanza, for us and for the server.
  std::string xml;
  std::vector<std::int64_t> ids;
  ids.reserve(messages.size());
  for (const auto& message : messages) {
    const auto id = message_stanza_id(message.id);
    switch (message.kind) {
      case OutgoingKind::message:
        append_chat_message(xml, message.to, message.body, id);
        break;
      case OutgoingKind::received:
        append_xml(m_ctx, receipt(m_ctx, message.to, message.ref, id).get(), xml);
        break;
      case OutgoingKind::displayed:
        append_xml(m_ctx, displayed(m_ctx, message.to, message.ref, id).get(), xml);
        break;
    }
    ids.push_back(message.id);
  }
  m_tracker.written(ids, Clock::now());
  write_with_barrier(std::move(xml));
}

void StropheSession::send_typing(const std::string& to, bool typing, core::ChatId chat) {
  if (m_component && chat != 0) {
    m_component->send_typing(to, typing, chat);
    return;
  }
  if (!m_session_up) return;
  const auto id = "seshat-typing-" + std::to_string(++m_typing_sent);
  xmpp_send(m_conn, chat_state(m_ctx, to, typing, id).get());
}

void StropheSession::chat_ended(core::ChatId chat, const std::vector<std::string>& operators) {
  if (m_component) m_component->chat_ended(chat, operators);
}

void StropheSession::write_with_barrier(std::string xml, bool keepalive) {
  const auto now = Clock::now();
  if (const auto barrier_id = m_tracker.barrier(now, keepalive)) {
    m_last_barrier = now;
    append_xml(m_ctx, ping(m_ctx, m_domain, *barrier_id).get(), xml);
  }
  if (!xml.empty()) xmpp_send_raw(m_conn, xml.data(), xml.size());
}

}  // namespace seshat::xmpp
