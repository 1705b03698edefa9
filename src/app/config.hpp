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

struct Config {
  std::string sqlitedb;                       // sqlitedb
  std::vector<std::string> localusers;        // localusers: operators' bare JIDs, lower case
  std::string username;                       // username / xmppusername: the bot's bare JID
  std::string password;                       // password / xmpppassword; SESHAT_PASSWORD overrides
  Endpoint xmppserver;                        // xmppserver: default the domain of username, 5222
  TlsPolicy tls = TlsPolicy::verify;          // tls: verify | no-verify | off (off: loopback only)
  std::string tls_ca;                         // tls_ca: PEM file of CAs to trust; empty: system
  Endpoint listen{"127.0.0.1", 8080};         // listen
  std::string prefix = "/seshat";             // prefix: URL prefix of widget and API
  std::vector<std::string> allowed_origins;   // allowed_origins: CORS allowlist; empty: same site
  std::chrono::seconds visitor_timeout{300};  // visitor_timeout: silent visitor -> abandoned
  std::chrono::seconds accept_timeout{0};     // accept_timeout: unaccepted -> failed; 0: never
  std::string log_level = "info";             // log_level: trace|debug|info|warn|error
  std::string resource = "seshat";            // resource: the bot's XMPP resource (stable)
  bool show_operator_name = true;             // show_operator_name: yes | no ("Support")
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
