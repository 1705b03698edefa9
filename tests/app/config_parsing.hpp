#pragma once
// Reading a configuration text in a test: an environment given as a map, and the one-line
// message of the ConfigError a text raises. `seeded` appends the tested keys to a minimal seed
// file, for the tests of one group of keys (mail, component).

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "app/config.hpp"

namespace seshat::app::config_testing {

inline EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

inline Config parse(std::string_view text, const EnvLookup& env = env_of({})) {
  return parse_config(text, "sample.ini", "Seshat", env);
}

// The one-line message of the ConfigError that `text` raises, or "(no error)".
inline std::string error_of(std::string_view text, const EnvLookup& env = env_of({})) {
  try {
    (void)parse(text, env);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

namespace seeded {

inline constexpr std::string_view k_seed = R"([Seshat]
sqlitedb = /tmp/seshat.db
localusers = joe@example.com
username = webchat@example.com
password = mypassword
)";

inline Config parse(std::string_view extra, const EnvLookup& env = env_of({})) {
  return config_testing::parse(std::string(k_seed) + std::string(extra), env);
}

inline std::string error_of(std::string_view extra, const EnvLookup& env = env_of({})) {
  return config_testing::error_of(std::string(k_seed) + std::string(extra), env);
}

}  // namespace seeded
}  // namespace seshat::app::config_testing
