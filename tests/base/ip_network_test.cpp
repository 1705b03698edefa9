#include "base/ip_network.hpp"

#include <gtest/gtest.h>

namespace seshat::base {
namespace {

TEST(ParseNetwork, TakesAddressesAndCidrNetworksOfBothFamilies) {
  const auto ten = parse_network("10.0.0.0/8").value();
  EXPECT_TRUE(contains(ten, "10.200.3.4"));
  EXPECT_FALSE(contains(ten, "11.0.0.1"));
  EXPECT_TRUE(contains(ten, "::ffff:10.1.2.3")) << "IPv4-mapped is the same address";
  const auto one = parse_network("192.0.2.7").value();
  EXPECT_TRUE(contains(one, "192.0.2.7"));
  EXPECT_FALSE(contains(one, "192.0.2.8"));
  const auto odd = parse_network("192.0.2.0/25").value();
  EXPECT_TRUE(contains(odd, "192.0.2.127"));
  EXPECT_FALSE(contains(odd, "192.0.2.128"));
  const auto six = parse_network("fd00::/8").value();
  EXPECT_TRUE(contains(six, "fd12:3456::1"));
  EXPECT_FALSE(contains(six, "fe80::1"));
  EXPECT_FALSE(contains(six, "10.0.0.1"));
  EXPECT_TRUE(contains(parse_network("0.0.0.0/0").value(), "203.0.113.9"));
  EXPECT_FALSE(contains(parse_network("0.0.0.0/0").value(), "2001:db8::1"));
  EXPECT_FALSE(contains(ten, "not an address"));
}

TEST(ParseNetwork, RefusesWhatIsNotANetwork) {
  for (auto bad : {"", "proxy.example.com", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/x",
                   "10.0.0.0/-1", "10.0.0/8", "10.0.0.0/8/8"})
    EXPECT_FALSE(parse_network(bad).has_value()) << bad;
}

}  // namespace
}  // namespace seshat::base
