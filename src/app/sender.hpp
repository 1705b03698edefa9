#pragma once
// What the broker needs of its XMPP side, as an interface: the broker is given one (through a
// factory, since the connection reports to the broker it serves), so that tests run a broker
// with a stand-in and no XMPP server. connect_xmpp() makes the real one, an xmpp::Connection.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "xmpp/connection.hpp"

namespace seshat::app {

class Sender {
 public:
  virtual ~Sender() = default;
  virtual void start() = 0;  // connects; what happens comes to the Listener given at creation
  virtual void stop() = 0;   // idempotent
  // Runs `task` on the broker's thread (the XMPP thread), after what was posted before; false
  // if it never will (the thread is stopping).
  virtual bool post(std::function<void()> task) = 0;
  // Runs `task` here and now in the broker's thread's place if that thread sleeps with nothing
  // posted (xmpp::Connection::run_here); false if it did not run.
  virtual bool run_here(const std::function<void()>& /*task*/) { return false; }
  [[nodiscard]] virtual bool connected() const = 0;
  // Messages with stable ids; Listener::on_delivered confirms them after the barrier.
  virtual void send(std::vector<xmpp::Outgoing> messages) = 0;
  // A chat state, now or never (dropped while disconnected).
  virtual void send_typing(const std::string& to, bool typing) = 0;

  // Component mode (README "Component mode"); a Sender without it keeps these defaults.
  // Whether the component's stream is up.
  [[nodiscard]] virtual bool component_connected() const { return false; }
  // Whether what is about `chat` goes over the component's stream (from N@component).
  [[nodiscard]] virtual bool via_component(core::ChatId /*chat*/) const { return false; }
  // A chat state about `chat` (from its own address in component mode).
  virtual void send_chat_typing(const std::string& to, bool typing, core::ChatId /*chat*/) {
    send_typing(to, typing);
  }
  // Chat `chat` ended: its address goes offline for `operators` and whoever it wrote to.
  virtual void chat_ended(core::ChatId /*chat*/, const std::vector<std::string>& /*operators*/) {}
};

// Makes the broker's Sender, reporting to `listener` (the broker itself).
using SenderFactory = std::function<std::unique_ptr<Sender>(xmpp::Listener& listener)>;

// The real Sender: an xmpp::Connection to the server in `config`, as the bot. `may_connect`
// (xmpp::Settings): asked before every connect; a broker that leads others gives its lease.
[[nodiscard]] std::unique_ptr<Sender> connect_xmpp(const Config& config, xmpp::Listener& listener,
                                                   std::function<bool()> may_connect = {});

}  // namespace seshat::app
