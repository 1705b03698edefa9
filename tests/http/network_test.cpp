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

}  // namespace
}  // namespace seshat::http
