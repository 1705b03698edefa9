// Fuzzes the configuration loader on arbitrary file contents: seshat::app::parse_config must
// either return a Config that keeps its documented promises or throw ConfigError whose message
// is exactly one line (it is printed as the one-line reason `seshat` refuses to start). Any other
// exception escaping is a bug.
//
// Input: the text of the INI file, read as section [Seshat] of "fuzz.ini", with no environment.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "app/config.hpp"
#include "fuzz_check.hpp"

namespace {

using seshat::app::Config;
using seshat::app::ConfigError;
using seshat::app::TlsPolicy;
using seshat::fuzz::require;

bool is_lower_bare_jid(std::string_view jid) {
  const auto at = jid.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < jid.size() &&
         jid.find('/') == std::string_view::npos &&
         std::none_of(jid.begin(), jid.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) < 0x20 || c == ' ';
         });
}

bool has_line_break(std::string_view text) {
  return text.find('\n') != std::string_view::npos;
}

void check_config(const Config& config) {
  // Exactly one store: an SQLite file, or a PostgreSQL URI.
  require(config.sqlitedb.empty() != config.database.empty(), "sqlitedb or database, not both",
          config.sqlitedb + " | " + config.database);
  require(!has_line_break(config.sqlitedb), "sqlitedb is one line", config.sqlitedb);
  require(!has_line_break(config.database), "database is one line", config.database);
  require(config.database.empty() || config.database.starts_with("postgresql://") ||
              config.database.starts_with("postgres://"),
          "database is a PostgreSQL URI", config.database);
  require(!config.localusers.empty(), "localusers lists at least one operator");
  for (std::size_t i = 0; i < config.localusers.size(); ++i) {
    require(is_lower_bare_jid(config.localusers[i]), "an operator is a lower-case bare JID",
            config.localusers[i]);
    require(
        std::count(config.localusers.begin(), config.localusers.end(), config.localusers[i]) == 1,
        "operators are listed once", config.localusers[i]);
  }
  require(is_lower_bare_jid(config.username), "username is a lower-case bare JID", config.username);
  require(!config.password.empty() && !has_line_break(config.password),
          "the password is one non-empty line");
  require(!config.xmppserver.host.empty() && config.xmppserver.port != 0,
          "xmppserver has a host and a port", config.xmppserver.host);
  require(!config.listen.host.empty() && config.listen.port != 0, "listen has a host and a port",
          config.listen.host);
  if (config.tls == TlsPolicy::off) {
    const auto& host = config.xmppserver.host;
    require(host == "localhost" || host == "localhost." || host == "::1" ||
                host.starts_with("127.") || host.starts_with("::ffff:127."),
            "tls = off only with a loopback xmppserver", host);
  }
  const auto& prefix = config.prefix;
  require(prefix.size() >= 2 && prefix.front() == '/' && prefix.back() != '/',
          "the prefix starts with '/' and does not end with it", prefix);
  for (const auto& origin : config.allowed_origins)
    require(origin.starts_with("http://") || origin.starts_with("https://"),
            "an allowed origin is http(s)", origin);
  require(config.visitor_timeout.count() >= 0 && config.accept_timeout.count() >= 0,
          "timeouts are not negative");
  require(config.log_level == "trace" || config.log_level == "debug" ||
              config.log_level == "info" || config.log_level == "warn" ||
              config.log_level == "error",
          "log_level is a known level", config.log_level);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const seshat::app::EnvLookup no_environment = [](const std::string&) {
    return std::optional<std::string>{};
  };
  try {
    check_config(seshat::app::parse_config(text, "fuzz.ini", "Seshat", no_environment));
  } catch (const ConfigError& error) {
    const std::string_view message = error.what();
    require(!message.empty(), "a configuration error says something");
    require(!has_line_break(message), "a configuration error is exactly one line", message);
    require(message.starts_with("fuzz.ini"), "a configuration error names the file", message);
  } catch (const std::exception& error) {
    require(false, "only ConfigError escapes parse_config", error.what());
  } catch (...) {
    require(false, "only ConfigError escapes parse_config", "(not a std::exception)");
  }
  return 0;
}
