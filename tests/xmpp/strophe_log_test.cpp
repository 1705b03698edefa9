#include "xmpp/strophe_log.hpp"

#include <gtest/gtest.h>

namespace seshat::xmpp {
namespace {

TEST(RedactStropheLine, SaslExchangesAreReplaced) {
  EXPECT_EQ(redact_strophe_line(
                "SENT: <auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"PLAIN\">AGJv"
                "dABzZWNyZXQ=</auth>",
                "secret"),
            "[SASL exchange redacted]");
  EXPECT_EQ(redact_strophe_line("SENT: <response xmlns=\"...\">Yz1iaXdz</response>", "pw"),
            "[SASL exchange redacted]");
}

TEST(RedactStropheLine, TheComponentHandshakeIsReplaced) {
  // XEP-0114: SHA-1 of the stream id and the secret, which the stream id lets one brute-force.
  EXPECT_EQ(redact_strophe_line("SENT: <handshake xmlns='jabber:component:accept'>2b1c</handshake>",
                                "pw"),
            "[SASL exchange redacted]");
  EXPECT_EQ(redact_strophe_line("Digest: 2b1c0a, len: 40", "pw"), "[SASL exchange redacted]");
}

TEST(RedactStropheLine, ThePasswordIsMaskedAnywhere) {
  EXPECT_EQ(redact_strophe_line("pw is hunter2, again hunter2", "hunter2"), "pw is ***, again ***");
}

TEST(RedactStropheLine, OrdinaryLinesPassUnchanged) {
  EXPECT_EQ(redact_strophe_line("RECV: <presence/>", "hunter2"), "RECV: <presence/>");
  EXPECT_EQ(redact_strophe_line("anything", ""), "anything");
}

}  // namespace
}  // namespace seshat::xmpp
