"""Fencing a frozen leader (design.md "Leadership"): two `seshat broker` processes and one
`seshat web` on one PostgreSQL database, operator joe on slixmpp. The leading broker is frozen
(SIGSTOP) with its database and XMPP connections open, until the standby has taken over and
the chat went on through it; then it runs again (SIGCONT). The former leader must not write or
send another line, nor log in again (its login, with the same resource, would throw the new
leader off); the new leader carries on undisturbed, and every message arrives exactly once.

While the leader is frozen and before the standby logged in, joe does not write: a message
Prosody hands to the frozen process's open socket is lost with it (no XEP-0198 stream
management); that window is the lease, a few seconds.
"""

import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.stream import ChatStream, Reader, Redelivery, bot_online  # noqa: E402

TIMEOUT = 30


class LeaderFreeze(case.PostgresTestCase):
    def test_a_frozen_leader_woken_after_the_takeover_writes_and_sends_nothing(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        bot = self.server.jid("bot")
        old = self.app([joe.bare_jid], "broker")
        new = self.app([joe.bare_jid], "broker", wait_xmpp=False)
        web = self.app([joe.bare_jid], "web")
        web.wait_operators(1)
        bot_online(joe, bot)

        stream = ChatStream(web, joe, bot, timeout=TIMEOUT)
        stream.open()
        stream.start_reader(Reader.long_poll)
        tenth = threading.Event()
        stream.visitor_sends(1, 50, pace=0.05, progress={10: tenth})
        stream.operator_sends(1, 5, pace=0.05)
        stream.wait_operator_messages_read()
        self.assertTrue(tenth.wait(TIMEOUT))

        os.kill(old.pid, signal.SIGSTOP)
        self.addCleanup(lambda: old.running and os.kill(old.pid, signal.SIGCONT))
        new.wait_log("xmpp connected", time.monotonic() + TIMEOUT)
        stream.operator_sends(6, 15, pace=0.05)   # through the new leader
        stream.wait_operator_messages_read()
        old_log_at_wake = len(old.log_text())
        os.kill(old.pid, signal.SIGCONT)

        # The old leader learns it lost the lead and stands by; it never logs in again.
        old.wait_log("broker: leadership lost", time.monotonic() + TIMEOUT)
        stream.operator_sends(16, 25, pace=0.05)
        checked = stream.finish(self, Redelivery.after_crash)

        after_wake = old.log_text()[old_log_at_wake:]
        self.assertNotIn("xmpp connected", after_wake, after_wake)
        self.assertNotIn("chat=", after_wake.replace("leadership lost", ""),
                         "the old leader acted on a chat after waking")
        self.assertTrue(old.running, "the old leader should stand by, not exit")
        # The new leader was never thrown off XMPP.
        new_log = new.log_text()
        self.assertEqual(new_log.count("xmpp connected"), 1, new.log_tail())
        self.assertNotIn("xmpp disconnected", new_log, new.log_tail())
        print(f"\nfrozen leader: {checked} messages checked, nothing from the old leader after "
              f"SIGCONT; {stream.summary()}")
        for app in (new, web, old):
            self.assertEqual(app.stop(), 0, app.log_tail())


if __name__ == "__main__":
    case.main()
