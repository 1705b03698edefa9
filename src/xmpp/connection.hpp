#pragma once
// The broker's XMPP connection: one account, logged in with libstrophe, kept connected forever.
//
// Thread model: libstrophe is not thread-safe at all, so its context and connection are used by
// one thread at a time: the "XMPP thread" that start() spawns and stop() joins, or, while that
// one sleeps, a thread that runs a task in its place (run_here). Listener callbacks and
// send()/connected() run only in such a task or on the XMPP thread, never two at once. Other
// threads hand work to it with post(): tasks go into a mutex-protected queue and an eventfd
// wakes the loop at once.
// The loop polls that eventfd together with libstrophe's socket (learned through the socket
// option callback) and then runs xmpp_run_once(ctx, 0) passes, so neither a post() nor incoming
// data waits for a timeout (wake latency is a few microseconds; see README of tests/integration).
//
// Delivery: send() writes the messages and then an XEP-0199 ping to the server. The server
// handles one stream's stanzas in order, so the ping's answer is a barrier: every message before
// it was routed, stored offline, or bounced with a <message type="error"> carrying its id. Only
// then does on_delivered() report them. Stanzas written while disconnected, or lost with the
// connection, are never reported: the caller sends them again after on_connected().
//
// Lifetime: the Listener must outlive the Connection. stop() (also run by the destructor) must
// not be called from the XMPP thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/event.hpp"
#include "core/presence.hpp"

namespace seshat::xmpp {

enum class TlsPolicy {
  verify,     // STARTTLS required, certificate checked against the JID's domain
  no_verify,  // STARTTLS required, certificate not checked
  off,        // no TLS at all (the config layer allows it for loopback servers only)
};

struct Settings {
  std::string jid;       // bare JID of the bot's account
  std::string password;  // never logged
  std::string host;      // empty: the JID's domain (SRV lookup)
  std::uint16_t port = 5222;
  TlsPolicy tls = TlsPolicy::verify;
  std::string ca_file;                // PEM file of CAs to trust; empty: the system store
  std::vector<std::string> contacts;  // operators' bare JIDs: subscribed to, and approved
  std::string resource = "seshat";    // the bot's resource: the same full JID after a restart
  std::string software_version;       // answered to XEP-0092 version queries
  // Component mode (XEP-0114): with a `component` domain, every message about chat N goes from
  // N@component over a component stream to `component_host`:`component_port`, beside the
  // account's (which keeps presence, commands and everything about no chat). Empty: off.
  std::string component;
  std::string component_secret;  // never logged
  std::string component_host = "127.0.0.1";
  std::uint16_t component_port = 5347;
  std::chrono::milliseconds min_backoff{200}, max_backoff{30000};
  // Asked (on the XMPP thread) before every connect and reconnect; false: not now, asked again
  // after the backoff. A broker that may have lost its leadership must not log in: with the
  // same resource, its login would throw the new leader off. Empty: always.
  std::function<bool()> may_connect{};
};

// What an Outgoing says: a text, or an acknowledgement of the operator's message `ref`.
enum class OutgoingKind {
  message,    // <body/>, with <active/> (XEP-0085)
  received,   // XEP-0184 <received id=ref/>
  displayed,  // XEP-0333 <displayed id=ref/>
};

// One message toward an operator. `id` becomes the stable stanza id "seshat-<id>", also its
// XEP-0359 origin-id, so a message sent again after a reconnect carries the same ids.
// `chat`: the chat it is about (0: none); in component mode it decides the sender, N@component,
// whose first message to each operator also carries `nick` (XEP-0172, the visitor's name).
struct Outgoing {
  std::int64_t id;
  std::string to;
  std::string body;
  OutgoingKind kind = OutgoingKind::message;
  std::string ref{};
  core::ChatId chat = 0;
  std::string nick{};
};

// A chat message from someone (the broker decides whether they are an operator).
struct IncomingMessage {
  std::string from;  // full JID
  std::string body;  // "" for a message with only a chat state, or encrypted without fallback
  core::Payload payload = core::Payload::plain;
  core::Typing typing = core::Typing::none;
  core::OperatorStanza stanza{};
  std::string nick{};  // XEP-0172, "" when none
  // Component mode: N when it was sent to N@component (the chat's own address), else 0.
  core::ChatId window = 0;
};

// Receives the connection's events, all on the XMPP thread.
class Listener {
 public:
  virtual ~Listener() = default;
  // Session established and initial presence sent: presence of contacts follows.
  virtual void on_connected() = 0;
  // The session that on_connected() announced is gone (also at stop()). Every on_connected() is
  // followed by exactly one on_disconnected(); failed connection attempts report nothing.
  virtual void on_disconnected(std::string_view reason) = 0;
  // A chat or normal message with a body, a chat state, or an encrypted payload.
  virtual void on_message(const IncomingMessage& message) = 0;
  // Availability of one resource of any JID (unavailable when it goes offline), with the
  // resource's <priority/> (0 when absent).
  virtual void on_presence(std::string_view from_full_jid, core::Show show, int priority) = 0;
  // Ids confirmed by a barrier: `delivered` reached the server and were routed or stored;
  // `bounced` came back as errors (not retried by the connection).
  virtual void on_delivered(std::vector<std::int64_t> delivered,
                            std::vector<std::int64_t> bounced) = 0;
  // A contact's name: their XEP-0172 nickname (in a presence or message), or the name of their
  // vCard (fetched once per contact and process).
  virtual void on_name(std::string_view /*from*/, std::string_view /*name*/,
                       core::NameSource /*source*/) {}
  // Component mode: the component's stream is up (messages sent on it before and not confirmed
  // are to be sent again, as after on_connected()), or lost. Each up is followed by one down.
  virtual void on_component_connected() {}
  virtual void on_component_disconnected(std::string_view /*reason*/) {}
  // Component mode: the visitor's name of live chat `chat` (its address is shown as present,
  // with that nickname, to an operator who asks), or nullopt when there is no such live chat.
  [[nodiscard]] virtual std::optional<std::string> visitor_name(core::ChatId /*chat*/) {
    return std::nullopt;
  }
};

class StropheSession;
class TaskQueue;

class Connection {
 public:
  Connection(Settings settings, Listener& listener);
  ~Connection();  // stops
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Spawns the XMPP thread: connects, and reconnects forever with exponential backoff and
  // jitter (reset once a session is established). Call once.
  void start();
  // Runs tasks already posted, sends unavailable presence and </stream>, waits (at most a few
  // seconds) for the server to close, joins the thread. Idempotent. Not from the XMPP thread.
  void stop();
  // Thread-safe: runs `task` on the XMPP thread soon; false (dropped) once stop() was called.
  bool post(std::function<void()> task);
  // Thread-safe: runs `task` on this thread now, in the XMPP thread's place, if that one sleeps
  // with nothing posted: a turn of its loop (what the task queued is written, what it posted
  // runs); false if it did not (then post it). Not from the XMPP thread.
  bool run_here(const std::function<void()>& task);

  // XMPP thread only. Sends each message as <message type="chat" id="seshat-N">, then a ping
  // barrier; on_delivered() follows when the server answers it. Does nothing while disconnected.
  void send(std::vector<Outgoing> messages);
  // XMPP thread only. A XEP-0085 chat state (composing, or active) to `to`, at once, outside
  // any barrier; dropped while disconnected (a stale state is worth nothing later). `chat` as
  // for Outgoing: in component mode it comes from N@component.
  void send_typing(const std::string& to, bool typing, core::ChatId chat = 0);
  // XMPP thread only, component mode: chat `chat` ended; its address goes offline for the
  // operators it wrote to and `operators` (bare JIDs: who heard of it, also before a restart).
  void chat_ended(core::ChatId chat, const std::vector<std::string>& operators = {});
  // XMPP thread only: a session is established (the account's).
  [[nodiscard]] bool connected() const;
  // XMPP thread only: the component's stream is up (false when not in component mode).
  [[nodiscard]] bool component_connected() const;
  // Whether a message about `chat` goes over the component's stream (component mode, chat != 0)
  // or the account's. Any thread.
  [[nodiscard]] bool via_component(core::ChatId chat) const {
    return chat != 0 && !m_settings.component.empty();
  }
  // Thread-safe: connection attempts made after the first one (metrics).
  [[nodiscard]] std::uint64_t reconnects() const { return m_reconnects.load(); }

 private:
  void run();  // the XMPP thread

  Settings m_settings;
  Listener& m_listener;
  std::unique_ptr<TaskQueue> m_tasks;
  std::unique_ptr<StropheSession> m_session;  // created and destroyed on the XMPP thread
  std::atomic<std::uint64_t> m_reconnects{0};
  std::thread m_thread;
};

}  // namespace seshat::xmpp
