// Which addresses the mail side accepts, and the From: forms of mail_from.
#include "mail/address.hpp"

#include <gtest/gtest.h>

namespace seshat::mail {
namespace {

TEST(Address, AcceptsPlainAddresses) {
  EXPECT_TRUE(is_valid_address("ann@shop.example"));
  EXPECT_TRUE(is_valid_address("ann.b+tag@mail.shop-1.example"));
  EXPECT_TRUE(is_valid_address("o'brien@example.org"));
}

TEST(Address, RefusesWhatCouldBreakAHeaderOrACommand) {
  EXPECT_FALSE(is_valid_address("ann@shop.example\r\nBcc: all@example.com"));
  EXPECT_FALSE(is_valid_address("ann@shop.example\nX: y"));
  EXPECT_FALSE(is_valid_address("ann@shop.example>"));
  EXPECT_FALSE(is_valid_address("<ann@shop.example"));
  EXPECT_FALSE(is_valid_address("ann smith@shop.example"));
  EXPECT_FALSE(is_valid_address("ann@shop.example, bob@shop.example"));
  EXPECT_FALSE(is_valid_address("\"ann\"@shop.example"));
  EXPECT_FALSE(is_valid_address("ann@[127.0.0.1]"));
  EXPECT_FALSE(is_valid_address("ann@localhost"));
  EXPECT_FALSE(is_valid_address("ann@@shop.example"));
  EXPECT_FALSE(is_valid_address(".ann@shop.example"));
  EXPECT_FALSE(is_valid_address("an..n@shop.example"));
  EXPECT_FALSE(is_valid_address("ann@-shop.example"));
  EXPECT_FALSE(is_valid_address("änn@shop.example"));
  EXPECT_FALSE(is_valid_address(""));
  EXPECT_FALSE(is_valid_address(std::string(65, 'a') + "@shop.example"));
  EXPECT_FALSE(is_valid_address("a@" + std::string(250, 'b') + ".example"));
}

TEST(Address, KeyAndDomain) {
  EXPECT_EQ(address_key("Ann@Shop.Example"), "ann@shop.example");
  EXPECT_EQ(domain_of("ann@shop.example"), "shop.example");
}

TEST(Address, ParsesMailFromInBothForms) {
  std::string error;
  auto plain = parse_mailbox("support@shop.example", error);
  ASSERT_TRUE(plain) << error;
  EXPECT_EQ(plain->address, "support@shop.example");
  EXPECT_EQ(plain->display_name, "");

  auto named = parse_mailbox("  Shop Support <support@shop.example> ", error);
  ASSERT_TRUE(named) << error;
  EXPECT_EQ(named->address, "support@shop.example");
  EXPECT_EQ(named->display_name, "Shop Support");

  auto quoted = parse_mailbox("\"Shop, Support\" <support@shop.example>", error);
  ASSERT_TRUE(quoted) << error;
  EXPECT_EQ(quoted->display_name, "Shop, Support");
}

TEST(Address, RefusesABrokenMailFromWithAReason) {
  std::string error;
  EXPECT_FALSE(parse_mailbox("support", error));
  EXPECT_EQ(error, "'support' is not a mail address (like support@example.com)");
  EXPECT_FALSE(parse_mailbox("Shop <support@shop.example", error));
  EXPECT_EQ(error, "must be an address or 'Name <address>'");
  EXPECT_FALSE(parse_mailbox("Sh\"op <support@shop.example>", error));
}

}  // namespace
}  // namespace seshat::mail
