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
  // Runs `task` on the broker's thread (the XMPP thread), after what was posted before.
  virtual void post(std::function<void()> task) = 0;
  [[nodiscard]] virtual bool connected() const = 0;
  // Messages with stable ids; Listener::on_delivered confirms them after the barrier.
  virtual void send(std::vector<xmpp::Outgoing> messages) = 0;
  // A chat state, now or never (dropped while disconnected).
  virtual void send_typing(const std::string& to, bool typing) = 0;
};

// Makes the broker's Sender, reporting to `listener` (the broker itself).
using SenderFactory = std::function<std::unique_ptr<Sender>(xmpp::Listener& listener)>;

// The real Sender: an xmpp::Connection to the server in `config`, as the bot.
[[nodiscard]] std::unique_ptr<Sender> connect_xmpp(const Config& config, xmpp::Listener& listener);

}  // namespace seshat::app
