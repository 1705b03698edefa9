#include "app/sender.hpp"

namespace seshat::app {
namespace {

xmpp::Settings xmpp_settings(const Config& config, std::function<bool()> may_connect) {
  xmpp::Settings settings;
  settings.may_connect = std::move(may_connect);
  settings.jid = config.username;
  settings.password = config.password;
  settings.host = config.xmppserver.host;
  settings.port = config.xmppserver.port;
  settings.tls = config.tls == TlsPolicy::verify      ? xmpp::TlsPolicy::verify
                 : config.tls == TlsPolicy::no_verify ? xmpp::TlsPolicy::no_verify
                                                      : xmpp::TlsPolicy::off;
  settings.ca_file = config.tls_ca;
  settings.contacts = config.localusers;
  settings.resource = config.resource;
  settings.software_version = SESHAT_VERSION;
  settings.component = config.component.domain;
  settings.component_secret = config.component.secret;
  settings.component_host = config.component.server.host;
  settings.component_port = config.component.server.port;
  return settings;
}

class XmppSender final : public Sender {
 public:
  XmppSender(const Config& config, xmpp::Listener& listener, std::function<bool()> may_connect)
      : m_connection(xmpp_settings(config, std::move(may_connect)), listener) {}

  void start() override { m_connection.start(); }
  void stop() override { m_connection.stop(); }
  bool post(std::function<void()> task) override { return m_connection.post(std::move(task)); }
  bool run_here(const std::function<void()>& task) override { return m_connection.run_here(task); }
  [[nodiscard]] bool connected() const override { return m_connection.connected(); }
  void send(std::vector<xmpp::Outgoing> messages) override {
    m_connection.send(std::move(messages));
  }
  void send_typing(const std::string& to, bool typing) override {
    m_connection.send_typing(to, typing);
  }
  [[nodiscard]] bool component_connected() const override {
    return m_connection.component_connected();
  }
  [[nodiscard]] bool via_component(core::ChatId chat) const override {
    return m_connection.via_component(chat);
  }
  void send_chat_typing(const std::string& to, bool typing, core::ChatId chat) override {
    m_connection.send_typing(to, typing, chat);
  }
  void chat_ended(core::ChatId chat, const std::vector<std::string>& operators) override {
    m_connection.chat_ended(chat, operators);
  }

 private:
  xmpp::Connection m_connection;
};

}  // namespace

std::unique_ptr<Sender> connect_xmpp(const Config& config, xmpp::Listener& listener,
                                     std::function<bool()> may_connect) {
  return std::make_unique<XmppSender>(config, listener, std::move(may_connect));
}

}  // namespace seshat::app
