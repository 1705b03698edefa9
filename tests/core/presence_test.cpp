#include "core/presence.hpp"

#include <gtest/gtest.h>

namespace seshat::core {
namespace {

using Jids = std::vector<std::string>;

TEST(ShowFromString, KnowsXmppShowValues) {
  EXPECT_EQ(show_from_string(""), Show::available);
  EXPECT_EQ(show_from_string("chat"), Show::chat);
  EXPECT_EQ(show_from_string("away"), Show::away);
  EXPECT_EQ(show_from_string("xa"), Show::xa);
  EXPECT_EQ(show_from_string("dnd"), Show::dnd);
  EXPECT_EQ(show_from_string("unavailable"), Show::unavailable);
  EXPECT_EQ(show_from_string("busy"), std::nullopt);
}

TEST(SplitJid, LowerCasesTheBarePartAndKeepsTheResource) {
  const auto jid = split_jid("Joe@Example.COM/Laptop");
  EXPECT_EQ(jid.bare, "joe@example.com");
  EXPECT_EQ(jid.resource, "Laptop");
}

TEST(SplitJid, HandlesBareJidsSlashesInResourcesAndSpaces) {
  EXPECT_EQ(split_jid("joe@example.com").bare, "joe@example.com");
  EXPECT_EQ(split_jid("joe@example.com").resource, "");
  EXPECT_EQ(split_jid("joe@example.com/a/b").resource, "a/b");
  EXPECT_EQ(split_jid("  joe@example.com \n").bare, "joe@example.com");
}

TEST(BareJid, ViewsABareLowerCasedJidAndNormalisesAnyOther) {
  std::string scratch;
  const std::string_view bare = "joe@example.com";
  EXPECT_EQ(bare_jid(bare, scratch).data(), bare.data());  // no copy
  EXPECT_TRUE(scratch.empty());
  for (const std::string_view jid :
       {"Joe@Example.COM", "joe@example.com/Laptop", " joe@example.com\n"}) {
    EXPECT_EQ(bare_jid(jid, scratch), "joe@example.com") << jid;
    EXPECT_EQ(bare_jid(jid, scratch).data(), scratch.data()) << jid;
  }
}

TEST(Presence, AnswersForAJidInAnyFormOfTheSameOperator) {
  Presence presence;
  presence.update("Joe@Example.com/laptop", Show::available);
  EXPECT_TRUE(presence.is_available("joe@example.com"));
  EXPECT_TRUE(presence.is_available("JOE@example.com/phone"));
  EXPECT_TRUE(presence.is_online(" joe@EXAMPLE.com "));
  EXPECT_EQ(presence.available(), Jids{"joe@example.com"});
}

TEST(Presence, NobodyIsAvailableAtFirst) {
  Presence presence;
  EXPECT_FALSE(presence.is_available("joe@example.com"));
  EXPECT_FALSE(presence.is_online("joe@example.com"));
  EXPECT_EQ(presence.available(), Jids{});
}

TEST(Presence, UpdateReportsAvailabilityChangesOnly) {
  Presence presence;
  EXPECT_TRUE(presence.update("joe@example.com/laptop", Show::available));
  EXPECT_FALSE(presence.update("joe@example.com/laptop", Show::chat));
  EXPECT_FALSE(presence.update("joe@example.com/phone", Show::available));
  EXPECT_TRUE(presence.is_available("JOE@example.com"));
}

TEST(Presence, TwoResourcesStayAvailableUntilBothAreGone) {
  Presence presence;
  presence.update("joe@example.com/laptop", Show::available);
  presence.update("joe@example.com/phone", Show::available);
  EXPECT_FALSE(presence.update("joe@example.com/laptop", Show::unavailable));
  EXPECT_TRUE(presence.is_available("joe@example.com"));
  EXPECT_TRUE(presence.update("joe@example.com/phone", Show::unavailable));
  EXPECT_FALSE(presence.is_available("joe@example.com"));
  EXPECT_FALSE(presence.is_online("joe@example.com"));
}

TEST(Presence, AwayXaAndDndAreOnlineButNotAvailable) {
  for (const auto show : {Show::away, Show::xa, Show::dnd}) {
    Presence presence;
    EXPECT_FALSE(presence.update("joe@example.com/laptop", show));
    EXPECT_FALSE(presence.is_available("joe@example.com"));
    EXPECT_TRUE(presence.is_online("joe@example.com"));
  }
}

TEST(Presence, OneAvailableResourceOutweighsAnAwayOne) {
  Presence presence;
  presence.update("joe@example.com/laptop", Show::away);
  EXPECT_TRUE(presence.update("joe@example.com/phone", Show::available));
  EXPECT_TRUE(presence.update("joe@example.com/phone", Show::dnd));
  EXPECT_TRUE(presence.is_online("joe@example.com"));
}

TEST(Presence, UnavailableFromTheBareJidMeansEveryResource) {
  Presence presence;
  presence.update("joe@example.com/laptop", Show::available);
  presence.update("joe@example.com/phone", Show::away);
  EXPECT_TRUE(presence.update("joe@example.com", Show::unavailable));
  EXPECT_FALSE(presence.is_online("joe@example.com"));
}

TEST(Presence, UnavailableForAnUnknownResourceChangesNothing) {
  Presence presence;
  EXPECT_FALSE(presence.update("joe@example.com/laptop", Show::unavailable));
  presence.update("joe@example.com/laptop", Show::available);
  EXPECT_FALSE(presence.update("joe@example.com/tablet", Show::unavailable));
  EXPECT_TRUE(presence.is_available("joe@example.com"));
}

TEST(Presence, AvailableListsSortedBareJids) {
  Presence presence;
  presence.update("joe@example.com/laptop", Show::available);
  presence.update("Bob@Example.com/phone", Show::chat);
  presence.update("ann@example.com/laptop", Show::away);
  EXPECT_EQ(presence.available(), (Jids{"bob@example.com", "joe@example.com"}));
}

TEST(Presence, ClearForgetsEveryone) {
  Presence presence;
  presence.update("joe@example.com/laptop", Show::available);
  presence.clear();
  EXPECT_FALSE(presence.is_online("joe@example.com"));
  EXPECT_EQ(presence.available(), Jids{});
}

}  // namespace
}  // namespace seshat::core
