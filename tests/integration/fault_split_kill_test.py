"""Split mode (`seshat web` and `seshat broker` on one database): kill -9 of the broker alone in the
middle of a two-way stream, restart it; then kill -9 of the web process alone, restart it. Every
accepted message arrives exactly once and in order on the other side.

- Broker killed: the visitor keeps sending and the web process keeps accepting (202); the messages
  wait in the store and reach joe once the broker is back. What joe sends while the broker is down
  waits in Prosody's offline storage. (The kill waits until the visitor has read joe's earlier
  messages; see fault_kill_serve_test.py for why.)
- Web killed: the visitor's sends are refused and retried, its long-poll fails and reads again
  with after=<last seq> once the web process is back; joe's messages sent meanwhile are stored by
  the broker and read by the visitor after the restart.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.stream import ChatStream, Redelivery, bot_offline, bot_online  # noqa: E402

TIMEOUT = 30


def wait_log_count(app, needle, count, timeout=TIMEOUT):
    """Until `needle` appears `count` times in the (appended) log of `app`: readiness after a
    restart, since Seshat.start() for a broker finds the first run's line."""
    deadline = time.monotonic() + timeout
    while app.log_text().count(needle) < count:
        if not app.running:
            raise AssertionError(f"seshat {app.mode} exited\n{app.log_tail()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"'{needle}' not seen {count} times\n{app.log_tail()}")
        time.sleep(0.01)  # polling interval of a readiness probe


class SplitKill(case.ProsodyTestCase):
    def test_kill_9_broker_then_web_mid_stream(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        web = self.seshat([joe.bare_jid], mode="web")
        broker = self.seshat([joe.bare_jid], mode="broker", db=web.db)
        bot = self.server.jid("bot")
        web.wait_operators(1)

        session = bot_online(joe, bot)
        stream = ChatStream(web, joe, bot, timeout=TIMEOUT)
        stream.open()
        stream.start_reader()
        fifth, fifteenth = threading.Event(), threading.Event()
        stream.visitor_sends(1, 30, pace=0.05, progress={5: fifth, 15: fifteenth})

        # 1. The broker alone.
        stream.operator_sends(1, 5, pace=0.05)
        stream.wait_operator_messages_read()
        self.assertTrue(fifth.wait(TIMEOUT))
        broker.kill()
        bot_offline(joe, session)
        stream.operator_sends(6, 10)
        broker.start("broker")
        wait_log_count(broker, "xmpp connected as", 2)
        stream.operator_sends(11, 15, pace=0.05)

        # 2. The web process alone.
        self.assertTrue(fifteenth.wait(TIMEOUT))
        web.kill()
        self.assertTrue(stream.refused.wait(TIMEOUT), "no send was refused while web was down")
        stream.operator_sends(16, 20, pace=0.05)  # the broker stores them; nobody can read them
        web.start("web")
        stream.operator_sends(21, 25, pace=0.05)

        checked = stream.finish(self, Redelivery.after_crash)
        self.assertGreater(stream.read_errors, 0, "the reader never saw the web process down")
        print(f"\nsplit mode, kill -9 broker then web: {checked} messages checked; "
              f"{stream.summary()}")
        self.assertEqual(web.stop(), 0)
        self.assertEqual(broker.stop(), 0)


if __name__ == "__main__":
    case.main()
