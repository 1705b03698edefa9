#include "app/config.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>

#include "app/config_values.hpp"
#include "app/ini.hpp"

namespace seshat::app {

namespace {
std::string printable(const std::string& text) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += k_hex[c >> 4];
      out += k_hex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}
}  // namespace

ConfigError::ConfigError(const std::string& message) : std::runtime_error(printable(message)) {}
namespace {

constexpr std::array<std::string_view, 15> k_keys = {
    "sqlitedb",        "localusers",      "username",
    "password",        "xmppserver",      "tls",
    "tls_ca",          "listen",          "prefix",
    "allowed_origins", "visitor_timeout", "accept_timeout",
    "log_level",       "resource",        "show_operator_name"};
constexpr std::string_view k_key_prefix = "seshat_";
constexpr std::string_view k_password_variable = "SESHAT_PASSWORD";
constexpr std::uint16_t k_xmpp_client_port = 5222;
constexpr std::array<std::string_view, 5> k_log_levels = {"trace", "debug", "info", "warn",
                                                          "error"};

// A key as the loader knows it: lower case, without `seshat_`, aliases resolved.
std::string canonical_key(std::string_view written) {
  auto key = to_lower(written);
  if (key.starts_with(k_key_prefix)) key.erase(0, k_key_prefix.size());
  if (key == "xmppusername") return "username";
  if (key == "xmpppassword") return "password";
  return key;
}

bool is_known(std::string_view key) {
  return std::find(k_keys.begin(), k_keys.end(), key) != k_keys.end();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_key_hint(std::string_view key) {
  std::string_view best;
  std::size_t best_distance = 3;  // suggest only close matches
  for (auto known : k_keys) {
    const auto distance = edit_distance(key, known);
    if (distance < best_distance) best_distance = distance, best = known;
  }
  if (!best.empty()) return "unknown key (a typo for '" + std::string(best) + "'?)";
  std::string list;
  for (auto known : k_keys) list += (list.empty() ? "" : ", ") + std::string(known);
  return "unknown key (a typo? known keys: " + list + ")";
}

// Builds every error line, so that each names file, line, section and key the same way.
class Reporter {
 public:
  Reporter(std::string file, std::string section)
      : m_file(std::move(file)), m_section(std::move(section)) {}

  [[noreturn]] void fail(const ini::Entry* entry, std::string_view key,
                         std::string_view what) const {
    std::string line = m_file;
    if (entry != nullptr) line += ":" + std::to_string(entry->line);
    line += ": [" + m_section + "] ";
    line += entry != nullptr ? entry->key : std::string(key);
    line += ": ";
    line += what;
    throw ConfigError(line);
  }

 private:
  std::string m_file;
  std::string m_section;
};

class SectionReader {
 public:
  SectionReader(const ini::Section& section, const Reporter& report) : m_report(report) {
    for (const auto& entry : section.entries) {
      auto key = canonical_key(entry.key);
      if (!is_known(key)) m_report.fail(&entry, {}, unknown_key_hint(key));
      const auto [existing, inserted] = m_entries.emplace(key, &entry);
      if (!inserted)
        m_report.fail(&entry, {},
                      "given twice (also as '" + existing->second->key + "' at line " +
                          std::to_string(existing->second->line) + ")");
    }
  }

  // The entry for `key`, if present with a non-empty value (empty means the default).
  [[nodiscard]] const ini::Entry* optional(std::string_view key) const {
    const auto found = m_entries.find(std::string(key));
    if (found == m_entries.end() || found->second->value.empty()) return nullptr;
    return found->second;
  }

  [[nodiscard]] const ini::Entry& required(std::string_view key, std::string_view hint = {}) const {
    const auto found = m_entries.find(std::string(key));
    if (found == m_entries.end()) m_report.fail(nullptr, key, "missing" + std::string(hint));
    if (found->second->value.empty()) m_report.fail(found->second, key, "empty");
    return *found->second;
  }

  // A one-line value (only the lists may span lines).
  [[nodiscard]] const std::string& single_line(const ini::Entry& entry) const {
    if (entry.value.find('\n') != std::string::npos)
      m_report.fail(&entry, {}, "must be on one line");
    return entry.value;
  }

  template <class T>
  [[nodiscard]] T value_of(const ini::Entry& entry, Parsed<T> parsed) const {
    if (!parsed.value) m_report.fail(&entry, {}, parsed.error);
    return std::move(*parsed.value);
  }

  [[nodiscard]] const Reporter& report() const { return m_report; }

 private:
  const Reporter& m_report;
  std::map<std::string, const ini::Entry*> m_entries;
};

std::string read_whole_file(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored))
    throw ConfigError(path + ": cannot read: it is a directory");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
  std::string text;
  std::array<char, 4096> buffer{};
  std::size_t count = 0;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0)
    text.append(buffer.data(), count);
  if (std::ferror(file.get())) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
  return text;
}

const ini::Section& find_section(const ini::Document& document, const std::string& file_name,
                                 const std::string& name) {
  const ini::Section* found = nullptr;
  std::string other_case;
  for (const auto& section : document.sections) {
    if (section.name == name) {
      if (found != nullptr)
        throw ConfigError(file_name + ":" + std::to_string(section.line) + ": [" + name +
                          "]: section given twice (first at line " + std::to_string(found->line) +
                          ")");
      found = &section;
    } else if (to_lower(section.name) == to_lower(name)) {
      other_case = section.name;
    }
  }
  if (found == nullptr) {
    std::string message = file_name + ": no section [" + name + "]";
    if (!other_case.empty())
      message += " (there is [" + other_case + "]; section names are case-sensitive)";
    throw ConfigError(message);
  }
  return *found;
}

void check_readable_file(const SectionReader& reader, const ini::Entry& entry) {
  std::error_code ignored;
  if (std::filesystem::is_directory(entry.value, ignored))
    reader.report().fail(&entry, {}, "'" + entry.value + "' is a directory, not a file");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(entry.value.c_str(), "rb"),
                                                       &std::fclose);
  if (!file)
    reader.report().fail(&entry, {}, "cannot read '" + entry.value + "': " + std::strerror(errno));
}

Config read_config(const SectionReader& reader, const EnvLookup& env) {
  Config config;
  const auto& report = reader.report();

  config.sqlitedb = reader.single_line(reader.required("sqlitedb"));

  const auto& localusers = reader.required("localusers");
  for (auto item : split_list(localusers.value)) {
    auto jid = reader.value_of(localusers, parse_bare_jid(item));
    if (std::find(config.localusers.begin(), config.localusers.end(), jid) ==
        config.localusers.end())
      config.localusers.push_back(std::move(jid));
  }
  if (config.localusers.empty()) report.fail(&localusers, {}, "lists no operator JID");

  const auto& username = reader.required("username");
  config.username = reader.value_of(username, parse_bare_jid(reader.single_line(username)));

  const auto variable = env ? env(std::string(k_password_variable)) : std::nullopt;
  if (variable && !variable->empty()) {
    config.password = *variable;
  } else {
    config.password = reader.single_line(reader.required(
        "password", " (or set the environment variable " + std::string(k_password_variable) + ")"));
  }

  const ini::Entry* xmppserver = reader.optional("xmppserver");
  if (xmppserver != nullptr) {
    config.xmppserver = reader.value_of(
        *xmppserver, parse_endpoint(reader.single_line(*xmppserver), k_xmpp_client_port));
  } else {
    config.xmppserver = {config.username.substr(config.username.find('@') + 1), k_xmpp_client_port};
  }

  if (const auto* tls = reader.optional("tls")) {
    const auto value = to_lower(reader.single_line(*tls));
    if (value == "verify") {
      config.tls = TlsPolicy::verify;
    } else if (value == "no-verify") {
      config.tls = TlsPolicy::no_verify;
    } else if (value == "off") {
      config.tls = TlsPolicy::off;
      if (!is_loopback(config.xmppserver.host))
        report.fail(tls, {},
                    "off is refused unless xmppserver is a loopback address (127.0.0.1, ::1, "
                    "localhost), and it is '" +
                        config.xmppserver.host + "'" +
                        (xmppserver == nullptr ? " (the domain of username)" : ""));
    } else {
      report.fail(tls, {}, "must be verify, no-verify or off, not '" + tls->value + "'");
    }
  }

  if (const auto* tls_ca = reader.optional("tls_ca")) {
    config.tls_ca = reader.single_line(*tls_ca);
    check_readable_file(reader, *tls_ca);
  }

  if (const auto* listen = reader.optional("listen"))
    config.listen =
        reader.value_of(*listen, parse_endpoint(reader.single_line(*listen), std::nullopt));

  if (const auto* prefix = reader.optional("prefix"))
    config.prefix = reader.value_of(*prefix, parse_prefix(reader.single_line(*prefix)));

  if (const auto* origins = reader.optional("allowed_origins")) {
    for (auto item : split_list(origins->value))
      config.allowed_origins.push_back(reader.value_of(*origins, parse_origin(item)));
  }

  if (const auto* timeout = reader.optional("visitor_timeout"))
    config.visitor_timeout = reader.value_of(*timeout, parse_seconds(reader.single_line(*timeout)));
  if (const auto* timeout = reader.optional("accept_timeout"))
    config.accept_timeout = reader.value_of(*timeout, parse_seconds(reader.single_line(*timeout)));

  if (const auto* level = reader.optional("log_level")) {
    const auto value = to_lower(reader.single_line(*level));
    if (std::find(k_log_levels.begin(), k_log_levels.end(), value) == k_log_levels.end())
      report.fail(level, {},
                  "must be trace, debug, info, warn or error, not '" + level->value + "'");
    config.log_level = value;
  }

  if (const auto* resource = reader.optional("resource"))
    config.resource = reader.value_of(*resource, parse_resource(reader.single_line(*resource)));
  if (const auto* shown = reader.optional("show_operator_name"))
    config.show_operator_name = reader.value_of(*shown, parse_yes_no(reader.single_line(*shown)));
  return config;
}

}  // namespace

std::string_view to_string(TlsPolicy policy) {
  switch (policy) {
    case TlsPolicy::verify:
      return "verify";
    case TlsPolicy::no_verify:
      return "no-verify";
    case TlsPolicy::off:
      return "off";
  }
  return "verify";
}

Config parse_config(std::string_view text, const std::string& file_name, const std::string& section,
                    const EnvLookup& env) {
  auto parsed = ini::parse(text);
  if (const auto* error = std::get_if<ini::ParseError>(&parsed)) {
    std::string line = file_name + ":" + std::to_string(error->line) + ": ";
    if (!error->section.empty()) line += "[" + error->section + "] ";
    throw ConfigError(line + error->message);
  }
  const auto& document = std::get<ini::Document>(parsed);
  const Reporter report(file_name, section);
  const SectionReader reader(find_section(document, file_name, section), report);
  return read_config(reader, env);
}

Config load_config(const std::string& path, const std::string& section) {
  const EnvLookup process_env = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  return parse_config(read_whole_file(path), path, section, process_env);
}

}  // namespace seshat::app
