// How the bot answers IQs: every rule of iq_policy.hpp, with the payloads of the XEP examples
// (XEP-0199 example 1, XEP-0030 example 8, XEP-0092 example 1, RFC 6121 example 2.1.6).

#include "xmpp/iq_policy.hpp"

#include <gtest/gtest.h>

namespace seshat::xmpp {
namespace {

constexpr std::string_view k_bot = "bot@localhost";

IqAnswer answer(std::string_view type, std::string_view from, std::string_view name,
                std::string_view ns, std::string_view node = {}) {
  return answer_iq(IqRequest{type, from, name, ns, node}, k_bot, "urn:seshat#VER=");
}

TEST(IqPolicy, PingDiscoAndVersion) {
  EXPECT_EQ(answer("get", "joe@localhost/x", "ping", "urn:xmpp:ping"), IqAnswer::empty_result);
  EXPECT_EQ(answer("get", "joe@localhost/x", "query", "http://jabber.org/protocol/disco#info"),
            IqAnswer::disco_info);
  EXPECT_EQ(answer("get", "joe@localhost/x", "query", "http://jabber.org/protocol/disco#info",
                   "urn:seshat#VER="),
            IqAnswer::disco_info);  // XEP-0115: the node of our capabilities
  EXPECT_EQ(answer("get", "joe@localhost/x", "query", "http://jabber.org/protocol/disco#info",
                   "urn:seshat#OTHER"),
            IqAnswer::item_not_found);
  EXPECT_EQ(answer("get", "joe@localhost/x", "query", "jabber:iq:version"), IqAnswer::version);
}

TEST(IqPolicy, RosterPushesFromOurAccountAreAnsweredOthersIgnored) {
  EXPECT_EQ(answer("set", "", "query", "jabber:iq:roster"), IqAnswer::empty_result);
  EXPECT_EQ(answer("set", "bot@localhost", "query", "jabber:iq:roster"), IqAnswer::empty_result);
  EXPECT_EQ(answer("set", "Bot@LocalHost/seshat", "query", "jabber:iq:roster"),
            IqAnswer::empty_result);
  EXPECT_EQ(answer("set", "eve@localhost/x", "query", "jabber:iq:roster"), IqAnswer::none);
}

TEST(IqPolicy, AnythingElseIsServiceUnavailable) {
  EXPECT_EQ(answer("get", "joe@localhost/x", "query", "jabber:iq:last"),
            IqAnswer::service_unavailable);
  EXPECT_EQ(answer("set", "joe@localhost/x", "query", "jabber:iq:private"),
            IqAnswer::service_unavailable);
  EXPECT_EQ(answer("get", "joe@localhost/x", "", ""), IqAnswer::service_unavailable);
  EXPECT_EQ(answer("set", "joe@localhost/x", "ping", "urn:xmpp:ping"),
            IqAnswer::service_unavailable);
}

TEST(IqPolicy, ResultsAndErrorsAreNeverAnswered) {
  for (const auto* type : {"result", "error", "", "bogus"}) {
    EXPECT_EQ(answer(type, "joe@localhost/x", "ping", "urn:xmpp:ping"), IqAnswer::none) << type;
  }
}

}  // namespace
}  // namespace seshat::xmpp
