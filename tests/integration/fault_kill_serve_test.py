"""kill -9 of `seshat serve` in the middle of a two-way stream, then a restart on the same
database: every accepted message arrives exactly once and in order on the other side.

Visitor -> operator: the visitor sends v-1..v-30 at a steady pace on its own thread; the kill
lands while it is sending, so some messages are stored but not yet confirmed by a ping barrier
(the outbox replays them after the restart) and the sends made while the process is down are
refused (connection error) and retried by the visitor's client.

Operator -> visitor: joe sends o-1..o-10 before the kill (read by the visitor before it), o-11..o-20
while seshat is down (Prosody keeps them as offline messages for the bot) and o-21..o-30 after the
restart. The kill waits until the visitor has read o-1..o-10: without stream management (off on
purpose, see design.md) a message the server already wrote into the bot's socket when the
process died cannot be recovered by anyone, so that instant is not what this test is about.
"""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.stream import ChatStream, Redelivery, bot_offline, bot_online  # noqa: E402

TIMEOUT = 30


class KillServe(case.ProsodyTestCase):
    def test_kill_9_mid_stream_and_restart(self):
        joe, app, bot = self.joe_and_seshat()

        session = bot_online(joe, bot)
        stream = ChatStream(app, joe, bot, timeout=TIMEOUT)
        stream.open()
        stream.start_reader()
        tenth = threading.Event()
        stream.visitor_sends(1, 30, pace=0.05, progress={10: tenth})
        stream.operator_sends(1, 10, pace=0.05)
        stream.wait_operator_messages_read()
        self.assertTrue(tenth.wait(TIMEOUT))

        app.kill()  # the visitor keeps sending
        bot_offline(joe, session)
        stream.operator_sends(11, 20)  # to an offline bot: Prosody stores them
        self.assertTrue(stream.refused.wait(TIMEOUT), "no send was refused while seshat was down")

        app.start("serve")
        # The server hands its stored lines over after the bot is back; ejabberd does so beside
        # live traffic, so a line sent now could overtake them there. joe goes on once they
        # are through, in order.
        stream.wait_operator_messages_read()
        stream.operator_sends(21, 30, pace=0.05)
        checked = stream.finish(self, Redelivery.after_crash)
        self.assertGreater(stream.refusals, 0)
        print(f"\nkill -9 serve: {checked} messages checked; {stream.summary()}")
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
