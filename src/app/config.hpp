#pragma once
// The configuration: the seed's INI file and section, plus the optional keys of design.md.
// load_config reports every problem as ConfigError with one line naming file, section and key.

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace seshat::app {

class ConfigError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class TlsPolicy { verify, no_verify, off };

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
};

struct Config {
  std::string sqlitedb;                 // sqlitedb
  std::vector<std::string> localusers;  // localusers: operators' bare JIDs, lower case
  std::string username;                 // username / xmppusername: the bot's bare JID
  std::string password;                 // password / xmpppassword; SESHAT_PASSWORD overrides
  Endpoint xmppserver;                  // xmppserver: default the domain of username, 5222
  TlsPolicy tls = TlsPolicy::verify;    // tls: verify | no-verify | off (off: loopback only)
  std::string tls_ca;                   // tls_ca: PEM file of CAs to trust; empty: system
  Endpoint listen{"127.0.0.1", 8080};   // listen
  std::string prefix = "/seshat";       // prefix: URL prefix of widget and API
  std::vector<std::string> allowed_origins;  // allowed_origins: CORS allowlist; empty: same site
  std::chrono::seconds visitor_timeout{300};  // visitor_timeout: silent visitor -> abandoned
  std::chrono::seconds accept_timeout{0};     // accept_timeout: unaccepted -> failed; 0: never
  std::string log_level = "info";             // log_level: trace|debug|info|warn|error
};

// Reads [section] of the INI file at `path`. Keys may carry a `seshat_` prefix.
[[nodiscard]] Config load_config(const std::string& path, const std::string& section);

}  // namespace seshat::app
