#include "http/network.hpp"

#include <gtest/gtest.h>

namespace seshat::http {
namespace {

TEST(NetworkOf, GroupsAddressesBySlash24AndSlash64) {
  EXPECT_EQ(network_of("192.0.2.77"), "192.0.2.0/24");
  EXPECT_EQ(network_of("127.0.0.2"), network_of("127.0.0.250"));
  EXPECT_NE(network_of("127.0.0.2"), network_of("127.0.1.2"));
  EXPECT_EQ(network_of("::ffff:192.0.2.9"), "192.0.2.0/24") << "IPv4-mapped counts as IPv4";
  EXPECT_EQ(network_of("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(network_of("2001:db8:1:2::9"), network_of("2001:db8:1:2:ffff::1"));
  EXPECT_EQ(network_of("::1"), "0:0:0:0::/64");
  EXPECT_EQ(network_of("not an address"), "");
}

std::vector<base::IpNetwork> networks(std::initializer_list<std::string_view> texts) {
  std::vector<base::IpNetwork> out;
  for (auto text : texts) out.push_back(base::parse_network(text).value());
  return out;
}

TEST(ClientAddress, APeerThatIsNoTrustedProxyIsTheClientWhateverTheHeaderSays) {
  EXPECT_EQ(client_address("203.0.113.9", "198.51.100.1", {}), "203.0.113.9");
  EXPECT_EQ(client_address("203.0.113.9", "198.51.100.1", networks({"10.0.0.0/8"})), "203.0.113.9");
}

TEST(ClientAddress, BehindTrustedProxiesTheNearestUntrustedHopIsTheClient) {
  const auto trusted = networks({"10.0.0.0/8", "127.0.0.1"});
  EXPECT_EQ(client_address("10.0.0.5", "198.51.100.7", trusted), "198.51.100.7");
  // A client that wrote its own header: its proxy appended the address it really came from.
  EXPECT_EQ(client_address("10.0.0.5", "1.2.3.4, 198.51.100.7", trusted), "198.51.100.7");
  // Two proxies in a row (a CDN's edge in 10/8, then nginx on the gateway's machine).
  EXPECT_EQ(client_address("127.0.0.1", "1.2.3.4,198.51.100.7 , 10.9.9.9", trusted),
            "198.51.100.7");
  EXPECT_EQ(client_address("10.0.0.5", "2001:db8::5", trusted), "2001:db8::5");
}

TEST(ClientAddress, StopsAtWhatItCannotBelieve) {
  const auto trusted = networks({"10.0.0.0/8"});
  EXPECT_EQ(client_address("10.0.0.5", "", trusted), "10.0.0.5") << "no header: the proxy";
  EXPECT_EQ(client_address("10.0.0.5", "10.1.1.1, 10.2.2.2", trusted), "10.1.1.1")
      << "every hop trusted: the farthest";
  EXPECT_EQ(client_address("10.0.0.5", "198.51.100.7, unknown", trusted), "10.0.0.5")
      << "garbage next to the proxy: nothing beyond it is believed";
  EXPECT_EQ(client_address("10.0.0.5", "junk, 10.3.3.3", trusted), "10.3.3.3");
}

}  // namespace
}  // namespace seshat::http
