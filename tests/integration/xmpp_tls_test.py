"""TLS policies of seshat::xmpp::Connection against Prosody's self-signed "localhost" certificate."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness.case  # noqa: E402


class TlsTest(harness.case.ProsodyTestCase):
    def test_verify_with_the_test_ca_connects(self):
        probe = self.probe(tls="verify")  # ca_file: the server's own certificate
        probe.expect("connected")
        self.assertTrue(probe.status()["connected"])
        with open(probe.stderr_path) as log:
            self.assertIn("(TLS)", log.read())

    def test_verify_without_the_ca_refuses_the_server_and_keeps_retrying(self):
        probe = self.probe(tls="verify", ca_file=None, min_backoff_ms=50, max_backoff_ms=200)
        deadline = time.monotonic() + 20
        while (status := probe.status())["reconnects"] < 3:
            self.assertFalse(status["connected"])
            self.assertLess(time.monotonic(), deadline, "the probe stopped retrying")
            time.sleep(0.05)  # polling a counter; no event marks a failed attempt
        probe.assert_no_event("connected", within=0.2)
        self.assertFalse(probe.status()["connected"])
        with open(probe.stderr_path) as log:
            self.assertIn("server certificate refused", log.read())

    def test_no_verify_connects_without_the_ca(self):
        probe = self.probe(tls="no-verify", ca_file=None)
        probe.expect("connected")

    def test_password_never_reaches_the_log(self):
        probe = self.probe(log_level="debug")
        probe.expect("connected")
        probe.close()
        with open(probe.stderr_path) as log:
            text = log.read()
        self.assertIn("SASL exchange redacted", text)  # the debug trace was on
        self.assertNotIn(harness.case.BOT_PASSWORD, text)

    def test_stop_does_not_wait_for_the_next_retry(self):
        probe = self.probe(tls="verify", ca_file=None, min_backoff_ms=30000, max_backoff_ms=30000)
        probe.status()
        started = time.monotonic()
        self.assertEqual(probe.close(), 0)
        # Far below the 15-30 s retry delay; a TLS handshake in progress may take a moment.
        self.assertLess(time.monotonic() - started, 8.0)


if __name__ == "__main__":
    harness.case.main()
