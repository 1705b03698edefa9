"""seshat::xmpp::Connection reconnects by itself after the server died, and delivers again."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness.case  # noqa: E402


class ReconnectTest(harness.case.ProsodyTestCase):
    def test_server_killed_and_restarted(self):
        joe = self.operator("joe").connect("laptop")
        probe = self.probe(contacts=[joe.bare_jid], min_backoff_ms=100, max_backoff_ms=1000)
        probe.expect("connected")
        probe.wait_show(f"{joe.bare_jid}/laptop", "available")

        self.server.kill()
        probe.expect("disconnected", skip=("presence",))
        joe.wait_lost()
        probe.send(99, joe.bare_jid, "sent while disconnected")  # dropped, never reported

        restarted = time.monotonic()
        self.server.start()
        probe.expect("connected", skip=("presence",), timeout=20)
        seconds = time.monotonic() - restarted
        print(f"\nreconnected {seconds * 1000:.0f} ms after the server accepted connections again")
        # At most one max_backoff step of waiting, plus a TLS login (slow under sanitizers).
        self.assertLess(seconds, 1.0 + 10.0)
        self.assertGreaterEqual(probe.status()["reconnects"], 1)

        joe.connect("laptop")
        probe.wait_show(f"{joe.bare_jid}/laptop", "available")
        probe.send(100, joe.bare_jid, "after the restart")
        joe.expect("after the restart")
        event = probe.expect("delivered", skip=("presence",))
        self.assertEqual((event["delivered"], event["bounced"]), ([100], []))
        joe.assert_no_message(within=0.3)  # message 99 was not written anywhere

    def test_server_stopped_cleanly_then_started(self):
        probe = self.probe(min_backoff_ms=100, max_backoff_ms=1000)
        probe.expect("connected")
        self.server.stop()
        self.assertIn("reason", probe.expect("disconnected", skip=("presence",)))
        self.server.start()
        probe.expect("connected", skip=("presence",), timeout=20)


if __name__ == "__main__":
    harness.case.main()
