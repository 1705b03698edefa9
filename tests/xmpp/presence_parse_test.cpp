#include "xmpp/presence_parse.hpp"

#include <gtest/gtest.h>

namespace seshat::xmpp {
namespace {

using core::Show;

void expect_availability(std::string_view type, std::string_view show, Show expected) {
  const auto parsed = parse_presence(type, show);
  EXPECT_EQ(parsed.kind, PresenceKind::availability) << type << "/" << show;
  EXPECT_EQ(parsed.show, expected) << type << "/" << show;
}

TEST(ParsePresence, ShowValues) {
  expect_availability("", "", Show::available);
  expect_availability("", "chat", Show::chat);
  expect_availability("", "away", Show::away);
  expect_availability("", "xa", Show::xa);
  expect_availability("", "dnd", Show::dnd);
}

TEST(ParsePresence, UnknownOrBogusShowCountsAsAvailable) {
  expect_availability("", "sleeping", Show::available);
  expect_availability("", "unavailable", Show::available);
}

TEST(ParsePresence, UnavailableType) {
  expect_availability("unavailable", "", Show::unavailable);
}

TEST(ParsePresence, SubscribeIsARequest) {
  EXPECT_EQ(parse_presence("subscribe", "").kind, PresenceKind::subscribe_request);
}

TEST(ParsePresence, OtherTypesReportNothing) {
  for (auto type : {"subscribed", "unsubscribe", "unsubscribed", "probe", "error", "bogus"}) {
    EXPECT_EQ(parse_presence(type, "").kind, PresenceKind::other) << type;
  }
}

TEST(ParsePresence, PriorityIsAnIntegerFromMinus128To127Else0) {
  EXPECT_EQ(parse_presence("", "", "").priority, 0);
  EXPECT_EQ(parse_presence("", "", "5").priority, 5);
  EXPECT_EQ(parse_presence("", "away", " -1 ").priority, -1);
  EXPECT_EQ(parse_presence("", "", "-128").priority, -128);
  EXPECT_EQ(parse_presence("", "", "127").priority, 127);
  for (auto bogus : {"128", "-129", "1.5", "high", "+", "9999999999999"}) {
    EXPECT_EQ(parse_presence("", "", bogus).priority, 0) << bogus;
  }
}

}  // namespace
}  // namespace seshat::xmpp
