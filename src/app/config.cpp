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
#include <regex>

#include "app/config_values.hpp"
#include "app/ini.hpp"
#include "core/visitor_texts.hpp"
#include "mail/address.hpp"

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

constexpr std::array<std::string_view, 22> k_keys = {
    "sqlitedb",        "localusers",      "username",
    "password",        "xmppserver",      "tls",
    "tls_ca",          "listen",          "prefix",
    "allowed_origins", "visitor_timeout", "accept_timeout",
    "log_level",       "operator_grace",  "reconnect_grace",
    "visitor_grace",   "max_chats",       "language",
    "texts",           "resource",        "show_operator_name",
    "trusted_proxies"};
constexpr int k_max_chats_limit = 100;
// Mail and retention (read by read_mail_config).
constexpr std::array<std::string_view, 7> k_mail_keys = {
    "smtp", "smtp_tls", "smtp_user", "smtp_password", "mail_from", "mail_delay", "retention_days"};
// The operator's desk (read by read_desk_config).
constexpr std::array<std::string_view, 5> k_desk_keys = {"routing", "offer_timeout", "replies",
                                                         "show_ip", "block_hours"};
constexpr int k_max_offer_timeout = 86'400;
constexpr int k_max_block_hours = 24 * 366;
constexpr std::string_view k_smtp_password_variable = "SESHAT_SMTP_PASSWORD";
// Component mode (read by read_component_config).
constexpr std::array<std::string_view, 3> k_component_keys = {"component", "component_secret",
                                                              "component_server"};
constexpr std::string_view k_component_secret_variable = "SESHAT_COMPONENT_SECRET";
constexpr std::uint16_t k_component_port = 5347;
// The caps against abuse (Config::caps), each a whole number, 0 = no cap.
struct CapKey {
  std::string_view key;
  std::int64_t Caps::*field;
  std::int64_t max;
};
constexpr std::array<CapKey, 8> k_cap_keys = {{
    {"max_connections", &Caps::max_connections, 10'000'000},
    {"max_connections_per_address", &Caps::max_connections_per_address, 10'000'000},
    {"max_streams_per_chat", &Caps::max_streams_per_chat, 1'000'000},
    {"chats_per_minute", &Caps::chats_per_minute, 1'000'000'000},
    {"chats_per_minute_per_network", &Caps::chats_per_minute_per_network, 1'000'000'000},
    {"messages_per_minute_per_network", &Caps::messages_per_minute_per_network, 1'000'000'000},
    {"max_messages_per_chat", &Caps::max_messages_per_chat, 1'000'000'000},
    {"min_free_disk_mb", &Caps::min_free_disk_mb, 1'000'000'000'000},
}};
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

// Several machines (README "Several machines"): the PostgreSQL database instead of sqlitedb.
constexpr std::string_view k_database_key = "database";

bool is_known(std::string_view key) {
  return key == k_database_key || std::find(k_keys.begin(), k_keys.end(), key) != k_keys.end() ||
         std::find(k_mail_keys.begin(), k_mail_keys.end(), key) != k_mail_keys.end() ||
         std::find(k_desk_keys.begin(), k_desk_keys.end(), key) != k_desk_keys.end() ||
         std::find(k_component_keys.begin(), k_component_keys.end(), key) !=
             k_component_keys.end() ||
         std::any_of(k_cap_keys.begin(), k_cap_keys.end(),
                     [&](const CapKey& cap) { return cap.key == key; });
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
  for (auto known : k_mail_keys) {
    const auto distance = edit_distance(key, known);
    if (distance < best_distance) best_distance = distance, best = known;
  }
  for (auto known : k_desk_keys) {
    const auto distance = edit_distance(key, known);
    if (distance < best_distance) best_distance = distance, best = known;
  }
  for (const auto& cap : k_cap_keys) {
    const auto distance = edit_distance(key, cap.key);
    if (distance < best_distance) best_distance = distance, best = cap.key;
  }
  for (auto known : k_component_keys) {
    const auto distance = edit_distance(key, known);
    if (distance < best_distance) best_distance = distance, best = known;
  }
  if (edit_distance(key, k_database_key) < best_distance) best = k_database_key;
  if (!best.empty()) return "unknown key (a typo for '" + std::string(best) + "'?)";
  std::string list;
  for (auto known : k_keys) list += (list.empty() ? "" : ", ") + std::string(known);
  for (auto known : k_mail_keys) list += ", " + std::string(known);
  for (auto known : k_desk_keys) list += ", " + std::string(known);
  for (const auto& cap : k_cap_keys) list += ", " + std::string(cap.key);
  for (auto known : k_component_keys) list += ", " + std::string(known);
  list += ", " + std::string(k_database_key);
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

// A number of days, decimals allowed ("30", "0.5"), >= 0, at most 100 years.
Parsed<std::chrono::milliseconds> parse_days(std::string_view text) {
  const std::string value(text);
  char* end = nullptr;
  errno = 0;
  const double days = std::strtod(value.c_str(), &end);
  const bool digits_only = value.find_first_not_of("0123456789.") == std::string::npos;
  if (value.empty() || !digits_only || end != value.c_str() + value.size() || errno != 0 ||
      !(days >= 0) || days > 36500)
    return Parsed<std::chrono::milliseconds>::fail(
        "must be a number of days, 0 or more (decimals allowed), not '" + value + "'");
  return Parsed<std::chrono::milliseconds>::ok(
      std::chrono::milliseconds(static_cast<std::int64_t>(days * 86'400'000.0)));
}

// smtp://host[:port] (default 25) or smtps://host[:port] (default 465), nothing after.
Parsed<std::pair<std::string, Endpoint>> parse_smtp_url(std::string_view text) {
  using Result = Parsed<std::pair<std::string, Endpoint>>;
  const auto lower = to_lower(text);
  std::string scheme;
  std::uint16_t port = 0;
  if (lower.starts_with("smtp://")) {
    scheme = "smtp", port = 25;
  } else if (lower.starts_with("smtps://")) {
    scheme = "smtps", port = 465;
  } else {
    return Result::fail("must be smtp://host:port or smtps://host:port, not '" + std::string(text) +
                        "'");
  }
  auto rest = text.substr(scheme.size() + 3);
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos)
    return Result::fail(
        "must be smtp://host:port or smtps://host:port with nothing after "
        "(a login goes in smtp_user and smtp_password)");
  auto endpoint = parse_endpoint(rest, port);
  if (!endpoint.value) return Result::fail(endpoint.error);
  const auto& host = endpoint.value->host;
  const auto shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return Result::ok(
      {scheme + "://" + shown + ":" + std::to_string(endpoint.value->port), *endpoint.value});
}

TlsPolicy read_tls_policy(const SectionReader& reader, const ini::Entry& entry) {
  const auto value = to_lower(reader.single_line(entry));
  if (value == "verify") return TlsPolicy::verify;
  if (value == "no-verify") return TlsPolicy::no_verify;
  if (value == "off") return TlsPolicy::off;
  reader.report().fail(&entry, {}, "must be verify, no-verify or off, not '" + entry.value + "'");
}

void read_mail_config(const SectionReader& reader, const EnvLookup& env, Config& config) {
  const auto& report = reader.report();
  auto& mail = config.mail;
  if (const auto* days = reader.optional("retention_days"))
    config.retention = reader.value_of(*days, parse_days(reader.single_line(*days)));
  if (const auto* delay = reader.optional("mail_delay"))
    mail.mail_delay = reader.value_of(*delay, parse_seconds(reader.single_line(*delay)));

  const auto* smtp = reader.optional("smtp");
  if (smtp == nullptr) return;  // no mail: the other mail keys are allowed and unused
  const auto [url, server] = reader.value_of(*smtp, parse_smtp_url(reader.single_line(*smtp)));
  mail.smtp = url;
  if (const auto* tls = reader.optional("smtp_tls")) {
    mail.smtp_tls = read_tls_policy(reader, *tls);
    if (mail.smtp_tls == TlsPolicy::off && !is_loopback(server.host))
      report.fail(tls, {},
                  "off is refused unless smtp is a loopback address (127.0.0.1, ::1, "
                  "localhost), and it is '" +
                      server.host + "'");
  }
  const auto& from = reader.required("mail_from", " (required with smtp)");
  std::string error;
  if (!mail::parse_mailbox(reader.single_line(from), error)) report.fail(&from, {}, error);
  mail.mail_from = from.value;
  if (const auto* user = reader.optional("smtp_user")) {
    mail.smtp_user = reader.single_line(*user);
    const auto variable = env ? env(std::string(k_smtp_password_variable)) : std::nullopt;
    if (variable && !variable->empty()) {
      mail.smtp_password = *variable;
    } else {
      mail.smtp_password = reader.single_line(reader.required(
          "smtp_password", " (required with smtp_user; or set the environment variable " +
                               std::string(k_smtp_password_variable) + ")"));
    }
  }
}

// Component mode: off without `component` (the other two keys are then allowed and unused, as
// the mail keys without smtp).
void read_component_config(const SectionReader& reader, const EnvLookup& env, Config& config) {
  const auto& report = reader.report();
  const auto* domain = reader.optional("component");
  if (domain == nullptr) return;
  auto& component = config.component;
  component.domain = reader.value_of(*domain, parse_domain(reader.single_line(*domain)));
  // The component is a domain of its own on the server: the bot's and the operators' domains
  // are the server's users, whose messages would never reach it.
  const auto user_domain = config.username.substr(config.username.find('@') + 1);
  if (component.domain == user_domain)
    report.fail(domain, {},
                "must be a domain of its own (such as chat." + user_domain +
                    "), not the domain of username");
  for (const auto& jid : config.localusers) {
    if (jid.substr(jid.find('@') + 1) == component.domain)
      report.fail(domain, {}, "must be a domain of its own, not the domain of the operator " + jid);
  }
  const auto variable = env ? env(std::string(k_component_secret_variable)) : std::nullopt;
  if (variable && !variable->empty()) {
    component.secret = *variable;
  } else {
    component.secret =
        reader.single_line(reader.required("component_secret",
                                           " (required with component; or set the environment "
                                           "variable " +
                                               std::string(k_component_secret_variable) + ")"));
  }
  if (const auto* server = reader.optional("component_server"))
    component.server =
        reader.value_of(*server, parse_endpoint(reader.single_line(*server), k_component_port));
}

bool is_language_tag(std::string_view tag) {
  static const std::regex k_tag("[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*");
  return tag.size() <= 35 && std::regex_match(tag.begin(), tag.end(), k_tag);
}

// `language` and the `texts` file: every line of the file is checked against the core's
// visitor texts (a known key in a section named by a language), or the file is refused.
void read_desk_config(const SectionReader& reader, Config& config) {
  auto& desk = config.desk;
  if (const auto* routing = reader.optional("routing")) {
    const auto value = to_lower(reader.single_line(*routing));
    if (value == "broadcast") {
      desk.routing = Routing::broadcast;
    } else if (value == "least-busy") {
      desk.routing = Routing::least_busy;
    } else {
      reader.report().fail(routing, {},
                           "must be broadcast or least-busy, not '" + routing->value + "'");
    }
  }
  if (const auto* timeout = reader.optional("offer_timeout"))
    desk.offer_timeout = std::chrono::seconds(reader.value_of(
        *timeout, parse_positive(reader.single_line(*timeout), k_max_offer_timeout)));
  if (const auto* replies = reader.optional("replies")) {
    // Read (and reread when it changes) by the broker: a broken file is reported to the
    // operators and in the log, never a reason not to start.
    desk.replies = reader.single_line(*replies);
    check_readable_file(reader, *replies);
  }
  if (const auto* shown = reader.optional("show_ip"))
    desk.show_ip = reader.value_of(*shown, parse_yes_no(reader.single_line(*shown)));
  if (const auto* hours = reader.optional("block_hours"))
    desk.block = std::chrono::hours(
        reader.value_of(*hours, parse_positive(reader.single_line(*hours), k_max_block_hours)));
}

void read_texts(const SectionReader& reader, Config& config) {
  const auto& report = reader.report();
  if (const auto* language = reader.optional("language")) {
    config.language = reader.single_line(*language);
    if (!is_language_tag(config.language))
      report.fail(language, {},
                  "must be a language tag such as en or de, not '" + language->value + "'");
  }
  const auto* texts = reader.optional("texts");
  if (texts == nullptr) return;
  config.texts = reader.single_line(*texts);
  check_readable_file(reader, *texts);
  // Problems name both places: this key, then the texts file's line.
  auto parsed = ini::parse(read_whole_file(config.texts));
  if (const auto* error = std::get_if<ini::ParseError>(&parsed)) {
    std::string line = config.texts + ":" + std::to_string(error->line) + ": ";
    if (!error->section.empty()) line += "[" + error->section + "] ";
    report.fail(texts, {}, line + error->message);
  }
  core::texts::VisitorTexts check(config.language);
  for (const auto& section : std::get<ini::Document>(parsed).sections) {
    for (const auto& entry : section.entries) {
      if (auto problem = check.set(section.name, entry.key, entry.value)) {
        report.fail(texts, {},
                    config.texts + ":" + std::to_string(entry.line) + ": [" + section.name + "] " +
                        entry.key + ": " + *problem);
      }
      config.text_overrides.push_back(TextOverride{section.name, entry.key, entry.value});
    }
  }
}

// Exactly one of sqlitedb (a file) and database (a PostgreSQL URI).
void read_store_location(const SectionReader& reader, Config& config) {
  const auto* sqlitedb = reader.optional("sqlitedb");
  const auto* database = reader.optional(k_database_key);
  if (sqlitedb != nullptr && database != nullptr) {
    reader.report().fail(database, {},
                         "give either sqlitedb (SQLite) or database (PostgreSQL), not both");
  }
  if (database == nullptr) {
    config.sqlitedb =
        reader.single_line(reader.required("sqlitedb", " (or database, a PostgreSQL URI)"));
    return;
  }
  config.database = reader.single_line(*database);
  if (!config.database.starts_with("postgresql://") &&
      !config.database.starts_with("postgres://")) {
    std::string problem = "must be a PostgreSQL URI (postgresql://user@host:port/dbname), not '";
    problem += config.database;
    problem += '\'';
    reader.report().fail(database, {}, problem);
  }
}

Config read_config(const SectionReader& reader, const EnvLookup& env) {
  Config config;
  const auto& report = reader.report();

  read_store_location(reader, config);

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

  if (const auto* proxies = reader.optional("trusted_proxies")) {
    for (auto item : split_list(proxies->value))
      config.trusted_proxies.push_back(reader.value_of(*proxies, parse_proxy(item)));
  }

  if (const auto* timeout = reader.optional("visitor_timeout"))
    config.visitor_timeout = reader.value_of(*timeout, parse_seconds(reader.single_line(*timeout)));
  if (const auto* timeout = reader.optional("accept_timeout"))
    config.accept_timeout = reader.value_of(*timeout, parse_seconds(reader.single_line(*timeout)));

  // Grace periods and the operator's share of chats (issue 14).
  if (const auto* grace = reader.optional("operator_grace"))
    config.operator_grace = reader.value_of(*grace, parse_seconds(reader.single_line(*grace)));
  if (const auto* grace = reader.optional("reconnect_grace"))
    config.reconnect_grace = reader.value_of(*grace, parse_seconds(reader.single_line(*grace)));
  if (const auto* grace = reader.optional("visitor_grace"))
    config.visitor_grace = reader.value_of(*grace, parse_seconds(reader.single_line(*grace)));
  if (const auto* chats = reader.optional("max_chats"))
    config.max_chats =
        reader.value_of(*chats, parse_positive(reader.single_line(*chats), k_max_chats_limit));

  if (const auto* level = reader.optional("log_level")) {
    const auto value = to_lower(reader.single_line(*level));
    if (std::find(k_log_levels.begin(), k_log_levels.end(), value) == k_log_levels.end())
      report.fail(level, {},
                  "must be trace, debug, info, warn or error, not '" + level->value + "'");
    config.log_level = value;
  }
  read_mail_config(reader, env, config);
  for (const auto& cap : k_cap_keys) {
    if (const auto* entry = reader.optional(cap.key))
      config.caps.*cap.field =
          reader.value_of(*entry, parse_count(reader.single_line(*entry), cap.max));
  }

  read_texts(reader, config);
  read_desk_config(reader, config);

  if (const auto* resource = reader.optional("resource"))
    config.resource = reader.value_of(*resource, parse_resource(reader.single_line(*resource)));
  if (const auto* shown = reader.optional("show_operator_name"))
    config.show_operator_name = reader.value_of(*shown, parse_yes_no(reader.single_line(*shown)));
  read_component_config(reader, env, config);
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
