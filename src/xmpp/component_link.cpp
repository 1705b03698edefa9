#include "xmpp/component_link.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "xmpp/component_address.hpp"
#include "xmpp/iq_policy.hpp"
#include "xmpp/message_parse.hpp"
#include "xmpp/presence_parse.hpp"
#include "xmpp/stanzas.hpp"
#include "xmpp/strophe_common.hpp"

namespace seshat::xmpp {
namespace {

constexpr std::size_t k_ended_remembered = 1024;

ComponentLink& link(void* self) {
  return *static_cast<ComponentLink*>(self);
}

// Every stanza of a component names its sender (the server checks it is of our domain).
StanzaPtr from(StanzaPtr stanza, const std::string& address) {
  xmpp_stanza_set_from(stanza.get(), address.c_str());
  return stanza;
}

}  // namespace

ComponentLink::ComponentLink(xmpp_ctx_t* ctx, const Settings& settings, Listener& listener,
                             const std::vector<std::string>& contacts, std::string server_domain)
    : m_ctx(ctx),
      m_settings(settings),
      m_listener(listener),
      m_contacts(contacts),
      m_server_domain(std::move(server_domain)),
      m_backoff(settings.min_backoff, settings.max_backoff) {
  m_conn = xmpp_conn_new(m_ctx);
  if (!m_conn) throw std::bad_alloc();
  // For a component, the JID is its domain and the password the shared secret (XEP-0114).
  xmpp_conn_set_jid(m_conn, settings.component.c_str());
  xmpp_conn_set_pass(m_conn, settings.component_secret.c_str());
  xmpp_conn_set_sockopt_callback(m_conn, remember_socket);
  xmpp_handler_add(m_conn, on_message_stanza, nullptr, "message", nullptr, this);
  xmpp_handler_add(m_conn, on_presence_stanza, nullptr, "presence", nullptr, this);
  xmpp_handler_add(m_conn, on_iq_stanza, nullptr, "iq", nullptr, this);
}

ComponentLink::~ComponentLink() {
  m_shutting_down = true;
  if (m_conn) xmpp_conn_release(m_conn);
}

// ---- connecting ----

void ComponentLink::connect() {
  (void)take_created_socket();
  const int result = xmpp_connect_component(m_conn, m_settings.component_host.c_str(),
                                            m_settings.component_port, on_connection_event, this);
  if (result < 0) {
    spdlog::warn("xmpp: component {}: cannot connect to {}:{} (libstrophe error {})",
                 m_settings.component, m_settings.component_host, m_settings.component_port,
                 result);
    schedule_retry();
    return;
  }
  m_socket = take_created_socket();
  give_stream_management_state();
}

void ComponentLink::give_stream_management_state() {
  // libstrophe 0.12 allocates a connection's stream-management state only in
  // xmpp_connect_client(), yet reads it for every stanza sent or received on any connection:
  // a component connection dereferences NULL at its first stanza. xmpp_connect_client()
  // allocates it before it finds the connection busy (state connecting: XMPP_EINVOP, nothing
  // else changed), and the state then lives as long as the connection. Stream management
  // itself stays off (a component stream has none).
  if (m_has_sm_state) return;
  const int busy = xmpp_connect_client(m_conn, "127.0.0.1", 1, nullptr, nullptr);
  m_has_sm_state = busy == XMPP_EINVOP;
  if (!m_has_sm_state) {
    spdlog::error("xmpp: component {}: libstrophe did not take the workaround (error {})",
                  m_settings.component, busy);
  }
}

void ComponentLink::schedule_retry() {
  if (m_shutting_down) return;
  const auto delay = m_backoff.next();
  spdlog::info("xmpp: component {}: reconnecting in {} ms", m_settings.component, delay.count());
  m_retry_at = Clock::now() + delay;
}

void ComponentLink::begin_shutdown() {
  if (m_shutting_down) return;
  m_shutting_down = true;
  m_retry_at.reset();
  if (m_up) xmpp_disconnect(m_conn);
}

void ComponentLink::run_timers(Clock::time_point now) {
  if (m_retry_at && now >= *m_retry_at) {
    m_retry_at.reset();
    connect();
  }
  if (!m_up) return;
  if (const auto oldest = m_tracker.oldest_pending(); oldest && now - *oldest > k_barrier_timeout) {
    spdlog::warn("xmpp: component {}: the server left a ping unanswered for {}s; reconnecting",
                 m_settings.component, k_barrier_timeout.count());
    m_tracker.clear();
    xmpp_disconnect(m_conn);
    return;
  }
  if (now - m_last_barrier >= k_keepalive && !m_tracker.oldest_pending())
    write_with_barrier({}, true);
}

int ComponentLink::socket() const {
  return m_socket >= 0 && !xmpp_conn_is_disconnected(m_conn) ? m_socket : -1;
}

short ComponentLink::poll_events() const {
  short events = POLLIN;
  if (xmpp_conn_is_connecting(m_conn) || unsent()) events |= POLLOUT;
  return events;
}

bool ComponentLink::unsent() const {
  return xmpp_conn_send_queue_len(m_conn) > 0;
}

std::optional<ComponentLink::Clock::time_point> ComponentLink::next_deadline() const {
  if (m_retry_at) return m_retry_at;
  if (m_up) return m_last_barrier + k_keepalive;
  return std::nullopt;
}

void ComponentLink::on_connection_event(xmpp_conn_t* /*conn*/, xmpp_conn_event_t event, int error,
                                        xmpp_stream_error_t* stream_error, void* self) {
  guarded("component connection event", [&] {
    if (event == XMPP_CONN_CONNECT) {
      link(self).handle_connected();
    } else if (event == XMPP_CONN_DISCONNECT || event == XMPP_CONN_FAIL) {
      link(self).handle_disconnected(error, stream_error);
    }
  });
}

void ComponentLink::handle_connected() {
  spdlog::info("xmpp: component {} connected to {}:{}", m_settings.component,
               m_settings.component_host, m_settings.component_port);
  if (m_shutting_down) {
    xmpp_disconnect(m_conn);
    return;
  }
  m_backoff.reset();
  m_up = true;
  m_last_barrier = Clock::now();
  m_listener.on_component_connected();
}

void ComponentLink::handle_disconnected(int error, const xmpp_stream_error_t* stream_error) {
  m_socket = -1;
  m_tracker.clear();
  m_introduced.clear();  // the next first message of each chat carries its nickname again
  auto reason = m_shutting_down ? std::string("stopped") : describe(error, stream_error);
  if (stream_error && stream_error->type == XMPP_SE_NOT_AUTHORIZED) {
    reason += " (the server refused component_secret for " + m_settings.component + ")";
  }
  if (m_up) {
    m_up = false;
    spdlog::warn("xmpp: component {} disconnected: {}", m_settings.component, reason);
    m_listener.on_component_disconnected(reason);
  } else if (!m_shutting_down) {
    spdlog::warn("xmpp: component {}: connection attempt failed: {}", m_settings.component, reason);
  }
  schedule_retry();
}

// ---- stanzas ----

int ComponentLink::on_message_stanza(xmpp_conn_t*, xmpp_stanza_t* stanza, void* self) {
  guarded("component message handler", [&] { link(self).handle_message(stanza); });
  return 1;
}

int ComponentLink::on_presence_stanza(xmpp_conn_t*, xmpp_stanza_t* stanza, void* self) {
  guarded("component presence handler", [&] { link(self).handle_presence(stanza); });
  return 1;
}

int ComponentLink::on_iq_stanza(xmpp_conn_t*, xmpp_stanza_t* stanza, void* self) {
  guarded("component iq handler", [&] { link(self).handle_iq(stanza); });
  return 1;
}

void ComponentLink::handle_message(xmpp_stanza_t* stanza) {
  if (settle_unrelayable(stanza, m_tracker, "component ")) return;
  const auto sender = attribute(stanza, "from");
  const auto to = attribute(stanza, "to");
  const auto window = chat_of_address(to, m_settings.component);
  if (!window) {
    spdlog::info("xmpp: message from {} to {} ignored: not a chat's address", sender, to);
    return;
  }
  auto message = parse_message(m_ctx, stanza);
  if (!message) return;
  message->window = *window;
  if (!message->nick.empty() && is_contact(core::split_jid(sender).bare)) {
    m_listener.on_name(sender, message->nick, core::NameSource::nick);
  }
  // Operator or not: the broker decides (strangers are ignored and logged there).
  m_listener.on_message(*message);
}

void ComponentLink::handle_presence(xmpp_stanza_t* stanza) {
  const auto sender = attribute(stanza, "from");
  const auto to = attribute(stanza, "to");
  const auto type = attribute(stanza, "type");
  const auto bare = core::split_jid(sender).bare;
  const auto chat = chat_of_address(to, m_settings.component);
  // Operators' availability is the account's business; here only what concerns a chat address.
  if (!chat || !is_contact(bare) || (type != "probe" && type != "subscribe")) {
    if (type == "subscribe" && !is_contact(bare)) {
      spdlog::info("xmpp: subscription request from {} to {} ignored: not an operator", bare, to);
    } else {
      spdlog::debug("xmpp: component presence '{}' from {} to {} ignored", type, sender, to);
    }
    return;
  }
  const auto address = chat_address(*chat, m_settings.component);
  if (type == "subscribe") {
    // The operator added the visitor as a contact: allowed, and told whether they are here.
    xmpp_send(m_conn, from(presence(m_ctx, "subscribed", bare), address).get());
  }
  send_chat_presence(*chat, bare);
}

void ComponentLink::send_chat_presence(core::ChatId chat, const std::string& to) {
  const auto address = chat_address(chat, m_settings.component);
  if (const auto name = m_listener.visitor_name(chat)) {
    auto stanza = from(presence(m_ctx, {}, to), address);
    if (!name->empty()) add_nick(m_ctx, stanza.get(), *name);
    xmpp_send(m_conn, stanza.get());
  } else {
    xmpp_send(m_conn, from(presence(m_ctx, "unavailable", to), address).get());
  }
}

void ComponentLink::handle_iq(xmpp_stanza_t* stanza) {
  const auto type = attribute(stanza, "type");
  if (type == "result" || type == "error") {
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
  const auto sender = attribute(stanza, "from");
  const auto to = attribute(stanza, "to");
  const char* payload_name = payload ? xmpp_stanza_get_name(payload) : nullptr;
  const char* payload_ns = payload ? xmpp_stanza_get_ns(payload) : nullptr;
  const char* node = payload ? xmpp_stanza_get_attribute(payload, "node") : nullptr;
  const IqRequest request{type, sender, payload_name ? payload_name : "",
                          payload_ns ? payload_ns : "", node ? node : ""};
  // The domain is the service; each chat's address stands for a visitor on the web.
  const bool to_chat = chat_of_address(to, m_settings.component).has_value();
  // No entity-capabilities node here, and no roster of our own: a roster push is never ours.
  auto answer = answer_iq(request, m_settings.component);
  if (answer == IqAnswer::empty_result && request.payload_ns == k_ns_roster) {
    answer = IqAnswer::service_unavailable;
  }
  // Answers come from the address asked, not the bare domain.
  const auto reply_from = to.empty() ? m_settings.component : to;
  switch (answer) {
    case IqAnswer::none:
      break;
    case IqAnswer::empty_result:
      xmpp_send(m_conn, from(iq_result(m_ctx, stanza), reply_from).get());
      break;
    case IqAnswer::disco_info: {
      static const std::vector<std::string> k_domain_features{k_ns_disco_info, k_ns_ping,
                                                              k_ns_version};
      static const std::vector<std::string> k_chat_features{
          k_ns_disco_info, k_ns_ping,    k_ns_version, k_ns_receipts, k_ns_markers,
          k_ns_chatstates, k_ns_correct, k_ns_sid,     k_ns_nick};
      auto answer_stanza =
          to_chat ? disco_info(m_ctx, stanza, k_chat_features, "client", "web")
                  : disco_info(m_ctx, stanza, k_domain_features, "component", "generic");
      xmpp_send(m_conn, from(std::move(answer_stanza), reply_from).get());
      break;
    }
    case IqAnswer::version:
      xmpp_send(
          m_conn,
          from(software_version(m_ctx, stanza, m_settings.software_version), reply_from).get());
      break;
    case IqAnswer::item_not_found:
      xmpp_send(m_conn, iq_error(stanza, "item-not-found").get());
      break;
    case IqAnswer::service_unavailable:
      xmpp_send(m_conn, iq_unsupported(stanza).get());
      break;
  }
}

bool ComponentLink::is_contact(std::string_view bare_jid) const {
  return std::find(m_contacts.begin(), m_contacts.end(), bare_jid) != m_contacts.end();
}

// ---- delivery ----

void ComponentLink::send(const std::vector<const Outgoing*>& messages) {
  if (!m_up) {
    spdlog::debug("xmpp: component not connected; {} messages not sent", messages.size());
    return;
  }
  std::string xml;
  std::vector<std::int64_t> ids;
  ids.reserve(messages.size());
  for (const auto* message : messages) {
    const auto id = message_stanza_id(message->id);
    const auto address = chat_address(message->chat, m_settings.component);
    // The first message of a chat to an operator introduces the visitor: their address is
    // present (a contact the client can show) and carries their name as its nickname.
    // A chat that ended (its last lines follow the end) is not introduced again.
    const bool introduce =
        message->kind == OutgoingKind::message && !m_ended.contains(message->chat) &&
        m_introduced.emplace(message->chat, core::split_jid(message->to).bare).second;
    if (introduce) {
      auto stanza = from(presence(m_ctx, {}, message->to), address);
      if (!message->nick.empty()) add_nick(m_ctx, stanza.get(), message->nick);
      append_xml(m_ctx, stanza.get(), xml);
    }
    if (message->kind == OutgoingKind::message) {
      append_chat_message(xml, message->to, message->body, id, address,
                          introduce ? std::string_view(message->nick) : std::string_view());
    } else {
      auto stanza = message->kind == OutgoingKind::received
                        ? receipt(m_ctx, message->to, message->ref, id)
                        : displayed(m_ctx, message->to, message->ref, id);
      append_xml(m_ctx, from(std::move(stanza), address).get(), xml);
    }
    ids.push_back(message->id);
  }
  m_tracker.written(ids, Clock::now());
  write_with_barrier(std::move(xml));
}

void ComponentLink::send_typing(const std::string& to, bool typing, core::ChatId chat) {
  if (!m_up) return;
  const auto id = "seshat-typing-" + std::to_string(++m_typing_sent);
  xmpp_send(
      m_conn,
      from(chat_state(m_ctx, to, typing, id), chat_address(chat, m_settings.component)).get());
}

void ComponentLink::chat_ended(core::ChatId chat, const std::vector<std::string>& operators) {
  m_ended.insert(chat);
  // Lines about it may still follow ("The chat is now closed."), but never for long: only the
  // latest ended chats are remembered.
  while (m_ended.size() > k_ended_remembered) m_ended.erase(m_ended.begin());
  std::set<std::string> told(operators.begin(), operators.end());
  for (auto entry = m_introduced.lower_bound({chat, std::string()});
       entry != m_introduced.end() && entry->first == chat;) {
    told.insert(entry->second);
    entry = m_introduced.erase(entry);
  }
  if (!m_up) return;
  for (const auto& jid : told) send_chat_presence(chat, jid);
}

void ComponentLink::write_with_barrier(std::string xml, bool keepalive) {
  const auto now = Clock::now();
  if (const auto barrier_id = m_tracker.barrier(now, keepalive)) {
    m_last_barrier = now;
    append_xml(m_ctx, from(ping(m_ctx, m_server_domain, *barrier_id), m_settings.component).get(),
               xml);
  }
  if (!xml.empty()) xmpp_send_raw(m_conn, xml.data(), xml.size());
}

}  // namespace seshat::xmpp
