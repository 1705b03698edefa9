#include "xmpp/strophe_log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>

#include "xmpp/strophe_common.hpp"

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

// What libstrophe logs for a connection attempt (its debug lines), through a StropheLog into
// spdlog at debug level.
std::string logged_connecting(bool silent) {
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>(
      "strophe-log-test", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  logger->set_level(spdlog::level::debug);
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  const std::string password = "pw";
  StropheLog log(password);
  log.set_silent(silent);
  initialize_libstrophe_once();
  xmpp_ctx_t* ctx = xmpp_ctx_new(nullptr, log.get());
  xmpp_conn_t* conn = xmpp_conn_new(ctx);
  xmpp_conn_set_jid(conn, "bot@localhost");
  xmpp_connect_client(
      conn, "127.0.0.1", 1,
      [](xmpp_conn_t*, xmpp_conn_event_t, int, xmpp_stream_error_t*, void*) {}, nullptr);
  xmpp_conn_release(conn);
  xmpp_ctx_free(ctx);
  spdlog::set_default_logger(previous);
  return out.str();
}

TEST(StropheLog, RoutesLibstrophesLinesIntoTheLog) {
  EXPECT_NE(logged_connecting(false).find("libstrophe xmpp: sock_connect() to 127.0.0.1:1"),
            std::string::npos);
}

TEST(StropheLog, SilentTakesNoLineFromLibstrophe) {
  EXPECT_EQ(logged_connecting(true), "");
}

}  // namespace
}  // namespace seshat::xmpp
