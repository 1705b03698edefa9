"""PostgreSQL restarted mid-conversation: a `seshat serve` (gateway and leading broker) and a
`seshat web` on one database, the visitor's requests alternating between them, operator joe on
slixmpp. The database stops (every session cut) and starts again while the visitor keeps
sending: sends are refused (503) and retried, reads fail and resume; every connection (the
stores, the LISTEN connections, the leadership lease) comes back by itself, and every message
arrives exactly once and in order.

joe does not write while the database is down: a line the broker cannot store is answered with
"not stored" rather than kept (the broker has nowhere to keep it).
"""

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.gateways import Gateways  # noqa: E402
from harness.stream import ChatStream, Reader, Redelivery, bot_online  # noqa: E402

TIMEOUT = 30


def health(app):
    try:
        with urllib.request.urlopen(app.root_url("/healthz"), timeout=2) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())
    except (urllib.error.URLError, ConnectionError, OSError):
        return {}


def wait_until(what, predicate, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}")
        time.sleep(0.05)  # polling interval of a readiness probe


class PostgresRestart(case.PostgresTestCase):
    def test_everything_reconnects_and_nothing_is_lost(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        bot = self.server.jid("bot")
        serve = self.app([joe.bare_jid], "serve")
        web = self.app([joe.bare_jid], "web")
        wait_until("serve leads", lambda: health(serve).get("xmpp") == "connected")
        gateways = Gateways(serve, web)
        gateways.wait_operators(1)
        bot_online(joe, bot)

        stream = ChatStream(gateways, joe, bot, timeout=TIMEOUT)
        stream.open()
        stream.start_reader(Reader.long_poll, wait=2)
        tenth = threading.Event()
        stream.visitor_sends(1, 60, pace=0.05, progress={10: tenth})
        stream.operator_sends(1, 5, pace=0.05)
        stream.wait_operator_messages_read()
        self.assertTrue(tenth.wait(TIMEOUT))

        self.cluster.restart("fast")  # every session is cut
        for app in (serve, web):
            wait_until(f"{app.mode}: change feed listening again",
                       lambda app=app: health(app).get("feed") == "listening")
        wait_until("the broker leads and is connected again",
                   lambda: health(serve).get("broker") == "leader" and
                   health(serve).get("xmpp") == "connected")
        stream.operator_sends(6, 15, pace=0.05)

        try:
            checked = stream.finish(self, Redelivery.after_crash)
        except Exception:
            serve.stop()  # its log, flushed
            web.stop()
            raise
        self.assertGreater(stream.refusals + stream.read_errors, 0,
                           "nothing noticed the database was down")
        self.assertIn("seshat_feed_reconnects_total 1", urllib.request.urlopen(
            web.root_url("/metrics"), timeout=5).read().decode())
        print(f"\nPostgreSQL restarted: {checked} messages checked; {stream.summary()}")
        for app in (web, serve):
            self.assertEqual(app.stop(), 0, app.log_tail())


if __name__ == "__main__":
    case.main()
