#pragma once
// Component mode's second stream: an XEP-0114 external component (`jabber:component:accept`)
// for the domain `Settings::component`, so that chat N talks to operators from N@component and
// each visitor is a conversation of its own in the operator's client.
//
// It lives beside the account's connection in the same libstrophe context, on the XMPP thread
// (StropheSession owns it, polls its socket and runs its timers); libstrophe is not thread-safe,
// so there is one context and one thread for both streams.
//
// Delivery works as on the account's stream: messages and then an XEP-0199 ping from the
// component's domain to the server's domain, in one write. The server handles the stream in
// order, so the ping's answer (result or error) confirms every message before it, minus those
// bounced with <message type="error">; nothing written on a stream that was lost is reported,
// and the caller sends it again (same ids) after on_component_connected().
//
// Inbound: a message to N@component becomes IncomingMessage{window = N}; presence probes and
// subscription requests of operators for N@component are answered (present with the visitor's
// nickname while chat N is live); disco#info, ping and version are answered for the domain and
// each chat address. Operators' own presence is learnt by the account only.

#include <strophe.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "xmpp/backoff.hpp"
#include "xmpp/connection.hpp"
#include "xmpp/delivery_tracker.hpp"

namespace seshat::xmpp {

class ComponentLink {
 public:
  using Clock = std::chrono::steady_clock;

  // `ctx`, `settings`, `listener`, `contacts` (lower-cased bare JIDs) must outlive the link.
  // `server_domain`: where barrier pings go (the account's domain, served by the same server).
  ComponentLink(xmpp_ctx_t* ctx, const Settings& settings, Listener& listener,
                const std::vector<std::string>& contacts, std::string server_domain);
  ~ComponentLink();  // closes the socket; reports on_component_disconnected() if it was up
  ComponentLink(const ComponentLink&) = delete;
  ComponentLink& operator=(const ComponentLink&) = delete;

  void connect();
  void begin_shutdown();  // </stream>, no reconnect after this
  void run_timers(Clock::time_point now);

  // For the loop's poll(): the socket (-1 while none), the events to wait for, the next
  // deadline of ours.
  [[nodiscard]] int socket() const;
  [[nodiscard]] short poll_events() const;
  [[nodiscard]] bool unsent() const;  // stanzas queued and not yet written
  [[nodiscard]] std::optional<Clock::time_point> next_deadline() const;

  [[nodiscard]] bool up() const { return m_up; }

  // Each message from chat_address(message.chat), then a barrier. Nothing while down.
  void send(const std::vector<const Outgoing*>& messages);
  void send_typing(const std::string& to, bool typing, core::ChatId chat);
  // Chat `chat` ended: its address goes offline for every operator it was introduced to and
  // for `operators` (bare JIDs), and is not introduced again.
  void chat_ended(core::ChatId chat, const std::vector<std::string>& operators);

 private:
  static void on_connection_event(xmpp_conn_t* conn, xmpp_conn_event_t event, int error,
                                  xmpp_stream_error_t* stream_error, void* self);
  static int on_message_stanza(xmpp_conn_t* conn, xmpp_stanza_t* stanza, void* self);
  static int on_presence_stanza(xmpp_conn_t* conn, xmpp_stanza_t* stanza, void* self);
  static int on_iq_stanza(xmpp_conn_t* conn, xmpp_stanza_t* stanza, void* self);

  void handle_connected();
  void handle_disconnected(int error, const xmpp_stream_error_t* stream_error);
  void handle_message(xmpp_stanza_t* stanza);
  void handle_presence(xmpp_stanza_t* stanza);
  void handle_iq(xmpp_stanza_t* stanza);

  void schedule_retry();
  void give_stream_management_state();  // see the .cpp: a libstrophe 0.12 NULL dereference
  void write_with_barrier(std::string xml, bool keepalive = false);  // as StropheSession's
  // Presence of chat `chat`'s address to `to`: present with the visitor's nickname while the
  // chat is live, else unavailable.
  void send_chat_presence(core::ChatId chat, const std::string& to);
  [[nodiscard]] bool is_contact(std::string_view bare_jid) const;

  xmpp_ctx_t* m_ctx;
  const Settings& m_settings;
  Listener& m_listener;
  const std::vector<std::string>& m_contacts;
  std::string m_server_domain;
  xmpp_conn_t* m_conn = nullptr;
  int m_socket = -1;
  bool m_up = false;
  bool m_shutting_down = false;
  bool m_has_sm_state = false;
  Backoff m_backoff;
  DeliveryTracker m_tracker;
  std::optional<Clock::time_point> m_retry_at;
  Clock::time_point m_last_barrier{};
  // (chat, operator) pairs whose conversation got the chat's presence and nickname on this
  // stream: the first message of a chat to an operator carries them, later ones do not.
  std::set<std::pair<core::ChatId, std::string>> m_introduced;
  std::set<core::ChatId> m_ended;  // chats that ended lately: not introduced again
  std::uint64_t m_typing_sent = 0;
};

}  // namespace seshat::xmpp
