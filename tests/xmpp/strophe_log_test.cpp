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

TEST(RedactStropheLine, ThePasswordIsMaskedAnywhere) {
  EXPECT_EQ(redact_strophe_line("pw is hunter2, again hunter2", "hunter2"), "pw is ***, again ***");
}

TEST(RedactStropheLine, OrdinaryLinesPassUnchanged) {
  EXPECT_EQ(redact_strophe_line("RECV: <presence/>", "hunter2"), "RECV: <presence/>");
  EXPECT_EQ(redact_strophe_line("anything", ""), "anything");
}

}  // namespace
}  // namespace seshat::xmpp
