"""Several machines on PostgreSQL: two `seshat web` and two `seshat broker` processes on one
database. The visitor's requests alternate between the gateways (sends, long-polls, and an SSE
stream resumed with Last-Event-ID on the other gateway every few events); operator joe chats
from slixmpp. kill -9 of the leading broker mid-conversation: the standby takes over within a
few seconds, and every message arrives exactly once and in order on the other side.

What joe sends while no broker is logged in waits in Prosody's offline storage and reaches the
new leader when it logs in. What the old leader had sent without its barrier's confirmation is
sent again by the new one with the same stanza ids (Redelivery.after_crash).
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.gateways import Gateways  # noqa: E402
from harness.stream import ChatStream, Reader, Redelivery, bot_offline, bot_online  # noqa: E402

TIMEOUT = 30
TAKEOVER_LIMIT = 10.0  # seconds from the kill to the standby's XMPP login


class LeaderKill(case.PostgresTestCase):
    def test_kill_9_of_the_leading_broker_mid_conversation(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        bot = self.server.jid("bot")
        leader = self.app([joe.bare_jid], "broker")
        standby = self.app([joe.bare_jid], "broker", wait_xmpp=False)
        self.assertIn("leadership: standby", standby.log_text())
        gateways = Gateways(self.app([joe.bare_jid], "web"), self.app([joe.bare_jid], "web"))
        gateways.wait_operators(1)

        session = bot_online(joe, bot)
        stream = ChatStream(gateways, joe, bot, timeout=TIMEOUT)
        stream.open()
        stream.start_reader(Reader.sse, drop_every=3)
        tenth = threading.Event()
        stream.visitor_sends(1, 40, pace=0.05, progress={10: tenth})
        stream.operator_sends(1, 8, pace=0.05)
        stream.wait_operator_messages_read()
        self.assertTrue(tenth.wait(TIMEOUT))

        leader.kill()
        killed_at = time.monotonic()
        bot_offline(joe, session)
        stream.operator_sends(9, 14, pace=0.05)  # to Prosody's offline storage
        standby.wait_log("xmpp connected", time.monotonic() + TIMEOUT)
        takeover = time.monotonic() - killed_at
        self.assertLess(takeover, TAKEOVER_LIMIT, standby.log_tail())
        stream.operator_sends(15, 25, pace=0.05)

        checked = stream.finish(self, Redelivery.after_crash)
        self.assertGreater(stream.sse_connections, 3, "the stream never moved between gateways")
        self.assertTrue(all(used > 5 for used in gateways.used), gateways.used)
        print(f"\nkill -9 of the leading broker: standby logged in {takeover:.1f} s after the "
              f"kill; {checked} messages checked; requests per gateway {gateways.used}; "
              f"{stream.summary()}")
        for app in (standby, *gateways.apps):
            self.assertEqual(app.stop(), 0, app.log_tail())


if __name__ == "__main__":
    case.main()
