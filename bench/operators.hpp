#pragma once
// Simulated operators: real XMPP clients (libstrophe) on one thread of their own, all in one
// libstrophe context (it is not thread-safe). The thread drives every connection with
// xmpp_run_once and reads its instructions from Shared (phase, chat ids to accept).

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "shared.hpp"

namespace seshat::bench {

enum class Role {
  relay,   // logs in busy (dnd), accepts the chat of visitor `index`, then chats
  notify,  // logs in available and only counts "Remote user 'n<i>' ..." notifications
  direct,  // floor: talks straight to `peers` through Prosody, no broker in between
  sink,    // floor: only receives (the other receivers of a fanned-out burst)
};

struct OperatorSpec {
  std::string jid;
  std::string password;
  Role role = Role::relay;
  int index = 0;  // relay: the visitor whose chat it accepts
  // direct: who it sends to; the steady phase goes to the first, the burst round robin.
  std::vector<std::string> peers;
  bool floods = false;  // direct: sends the burst
};

struct XmppSettings {
  std::string host = "127.0.0.1";
  unsigned short port = 5222;
  std::string ca_file;
  std::string bot;  // the broker's bare JID
  // Component mode (README): a relay operator writes to its chat's own address, N@component,
  // once the chat is ours; the !ACCEPT still goes to the bot.
  std::string component;
  int direct_rate = 100;    // direct: messages per second each client sends in the steady phase
  int burst = 0;            // direct: messages the flooding client sends in the burst
  int notify_visitors = 0;  // notify: how many chats will be announced; notify floor: rounds
  // The floors' clients (direct) send what the broker sends an operator: an id, <active/> and
  // <origin-id/> around the body (README, "Real operators' clients"), so that the XMPP server
  // does the same work for a floor's message as for a relayed one. With bodies_only, a body
  // alone: what those elements cost the server (bench/rounds.md, "e's floor sends the broker's
  // stanzas").
  bool bodies_only = false;
  // direct: the steady phase in a's shape, the relay without the broker: A writes to each
  // receiver in turn (direct_rate messages a second in all, as a's visitors do together) and
  // each receiver writes to A once a second (as each of a's operators does).
  bool a_shape = false;
};

class Operators {
 public:
  Operators(XmppSettings settings, std::vector<OperatorSpec> specs, Shared& shared);
  ~Operators();  // asks the thread to stop (if running) and joins it
  Operators(const Operators&) = delete;
  Operators& operator=(const Operators&) = delete;

  void start();  // connects everyone on the XMPP thread
  void join();   // after shared.phase = stop: finishes chats, disconnects, joins

  // notify: per visitor index, the latest of its operators' notifications (ns after creation);
  // notify floor: per round, the latest of its receivers' messages (ns after sending). Read
  // after join().
  [[nodiscard]] const std::vector<std::int64_t>& notify_last() const { return m_notify_last; }
  [[nodiscard]] const std::vector<int>& notify_count() const { return m_notify_count; }

  // Used by the libstrophe callbacks (operators.cpp), on the XMPP thread only.
  struct Client;
  [[nodiscard]] Shared& shared() { return m_shared; }
  void on_message(Client& client, const std::string& body, std::int64_t now);
  void on_connection(Client& client, bool connected);

 private:
  void run();
  void send_due(Client& client, std::int64_t now);
  const std::string& chat_address(Client& client);

  XmppSettings m_settings;
  std::int64_t m_stanzas = 0;  // the floors' stanza ids
  std::vector<OperatorSpec> m_specs;
  Shared& m_shared;
  std::vector<std::int64_t> m_notify_last;
  std::vector<int> m_notify_count;
  std::thread m_thread;
};

}  // namespace seshat::bench
