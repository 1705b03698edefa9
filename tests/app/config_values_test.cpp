#include "app/config_values.hpp"

#include <gtest/gtest.h>

namespace seshat::app {
namespace {

TEST(BareJid, AcceptsAndLowersLocalAtDomain) {
  EXPECT_EQ(parse_bare_jid("Joe@Example.COM").value, "joe@example.com");
  EXPECT_EQ(parse_bare_jid("bob@customerservice.example.com").value,
            "bob@customerservice.example.com");
  EXPECT_EQ(parse_bare_jid("bot@localhost").value, "bot@localhost");
  EXPECT_EQ(parse_bare_jid("bot@[::1]").value, "bot@[::1]");
}

TEST(BareJid, RefusesWhatIsNotABareJid) {
  EXPECT_EQ(parse_bare_jid("joe").error, "'joe' is not a bare JID (expected local@domain)");
  EXPECT_EQ(parse_bare_jid("@example.com").error,
            "'@example.com' is not a bare JID (expected local@domain)");
  EXPECT_EQ(parse_bare_jid("joe@example.com/laptop").error,
            "'joe@example.com/laptop' has a resource; give the bare JID (local@domain)");
  for (auto bad : {"jo e@example.com", "joe@exa mple.com", "joe@@example.com", "joe@example..com",
                   "a<b@example.com", "joe@-example.com", "joe@example.com:5222"}) {
    EXPECT_FALSE(parse_bare_jid(bad).value) << bad;
  }
}

TEST(Endpoint, ParsesHostPortAndIpv6) {
  auto endpoint = parse_endpoint("xmpp.example.com", 5222).value;
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->host, "xmpp.example.com");
  EXPECT_EQ(endpoint->port, 5222);
  endpoint = parse_endpoint("Host:15222", 5222).value;
  EXPECT_EQ(endpoint->host, "host");
  EXPECT_EQ(endpoint->port, 15222);
  endpoint = parse_endpoint("[::1]:5223", 5222).value;
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->port, 5223);
  endpoint = parse_endpoint("::1", 5222).value;
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->port, 5222);
  endpoint = parse_endpoint("[::]:8080", std::nullopt).value;
  EXPECT_EQ(endpoint->host, "::");
}

TEST(Endpoint, RefusesBadPortsAndAddresses) {
  EXPECT_EQ(parse_endpoint("host:0", 5222).error, "bad port '0' (expected 1 to 65535)");
  EXPECT_EQ(parse_endpoint("host:65536", 5222).error, "bad port '65536' (expected 1 to 65535)");
  EXPECT_EQ(parse_endpoint("host:", 5222).error, "bad port '' (expected 1 to 65535)");
  EXPECT_EQ(parse_endpoint("host:8o", 5222).error, "bad port '8o' (expected 1 to 65535)");
  EXPECT_EQ(parse_endpoint("127.0.0.1", std::nullopt).error,
            "'127.0.0.1' has no port (expected host:port)");
  EXPECT_FALSE(parse_endpoint("[::1", 5222).value);
  EXPECT_FALSE(parse_endpoint("[example.com]:1", 5222).value);
  EXPECT_FALSE(parse_endpoint("ho st:1", 5222).value);
  EXPECT_FALSE(parse_endpoint(":8080", std::nullopt).value);
  EXPECT_FALSE(parse_endpoint("a:b:c", 5222).value);
}

TEST(Loopback, KnowsLoopbackAddresses) {
  for (auto host : {"127.0.0.1", "127.1.2.3", "::1", "localhost", "LocalHost", "::ffff:127.0.0.1"})
    EXPECT_TRUE(is_loopback(host)) << host;
  for (auto host :
       {"128.0.0.1", "10.0.0.1", "example.com", "localhost.example.com", "::2", "127.example.com"})
    EXPECT_FALSE(is_loopback(host)) << host;
}

TEST(Origin, NormalisesOrigins) {
  EXPECT_EQ(parse_origin("https://Shop.Example.com").value, "https://shop.example.com");
  EXPECT_EQ(parse_origin("https://shop.example.com:443").value, "https://shop.example.com");
  EXPECT_EQ(parse_origin("http://localhost:3000").value, "http://localhost:3000");
  EXPECT_EQ(parse_origin("http://[::1]:3000").value, "http://[::1]:3000");
  EXPECT_FALSE(parse_origin("shop.example.com").value);
  EXPECT_FALSE(parse_origin("ftp://shop.example.com").value);
  EXPECT_EQ(parse_origin("https://shop.example.com/").error,
            "'https://shop.example.com/' has a path; an origin has none (expected an origin like "
            "https://shop.example.com)");
}

TEST(Prefix, MustBeAPathWithoutTrailingSlash) {
  EXPECT_EQ(parse_prefix("/seshat").value, "/seshat");
  EXPECT_EQ(parse_prefix("/support/chat").value, "/support/chat");
  for (auto bad : {"seshat", "/seshat/", "/", "", "/a//b", "/a b", "/a?b"})
    EXPECT_FALSE(parse_prefix(bad).value) << bad;
}

TEST(Seconds, WholeNumbersZeroOrMore) {
  EXPECT_EQ(parse_seconds("0").value, std::chrono::seconds(0));
  EXPECT_EQ(parse_seconds("300").value, std::chrono::seconds(300));
  for (auto bad : {"-1", "1.5", "5m", "", "99999999999999999999"})
    EXPECT_FALSE(parse_seconds(bad).value) << bad;
}

TEST(List, SplitsOnCommasAndWhiteSpace) {
  const auto items = split_list(" a@b, c@d,,e@f\n g@h ,");
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0], "a@b");
  EXPECT_EQ(items[3], "g@h");
}

}  // namespace
}  // namespace seshat::app
