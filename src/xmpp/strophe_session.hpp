#pragma once
// Everything that touches libstrophe: the context and connection, the stanza handlers, the
// reconnect schedule, delivery barriers, and the event loop that drives them.
//
// Created, run and destroyed on the XMPP thread; used by one thread at a time: that one, or one
// that runs a task in its place while it waits (see connection.hpp for the model).
//
// The loop: poll() waits on the task queue's eventfd and on libstrophe's socket (captured by the
// socket-option callback when libstrophe creates it), with a timeout no later than the next
// deadline of ours (retry, keepalive, shutdown). After each wake it runs the posted tasks and
// xmpp_run_once(ctx, 0) passes: each pass writes what is queued, reads at most 4 KiB and fires
// handlers; after the sockets woke it, passes until they are empty and OpenSSL can hold nothing
// either (read_passes, at most four), so a stanza's round does not wait for empty passes. Then
// it runs what those posted (the broker's round end) and writes what that queued, so a relay
// costs no second wake and poll; it waits only when no task is left (see TaskQueue). While
// nothing happens the poll timeout grows from 1 ms to k_max_idle, which covers the little that
// poll() cannot see (stanzas libstrophe queued for itself in the last pass, TLS bytes left in
// OpenSSL). The loop holds the task queue's turn except inside poll(); there another thread may
// take a turn in its place (turn_here, TaskQueue::run_here), and wakes it when done.

#include <strophe.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "xmpp/backoff.hpp"
#include "xmpp/component_link.hpp"
#include "xmpp/connection.hpp"
#include "xmpp/delivery_tracker.hpp"
#include "xmpp/strophe_log.hpp"
#include "xmpp/task_queue.hpp"

namespace seshat::xmpp {

class StropheSession {
 public:
  using Clock = std::chrono::steady_clock;

  // `settings`, `listener`, `tasks` and `reconnects` must outlive the session.
  StropheSession(const Settings& settings, Listener& listener, TaskQueue& tasks,
                 std::atomic<std::uint64_t>& reconnects);
  ~StropheSession();  // closes the socket; reports on_disconnected() if a session was up
  StropheSession(const StropheSession&) = delete;
  StropheSession& operator=(const StropheSession&) = delete;

  // Connects and runs until a task calls begin_shutdown() and the server closed the stream (or
  // k_shutdown_grace passed).
  void run();
  // Unavailable presence and </stream>; no reconnect after this.
  void begin_shutdown();
  // A turn of the loop on another thread, in its place (TaskQueue::run_here): `task`, a pass
  // that writes what it queued (and reads, as every pass does), and what they posted. True if
  // the loop must look after it: a pass read, or something is left unwritten.
  [[nodiscard]] bool turn_here(const std::function<void()>& task);

  // Messages about a chat go over the component's stream in component mode (see Connection).
  void send(std::vector<Outgoing> messages);
  void send_typing(const std::string& to, bool typing, core::ChatId chat);
  void chat_ended(core::ChatId chat, const std::vector<std::string>& operators);
  [[nodiscard]] bool connected() const { return m_session_up; }
  [[nodiscard]] bool component_connected() const { return m_component && m_component->up(); }

 private:
  // libstrophe callbacks; `self` is the session.
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

  void connect();
  void schedule_retry();
  void run_tasks();
  void run_timers(Clock::time_point now);
  // Writes `xml` (stanzas the tracker was told of), with a ping barrier after it when one is
  // due (DeliveryTracker::barrier), in one write.
  void write_with_barrier(std::string xml, bool keepalive = false);
  void wait_for_events(Clock::time_point now, std::unique_lock<std::mutex>& turn);
  [[nodiscard]] bool unsent() const;    // stanzas queued on either stream, not yet written
  [[nodiscard]] bool readable() const;  // bytes wait on either stream's socket
  void read_passes();                   // libstrophe's passes after a wake
  [[nodiscard]] int unread() const;     // bytes the sockets hold, -1 if unknown
  [[nodiscard]] bool finished(Clock::time_point now) const;
  [[nodiscard]] bool is_contact(std::string_view jid) const;
  void ask_vcard(const std::string& bare_jid);
  [[nodiscard]] const std::string& caps_ver();  // XEP-0115, computed once
  [[nodiscard]] std::string caps_node();        // "node#ver"

  [[nodiscard]] static const std::vector<std::string>& supported_features();

  const Settings& m_settings;
  Listener& m_listener;
  TaskQueue& m_tasks;
  std::atomic<std::uint64_t>& m_reconnects;
  std::string m_domain;                 // of the bot's JID: where pings go
  std::vector<std::string> m_contacts;  // lower-cased bare JIDs
  StropheLog m_log;                     // must outlive m_ctx
  xmpp_ctx_t* m_ctx = nullptr;
  xmpp_conn_t* m_conn = nullptr;

  int m_socket = -1;  // libstrophe's current socket, -1 while disconnected
  bool m_session_up = false;
  bool m_shutting_down = false;
  std::uint64_t m_attempts = 0;
  std::string m_bound_jid;
  Backoff m_backoff;
  DeliveryTracker m_tracker;
  std::optional<Clock::time_point> m_retry_at;
  Clock::time_point m_shutdown_deadline{};
  Clock::time_point m_last_barrier{};
  std::chrono::milliseconds m_idle{1};
  // Whether the last wait ended for the XMPP sockets (or its time): only the posted tasks woke
  // the loop otherwise, and more than one of libstrophe's reading passes would find nothing.
  bool m_sockets_woke = true;
  bool m_timed_out = false;             // the last wait ended with no event (TaskQueue::rest)
  std::set<std::string> m_vcard_asked;  // contacts whose vCard was asked for
  std::map<std::string, std::string> m_vcard_requests;  // IQ id -> contact, until answered
  std::uint64_t m_typing_sent = 0;
  std::string m_caps_ver;                      // ids of chat states
  std::unique_ptr<ComponentLink> m_component;  // component mode only; uses m_ctx
};

}  // namespace seshat::xmpp
