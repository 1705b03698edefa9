#include "app/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "config_parsing.hpp"
#include "temp_dir.hpp"

namespace seshat::app {
namespace {

namespace fs = std::filesystem;

// The seed's complete config file, with real addresses.
constexpr std::string_view k_seed = R"([Seshat]
sqlitedb = /tmp/seshat.db
localusers = joe@example.com, bob@customerservice.example.com
username = webchat@example.com
password = mypassword
)";

using config_testing::env_of;
using config_testing::error_of;
using config_testing::parse;

std::string seed_with(std::string_view extra) {
  return std::string(k_seed) + std::string(extra);
}

using testing::TempDir;

TEST(Config, LoadsTheSeedFileUnchanged) {
  TempDir dir;
  const auto path = dir.write("sample.ini", k_seed);
  const auto config = load_config(path.string(), "Seshat");
  EXPECT_EQ(config.sqlitedb, "/tmp/seshat.db");
  EXPECT_EQ(config.localusers,
            (std::vector<std::string>{"joe@example.com", "bob@customerservice.example.com"}));
  EXPECT_EQ(config.username, "webchat@example.com");
  if (std::getenv("SESHAT_PASSWORD") == nullptr) {
    EXPECT_EQ(config.password, "mypassword");
  }
}

TEST(Config, FillsDefaults) {
  const auto config = parse(k_seed);
  EXPECT_EQ(config.xmppserver.host, "example.com");
  EXPECT_EQ(config.xmppserver.port, 5222);
  EXPECT_EQ(config.tls, TlsPolicy::verify);
  EXPECT_EQ(config.tls_ca, "");
  EXPECT_EQ(config.listen.host, "127.0.0.1");
  EXPECT_EQ(config.listen.port, 8080);
  EXPECT_EQ(config.prefix, "/seshat");
  EXPECT_TRUE(config.allowed_origins.empty());
  EXPECT_EQ(config.visitor_timeout, std::chrono::seconds(300));
  EXPECT_EQ(config.accept_timeout, std::chrono::seconds(0));
  EXPECT_EQ(config.log_level, "info");
}

TEST(Config, AcceptsPrefixedAliasedMixedCaseKeysAndComments) {
  const auto config = parse(R"(
# The app's own section comes first.
[app]
anything = goes
[Seshat]
; operators
SESHAT_SQLITEDB = /var/lib/seshat.db
seshat_localusers = Joe@Example.com,
    bob@example.com
XmppUsername = bot@example.com
seshat_xmpppassword = p;ss #word
)");
  EXPECT_EQ(config.sqlitedb, "/var/lib/seshat.db");
  EXPECT_EQ(config.localusers, (std::vector<std::string>{"joe@example.com", "bob@example.com"}));
  EXPECT_EQ(config.username, "bot@example.com");
  EXPECT_EQ(config.password, "p;ss #word");
}

TEST(Config, ReadsEveryOptionalKey) {
  TempDir dir;
  const auto ca = dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  const auto config =
      parse(seed_with("xmppserver = xmpp.example.net:15222\n"
                      "tls = No-Verify\n"
                      "tls_ca = " +
                      ca.string() +
                      "\n"
                      "listen = [::]:9090\n"
                      "prefix = /support/chat\n"
                      "allowed_origins = https://shop.example.com, http://localhost:3000\n"
                      "visitor_timeout = 60\n"
                      "accept_timeout = 0\n"
                      "log_level = DEBUG\n"));
  EXPECT_EQ(config.xmppserver.host, "xmpp.example.net");
  EXPECT_EQ(config.xmppserver.port, 15222);
  EXPECT_EQ(config.tls, TlsPolicy::no_verify);
  EXPECT_EQ(config.tls_ca, ca.string());
  EXPECT_EQ(config.listen.host, "::");
  EXPECT_EQ(config.listen.port, 9090);
  EXPECT_EQ(config.prefix, "/support/chat");
  EXPECT_EQ(config.allowed_origins,
            (std::vector<std::string>{"https://shop.example.com", "http://localhost:3000"}));
  EXPECT_EQ(config.visitor_timeout, std::chrono::seconds(60));
  EXPECT_EQ(config.log_level, "debug");
}

TEST(Config, TrustedProxiesAreAddressesAndNetworks) {
  EXPECT_TRUE(parse(seed_with("")).trusted_proxies.empty()) << "none by default";
  const auto config = parse(seed_with("trusted_proxies = 127.0.0.1, 10.0.0.0/8\n  fd00::/8\n"));
  ASSERT_EQ(config.trusted_proxies.size(), 3u);
  EXPECT_TRUE(base::contains(config.trusted_proxies[1], "10.20.30.40"));
  EXPECT_TRUE(base::contains(config.trusted_proxies[2], "fd00::1"));
  EXPECT_EQ(error_of(seed_with("trusted_proxies = 10.0.0.0/8, proxy.example.com\n")),
            "sample.ini:6: [Seshat] trusted_proxies: 'proxy.example.com' is not an IP address or "
            "network (expected one like 10.0.0.0/8, 127.0.0.1 or fd00::/8)");
  EXPECT_NE(error_of(seed_with("trusted_proxies = 10.0.0.0/33\n")), "");
}

TEST(Config, EmptyOptionalValueMeansTheDefault) {
  const auto config = parse(seed_with("tls =\nlisten =\n"));
  EXPECT_EQ(config.tls, TlsPolicy::verify);
  EXPECT_EQ(config.listen.port, 8080);
}

TEST(Config, EnvironmentOverridesThePassword) {
  EXPECT_EQ(parse(k_seed, env_of({{"SESHAT_PASSWORD", "from-env"}})).password, "from-env");
  const auto without_password = R"([Seshat]
sqlitedb = /tmp/seshat.db
localusers = joe@example.com
username = webchat@example.com
)";
  EXPECT_EQ(parse(without_password, env_of({{"SESHAT_PASSWORD", "from-env"}})).password,
            "from-env");
  EXPECT_EQ(error_of(without_password, env_of({{"SESHAT_PASSWORD", ""}})),
            "sample.ini: [Seshat] password: missing (or set the environment variable "
            "SESHAT_PASSWORD)");
}

TEST(Config, TlsOffOnlyForLoopback) {
  for (auto server : {"127.0.0.1", "127.0.0.2:5222", "[::1]:5222", "localhost"}) {
    EXPECT_EQ(parse(seed_with(std::string("xmppserver = ") + server + "\ntls = off\n")).tls,
              TlsPolicy::off)
        << server;
  }
  EXPECT_EQ(error_of(seed_with("tls = off\n")),
            "sample.ini:6: [Seshat] tls: off is refused unless xmppserver is a loopback address "
            "(127.0.0.1, ::1, localhost), and it is 'example.com' (the domain of username)");
  EXPECT_EQ(error_of(seed_with("xmppserver = 10.0.0.1\ntls = off\n")),
            "sample.ini:7: [Seshat] tls: off is refused unless xmppserver is a loopback address "
            "(127.0.0.1, ::1, localhost), and it is '10.0.0.1'");
}

TEST(ConfigError, FileMissingOrUnreadable) {
  TempDir dir;
  const auto missing = (dir.path() / "missing.ini").string();
  try {
    (void)load_config(missing, "Seshat");
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), missing + ": cannot read: No such file or directory");
  }
  try {
    (void)load_config(dir.path().string(), "Seshat");
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), dir.path().string() + ": cannot read: it is a directory");
  }
  if (::geteuid() != 0) {  // root reads anything
    const auto locked = dir.write("locked.ini", k_seed);
    fs::permissions(locked, fs::perms::none);
    try {
      (void)load_config(locked.string(), "Seshat");
      FAIL() << "no error";
    } catch (const ConfigError& error) {
      EXPECT_EQ(std::string(error.what()), locked.string() + ": cannot read: Permission denied");
    }
  }
}

TEST(ConfigError, SectionMissingOrTwice) {
  EXPECT_EQ(error_of("[Other]\nkey = v\n"), "sample.ini: no section [Seshat]");
  EXPECT_EQ(error_of("[seshat]\nkey = v\n"),
            "sample.ini: no section [Seshat] (there is [seshat]; section names are "
            "case-sensitive)");
  EXPECT_EQ(error_of(seed_with("[Seshat]\nprefix = /x\n")),
            "sample.ini:6: [Seshat]: section given twice (first at line 1)");
}

TEST(ConfigError, MalformedLineNamesItsLine) {
  EXPECT_EQ(error_of(seed_with("tls verify\n")),
            "sample.ini:6: [Seshat] expected 'key = value', '[section]' or a comment, not 'tls "
            "verify'");
  EXPECT_EQ(error_of("sqlitedb = /tmp/x\n[Seshat]\n"),
            "sample.ini:1: key 'sqlitedb' before any [section]");
}

TEST(ConfigError, MissingOrEmptyRequiredKeys) {
  EXPECT_EQ(error_of("[Seshat]\nlocalusers = a@b.c\nusername = a@b.c\npassword = p\n"),
            "sample.ini: [Seshat] sqlitedb: missing (or database, a PostgreSQL URI)");
  EXPECT_EQ(error_of("[Seshat]\nsqlitedb = x\nusername = a@b.c\npassword = p\n"),
            "sample.ini: [Seshat] localusers: missing");
  EXPECT_EQ(error_of("[Seshat]\nsqlitedb = x\nlocalusers = a@b.c\npassword = p\n"),
            "sample.ini: [Seshat] username: missing");
  EXPECT_EQ(error_of("[Seshat]\nsqlitedb = x\nlocalusers = a@b.c\nusername = a@b.c\n"),
            "sample.ini: [Seshat] password: missing (or set the environment variable "
            "SESHAT_PASSWORD)");
  EXPECT_EQ(error_of("[Seshat]\nsqlitedb =\nlocalusers = a@b.c\nusername = a@b.c\npassword = p\n"),
            "sample.ini:2: [Seshat] sqlitedb: empty");
  EXPECT_EQ(error_of("[Seshat]\nsqlitedb = x\nlocalusers = , ,\nusername = a@b.c\npassword = p\n"),
            "sample.ini:3: [Seshat] localusers: lists no operator JID");
}

TEST(ConfigError, DuplicateKeysIncludingAliases) {
  EXPECT_EQ(error_of(seed_with("username = other@example.com\n")),
            "sample.ini:6: [Seshat] username: given twice (also as 'username' at line 4)");
  EXPECT_EQ(error_of(seed_with("xmpppassword = other\n")),
            "sample.ini:6: [Seshat] xmpppassword: given twice (also as 'password' at line 5)");
  EXPECT_EQ(error_of(seed_with("SESHAT_SQLITEDB = /tmp/other.db\n")),
            "sample.ini:6: [Seshat] SESHAT_SQLITEDB: given twice (also as 'sqlitedb' at line 2)");
}

TEST(Config, TheOperatorsDeskKeys) {
  const auto defaults = parse(seed_with(""));
  EXPECT_EQ(defaults.desk.routing, Routing::broadcast);
  EXPECT_EQ(defaults.desk.offer_timeout, std::chrono::seconds(30));
  EXPECT_EQ(defaults.desk.replies, "");
  EXPECT_FALSE(defaults.desk.show_ip);
  EXPECT_EQ(defaults.desk.block, std::chrono::hours(24));
  const auto set =
      parse(seed_with("routing = Least-Busy\noffer_timeout = 5\nshow_ip = yes\n"
                      "block_hours = 2\n"));
  EXPECT_EQ(set.desk.routing, Routing::least_busy);
  EXPECT_EQ(set.desk.offer_timeout, std::chrono::seconds(5));
  EXPECT_TRUE(set.desk.show_ip);
  EXPECT_EQ(set.desk.block, std::chrono::hours(2));
  EXPECT_EQ(error_of(seed_with("routing = random\n")),
            "sample.ini:6: [Seshat] routing: must be broadcast or least-busy, not 'random'");
  EXPECT_NE(error_of(seed_with("offer_timeout = 0\n")), "");
  EXPECT_NE(error_of(seed_with("block_hours = -1\n")), "");
  EXPECT_NE(error_of(seed_with("replies = /nonexistent/replies.ini\n")), "");
}

TEST(ConfigError, UnknownKeysAreProbablyTypos) {
  EXPECT_EQ(error_of(seed_with("xmppservr = localhost\n")),
            "sample.ini:6: [Seshat] xmppservr: unknown key (a typo for 'xmppserver'?)");
  EXPECT_EQ(error_of(seed_with("colour = blue\n")),
            "sample.ini:6: [Seshat] colour: unknown key (a typo? known keys: sqlitedb, "
            "localusers, username, password, xmppserver, tls, tls_ca, listen, prefix, "
            "allowed_origins, visitor_timeout, accept_timeout, log_level, operator_grace, "
            "reconnect_grace, visitor_grace, max_chats, language, texts, resource, "
            "show_operator_name, trusted_proxies, smtp, smtp_tls, smtp_user, "
            "smtp_password, mail_from, mail_delay, retention_days, routing, offer_timeout, "
            "replies, show_ip, block_hours, max_connections, "
            "max_connections_per_address, max_streams_per_chat, chats_per_minute, "
            "chats_per_minute_per_network, messages_per_minute_per_network, "
            "max_messages_per_chat, min_free_disk_mb, component, component_secret, "
            "component_server, database)");
}

TEST(Config, DatabaseIsAPostgresqlUriInsteadOfSqlitedb) {
  const auto config = parse(
      "[Seshat]\ndatabase = postgresql://seshat@db.example:5432/seshat\nlocalusers = "
      "a@b.c\nusername = bot@b.c\npassword = p\n");
  EXPECT_EQ(config.database, "postgresql://seshat@db.example:5432/seshat");
  EXPECT_EQ(config.sqlitedb, "");
  EXPECT_EQ(config.store_location(), "postgresql://seshat@db.example:5432/seshat");
  EXPECT_EQ(parse(k_seed).store_location(), "/tmp/seshat.db");
}

TEST(ConfigError, ExactlyOneOfSqlitedbAndDatabase) {
  EXPECT_EQ(error_of(seed_with("database = postgresql://db/seshat\n")),
            "sample.ini:6: [Seshat] database: give either sqlitedb (SQLite) or database "
            "(PostgreSQL), not both");
  EXPECT_EQ(error_of("[Seshat]\ndatabase = /var/lib/seshat.db\nlocalusers = a@b.c\nusername = "
                     "bot@b.c\npassword = p\n"),
            "sample.ini:2: [Seshat] database: must be a PostgreSQL URI "
            "(postgresql://user@host:port/dbname), not '/var/lib/seshat.db'");
}

TEST(Config, GracePeriodsAndMaxChats) {
  const auto defaults = parse(k_seed);
  EXPECT_EQ(defaults.operator_grace, std::chrono::seconds(30));
  EXPECT_EQ(defaults.reconnect_grace, std::chrono::seconds(90));
  EXPECT_EQ(defaults.visitor_grace, std::chrono::seconds(20));
  EXPECT_EQ(defaults.max_chats, 1);
  const auto set = parse(seed_with(
      "operator_grace = 5\nseshat_reconnect_grace = 20\nvisitor_grace = 0\nmax_chats = 3\n"));
  EXPECT_EQ(set.operator_grace, std::chrono::seconds(5));
  EXPECT_EQ(set.reconnect_grace, std::chrono::seconds(20));
  EXPECT_EQ(set.visitor_grace, std::chrono::seconds(0));
  EXPECT_EQ(set.max_chats, 3);
  EXPECT_EQ(error_of(seed_with("operator_grace = 30s\n")),
            "sample.ini:6: [Seshat] operator_grace: must be a whole number of seconds, 0 or "
            "more, not '30s'");
  EXPECT_EQ(error_of(seed_with("max_chats = 0\n")),
            "sample.ini:6: [Seshat] max_chats: must be a whole number from 1 to 100, not '0'");
  EXPECT_EQ(error_of(seed_with("max_chats = two\n")),
            "sample.ini:6: [Seshat] max_chats: must be a whole number from 1 to 100, not 'two'");
}

TEST(Config, LanguageAndTextsFile) {
  TempDir dir;
  const auto texts =
      dir.write("texts.ini", "[de]\nchat_started = Willkommen!\n\n[fr]\nchat_closed = Fini.\n");
  const auto config = parse(seed_with("language = de\ntexts = " + texts.string() + "\n"));
  EXPECT_EQ(config.language, "de");
  EXPECT_EQ(config.texts, texts.string());
  ASSERT_EQ(config.text_overrides.size(), 2u);
  EXPECT_EQ(config.text_overrides[0].language, "de");
  EXPECT_EQ(config.text_overrides[0].key, "chat_started");
  EXPECT_EQ(config.text_overrides[0].text, "Willkommen!");
  EXPECT_EQ(parse(k_seed).language, "en");
  EXPECT_TRUE(parse(k_seed).text_overrides.empty());
}

TEST(ConfigError, BadLanguageOrTextsFile) {
  TempDir dir;
  EXPECT_EQ(error_of(seed_with("language = german!\n")),
            "sample.ini:6: [Seshat] language: must be a language tag such as en or de, not "
            "'german!'");
  const auto unknown = dir.write("unknown.ini", "[de]\nchat_started = Hallo\nchat_stared = x\n");
  EXPECT_EQ(error_of(seed_with("texts = " + unknown.string() + "\n")),
            "sample.ini:6: [Seshat] texts: " + unknown.string() +
                ":3: [de] chat_stared: unknown text 'chat_stared' (known: chat_started, "
                "chat_closed, no_operator, operator_went_offline, held_back, nobody_can_take, "
                "nobody_could_take, lost_contact, all_busy, connection_dropped, operator_back, "
                "message_kept, message_kept_email, handed_on, handed_to_another)");
  const auto section = dir.write("section.ini", "[Deutsch!]\nchat_started = Hallo\n");
  EXPECT_EQ(error_of(seed_with("texts = " + section.string() + "\n")),
            "sample.ini:6: [Seshat] texts: " + section.string() +
                ":2: [Deutsch!] chat_started: 'Deutsch!' is not a language (a section is one, "
                "like [de])");
  const auto broken = dir.write("broken.ini", "[de]\nthis is not a line\n");
  EXPECT_EQ(error_of(seed_with("texts = " + broken.string() + "\n"))
                .rfind("sample.ini:6: [Seshat] texts: " + broken.string() + ":2: [de] ", 0),
            0u);
  const auto missing = (dir.path() / "missing.ini").string();
  EXPECT_EQ(
      error_of(seed_with("texts = " + missing + "\n")),
      "sample.ini:6: [Seshat] texts: cannot read '" + missing + "': No such file or directory");
}

TEST(ConfigError, BadJids) {
  EXPECT_EQ(
      error_of("[Seshat]\nsqlitedb = x\nlocalusers = a@b.c\nusername = webchat\npassword = p\n"),
      "sample.ini:4: [Seshat] username: 'webchat' is not a bare JID (expected local@domain)");
  EXPECT_EQ(
      error_of(
          "[Seshat]\nsqlitedb = x\nlocalusers = a@b.c\nusername = bot@b.c/res\npassword = p\n"),
      "sample.ini:4: [Seshat] username: 'bot@b.c/res' has a resource; give the bare JID "
      "(local@domain)");
  EXPECT_EQ(error_of("[Seshat]\nsqlitedb = x\nlocalusers = a@b.c, joe\nusername = bot@b.c\n"
                     "password = p\n"),
            "sample.ini:3: [Seshat] localusers: 'joe' is not a bare JID (expected local@domain)");
}

TEST(ConfigError, BadPortsAndAddresses) {
  EXPECT_EQ(error_of(seed_with("xmppserver = xmpp.example.com:99999\n")),
            "sample.ini:6: [Seshat] xmppserver: bad port '99999' (expected 1 to 65535)");
  EXPECT_EQ(error_of(seed_with("listen = 127.0.0.1\n")),
            "sample.ini:6: [Seshat] listen: '127.0.0.1' has no port (expected host:port)");
  EXPECT_EQ(error_of(seed_with("listen = 127.0.0.1:http\n")),
            "sample.ini:6: [Seshat] listen: bad port 'http' (expected 1 to 65535)");
}

TEST(ConfigError, BadEnumeratedValues) {
  EXPECT_EQ(error_of(seed_with("\ntls = maybe\n")),
            "sample.ini:7: [Seshat] tls: must be verify, no-verify or off, not 'maybe'");
  EXPECT_EQ(error_of(seed_with("log_level = loud\n")),
            "sample.ini:6: [Seshat] log_level: must be trace, debug, info, warn or error, not "
            "'loud'");
}

TEST(ConfigError, BadTlsCa) {
  EXPECT_EQ(error_of(seed_with("tls_ca = /nonexistent/ca.pem\n")),
            "sample.ini:6: [Seshat] tls_ca: cannot read '/nonexistent/ca.pem': No such file or "
            "directory");
  TempDir dir;
  EXPECT_EQ(
      error_of(seed_with("tls_ca = " + dir.path().string() + "\n")),
      "sample.ini:6: [Seshat] tls_ca: '" + dir.path().string() + "' is a directory, not a file");
}

TEST(ConfigError, BadPrefixOriginsTimeouts) {
  EXPECT_EQ(error_of(seed_with("prefix = /seshat/\n")),
            "sample.ini:6: [Seshat] prefix: must start with '/' and not end with '/', with "
            "letters, digits and -._~ in between, e.g. /seshat; not '/seshat/'");
  EXPECT_EQ(error_of(seed_with("allowed_origins = https://ok.example.com, shop.example.com\n")),
            "sample.ini:6: [Seshat] allowed_origins: 'shop.example.com' is not an http(s) origin "
            "(expected an origin like https://shop.example.com)");
  EXPECT_EQ(error_of(seed_with("visitor_timeout = -5\n")),
            "sample.ini:6: [Seshat] visitor_timeout: must be a whole number of seconds, 0 or "
            "more, not '-5'");
  EXPECT_EQ(error_of(seed_with("accept_timeout = 2m\n")),
            "sample.ini:6: [Seshat] accept_timeout: must be a whole number of seconds, 0 or "
            "more, not '2m'");
}

TEST(ConfigError, SingleValueKeysMustBeOneLine) {
  EXPECT_EQ(error_of(seed_with("prefix = /a\n  /b\n")),
            "sample.ini:6: [Seshat] prefix: must be on one line");
}

}  // namespace
TEST(Config, AnErrorAboutAValueOnTwoLinesIsStillOneLine) {
  // Found by fuzzing: an indented line continues the value, and the message quoted it whole.
  for (const auto* key : {"tls", "log_level", "tls_ca"}) {
    const auto message = error_of(seed_with(std::string(key) + " = maybe\n  more\n"));
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find(key), std::string::npos) << message;
  }
}

TEST(Config, CapsAgainstAbuseHaveDefaultsAndMayBeSetOrTurnedOff) {
  const auto defaults = parse(k_seed);
  EXPECT_EQ(defaults.caps.max_connections, 20000);
  EXPECT_EQ(defaults.caps.max_connections_per_address, 200);
  EXPECT_EQ(defaults.caps.max_streams_per_chat, 8);
  EXPECT_EQ(defaults.caps.chats_per_minute, 120);
  EXPECT_EQ(defaults.caps.chats_per_minute_per_network, 10);
  EXPECT_EQ(defaults.caps.messages_per_minute_per_network, 600);
  EXPECT_EQ(defaults.caps.max_messages_per_chat, 2000);
  EXPECT_EQ(defaults.caps.min_free_disk_mb, 200);
  const auto set = parse(seed_with(
      "max_connections = 500\nseshat_max_connections_per_address = 0\nmax_streams_per_chat = 2\n"));
  EXPECT_EQ(set.caps.max_connections, 500);
  EXPECT_EQ(set.caps.max_connections_per_address, 0);
  EXPECT_EQ(set.caps.max_streams_per_chat, 2);
  EXPECT_EQ(error_of(seed_with("max_streams_per_chat = -1\n")),
            "sample.ini:6: [Seshat] max_streams_per_chat: must be a whole number from 0 to "
            "1000000, not '-1'");
  EXPECT_EQ(error_of(seed_with("max_conections = 5\n")),
            "sample.ini:6: [Seshat] max_conections: unknown key (a typo for 'max_connections'?)");
}

}  // namespace seshat::app
