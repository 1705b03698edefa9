#pragma once
// The configuration: the seed's INI file and section, plus the optional keys of design.md.
// load_config reports every problem as ConfigError with one line naming file, section and key.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_network.hpp"
#include "core/relay.hpp"

namespace seshat::app {

// One line, printable: control bytes quoted from the file are shown as \xNN, never sent raw
// to the terminal.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& message);
};

enum class TlsPolicy { verify, no_verify, off };

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
};

// Mail (README "Mail"): no mail unless `smtp` is set.
struct MailConfig {
  std::string smtp;                        // smtp: "smtp://host:port" or "smtps://host:port"
  TlsPolicy smtp_tls = TlsPolicy::verify;  // smtp_tls: as tls (off: loopback smtp only)
  std::string smtp_user;                   // smtp_user: empty: no login
  std::string smtp_password;               // smtp_password; SESHAT_SMTP_PASSWORD overrides
  std::string mail_from;                   // mail_from: "addr" or "Name <addr>" (checked)
  std::chrono::seconds mail_delay{120};    // mail_delay: after an operator's last line
  [[nodiscard]] bool enabled() const { return !smtp.empty(); }
};

// Component mode (README "Component mode"): with `component`, each chat writes to operators
// from its own address, N@component, over an XEP-0114 connection beside the bot's account.
struct ComponentConfig {
  std::string domain;                  // component: empty: off (one account, the seed's way)
  std::string secret;                  // component_secret; SESHAT_COMPONENT_SECRET overrides
  Endpoint server{"127.0.0.1", 5347};  // component_server: the XMPP server's component port
  [[nodiscard]] bool enabled() const { return !domain.empty(); }
  // How operators tell chats apart with this configuration.
  [[nodiscard]] core::Addressing addressing() const {
    return enabled() ? core::Addressing::component : core::Addressing::account;
  }
};

// Caps against abuse, each its own key of the same name; 0 turns a cap off.
struct Caps {
  std::int64_t max_connections = 20000;                // HTTP connections in total
  std::int64_t max_connections_per_address = 200;      // HTTP connections from one address
  std::int64_t max_streams_per_chat = 8;               // event streams + long-polls on one chat
  std::int64_t chats_per_minute = 120;                 // new chats per minute in total
  std::int64_t chats_per_minute_per_network = 10;      // new chats per minute per /24 or /64
  std::int64_t messages_per_minute_per_network = 600;  // visitor messages per minute per network
  std::int64_t max_messages_per_chat = 2000;           // visitor messages stored in one chat
  std::int64_t min_free_disk_mb = 200;  // below it on the database's file system: no new chats
};

// One line of a `texts` file: the visitor text `key` in `language` (a section name).
struct TextOverride {
  std::string language;
  std::string key;
  std::string text;
};

// The operator's desk (issue 17): who hears of requests, canned replies, !INFO, !BLOCK.
enum class Routing { broadcast, least_busy };
struct DeskConfig {
  Routing routing = Routing::broadcast;    // routing: broadcast | least-busy
  std::chrono::seconds offer_timeout{30};  // offer_timeout: least-busy, before an offer moves on
  std::string replies;                     // replies: INI file of canned replies ([replies])
  bool show_ip = false;                    // show_ip: !INFO shows the visitor's address
  std::chrono::hours block{24};            // block_hours: how long !BLOCK lasts
};

struct Config {
  std::string sqlitedb;  // sqlitedb (empty with database)
  std::string database;  // database: PostgreSQL URI (empty with sqlitedb)
  // The store named by sqlitedb or database, as store::open_store takes it.
  [[nodiscard]] const std::string& store_location() const {
    return database.empty() ? sqlitedb : database;
  }
  std::vector<std::string> localusers;       // localusers: operators' bare JIDs, lower case
  std::string username;                      // username / xmppusername: the bot's bare JID
  std::string password;                      // password / xmpppassword; SESHAT_PASSWORD overrides
  Endpoint xmppserver;                       // xmppserver: default the domain of username, 5222
  TlsPolicy tls = TlsPolicy::verify;         // tls: verify | no-verify | off (off: loopback only)
  std::string tls_ca;                        // tls_ca: PEM file of CAs to trust; empty: system
  Endpoint listen{"127.0.0.1", 8080};        // listen
  std::string prefix = "/seshat";            // prefix: URL prefix of widget and API
  std::vector<std::string> allowed_origins;  // allowed_origins: CORS allowlist; empty: same site
  std::vector<base::IpNetwork> trusted_proxies;  // trusted_proxies: whose X-Forwarded-For counts
  std::chrono::seconds visitor_timeout{300};     // visitor_timeout: silent visitor -> abandoned
  std::chrono::seconds accept_timeout{0};        // accept_timeout: unaccepted -> failed; 0: never
  std::chrono::seconds operator_grace{30};       // operator_grace: fully offline before chats move
  std::chrono::seconds reconnect_grace{90};      // reconnect_grace: after the bot's own reconnect
  std::chrono::seconds visitor_grace{20};    // visitor_grace: page gone -> absent, operator told
  int max_chats = 1;                         // max_chats: chats one operator may hold at once
  std::string log_level = "info";            // log_level: trace|debug|info|warn|error
  MailConfig mail;                           // smtp, smtp_tls, smtp_user, ..., mail_delay
  std::chrono::milliseconds retention{0};    // retention_days (decimals allowed); 0: keep
  Caps caps;                                 // the caps against abuse (SECURITY.md)
  std::string language = "en";               // language: of visitor texts when a chat has none
  std::string texts;                         // texts: INI file of visitor texts per language
  std::vector<TextOverride> text_overrides;  // its lines, checked
  std::string resource = "seshat";           // resource: the bot's XMPP resource (stable)
  bool show_operator_name = true;            // show_operator_name: yes | no ("Support")
  DeskConfig desk;                           // routing, offer_timeout, replies, show_ip, ...
  ComponentConfig component;                 // component, component_secret, component_server
};

// Reads [section] of the INI file at `path`. Keys may carry a `seshat_` prefix, are
// case-insensitive, and `xmppusername`/`xmpppassword` stand for `username`/`password`.
// The environment variable SESHAT_PASSWORD, when set and not empty, overrides the password.
// Relative paths (sqlitedb, tls_ca) are relative to the working directory, as in the seed.
[[nodiscard]] Config load_config(const std::string& path, const std::string& section);

// The environment as load_config sees it (tests pass their own).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// load_config on text already read; `file_name` is only used in error messages.
[[nodiscard]] Config parse_config(std::string_view text, const std::string& file_name,
                                  const std::string& section, const EnvLookup& env);

[[nodiscard]] std::string_view to_string(TlsPolicy policy);

}  // namespace seshat::app
