"""Presence held by the gateway (visitors/held_presence.hpp), over `seshat serve` and split mode,
a real Prosody and a real slixmpp operator. A visitor whose event stream is open is on the page
however long it reads nothing: the chat's row says "held" once, instead of a write at every
heartbeat. The operator hears that the page went visitor_grace after the stream ended; and when a
`seshat web` holding the stream is killed (it cannot let go), once the broker reaps it
(k_gateway_stale_ms, 10 s without a refresh).
"""

import http.client
import sqlite3
import time

import harness.case as case
from harness.prosody import HOST
from harness.stream import sse_events
from harness.visitor import Visitor

HELD = 9_999_999_999_999  # store::k_held
GRACE = {"visitor_grace": 1, "visitor_timeout": 120}


def left_the_page(chat):
    return lambda text: text.startswith(f"'customer' left the page (chat #{chat}).")


class Streams:
    """A visitor's event stream, and what the database says of its presence (seen_at)."""

    def open_stream(self, web, visitor):
        connection = http.client.HTTPConnection(HOST, web.port, timeout=10)
        connection.request("GET", f"{web.prefix}/api/chats/{visitor.id}/events",
                           headers={"Authorization": f"Bearer {visitor.token}",
                                    "Accept": "text/event-stream"})
        response = connection.getresponse()  # owns the socket from here (Connection: close)
        self.assertEqual(response.status, 200)
        self.addCleanup(response.close)
        next(sse_events(response))  # the status event: the stream is open
        return response

    def wait_held(self, web, chat, timeout=5.0):
        deadline = time.monotonic() + timeout
        while self.seen_at(web, chat) != HELD:
            self.assertLess(time.monotonic(), deadline, "the stream's chat was never held")
            time.sleep(0.01)  # polling the database file: nothing to await

    def accepted_with_stream(self, web, joe, bot):
        visitor = Visitor(web)
        chat = visitor.start("customer")
        stream = self.open_stream(web, visitor)
        joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{chat}."))
        self.wait_held(web, chat)
        return visitor, stream

    def kill_and_expect_reaped(self, web, reaper, joe, bot, chat):
        """kill -9 of the gateway holding `chat`: the page counts as gone once `reaper`'s
        broker reaped it. Its row was refreshed at most 2 s before the kill, stale 10 s later."""
        web.kill()  # holding the stream: it cannot let go
        killed = time.monotonic()
        joe.expect(left_the_page(chat), sender=bot, timeout=30)
        self.assertGreaterEqual(time.monotonic() - killed, 7.5)
        self.assertIn("presence: a gateway stopped refreshing", reaper.log_text())
        self.assertLess(self.seen_at(web, chat), HELD)


class HeldPresence(Streams, case.ProsodyTestCase):
    def seen_at(self, web, chat):
        db = sqlite3.connect(f"file:{web.db}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT visitor_seen_at FROM chats WHERE id = ?", (chat,)).fetchone()[0]
        finally:
            db.close()

    def test_an_open_stream_keeps_the_page_there_and_its_end_lets_go(self):
        joe, app, bot = self.joe_and_seshat(extra=GRACE)
        visitor, stream = self.accepted_with_stream(app, joe, bot)
        chat = visitor.id
        # Four graces with no read at all (the stream's heartbeat is 25 s): still on the page.
        joe.assert_no_message(within=4)
        self.assertEqual(self.seen_at(app, chat), HELD)

        stream.close()
        closed_at = time.time()
        ended = time.monotonic()
        joe.expect(left_the_page(chat), sender=bot, timeout=10)
        self.assertGreaterEqual(time.monotonic() - ended, 0.9, "told before a grace had passed")
        self.assertLess(abs(self.seen_at(app, chat) / 1000 - closed_at), 2,
                        "the page counts as seen when its stream ended")
        self.assertEqual(app.stop(), 0)

    def split_with_stream(self):
        """`seshat web` and `seshat broker` on one database, joe handling a chat whose visitor
        has an event stream open on the web process."""
        joe = self.operator("joe")
        joe.connect("laptop")
        web = self.seshat([joe.bare_jid], mode="web", extra=GRACE)
        broker = self.seshat([joe.bare_jid], mode="broker", db=web.db, extra=GRACE)
        bot = self.server.jid("bot")
        web.wait_operators(1)
        visitor, stream = self.accepted_with_stream(web, joe, bot)
        return joe, bot, web, broker, visitor, stream

    def test_a_killed_web_process_is_reaped_and_its_visitor_counts_as_gone(self):
        joe, bot, web, broker, visitor, stream = self.split_with_stream()  # noqa: F841
        self.kill_and_expect_reaped(web, broker, joe, bot, visitor.id)
        self.assertEqual(broker.stop(), 0)

    def test_a_page_that_moves_to_the_restarted_web_process_stays_there(self):
        joe, bot, web, broker, visitor, first = self.split_with_stream()  # noqa: F841
        chat = visitor.id

        web.kill()
        web.start("web")  # the page's EventSource reconnects to it
        stream = self.open_stream(web, visitor)  # noqa: F841 (held open by the cleanup too)
        # The killed process is reaped (its hold goes) while the new one holds the chat.
        deadline = time.monotonic() + 20
        while "presence: a gateway stopped refreshing" not in broker.log_text():
            self.assertLess(time.monotonic(), deadline, "the killed web process was never reaped")
            joe.assert_no_message(within=0.2)  # and meanwhile the page never counts as gone
        joe.assert_no_message(within=2)
        self.assertEqual(self.seen_at(web, chat), HELD)
        self.assertEqual(web.stop(), 0)
        self.assertEqual(broker.stop(), 0)


class HeldPresenceOnPostgres(Streams, case.PostgresTestCase):
    def seen_at(self, web, chat):
        return int(self.cluster.psql(f"SELECT visitor_seen_at FROM chats WHERE id = {int(chat)}",
                                     "seshat"))

    def test_a_killed_gateway_is_reaped_by_the_leader_on_another_machine(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        leader = self.app([joe.bare_jid], "serve", extra=GRACE)
        web = self.app([joe.bare_jid], "web", extra=GRACE)
        bot = self.server.jid("bot")
        leader.wait_operators(1)
        visitor, stream = self.accepted_with_stream(web, joe, bot)  # noqa: F841
        self.kill_and_expect_reaped(web, leader, joe, bot, visitor.id)
        self.assertEqual(leader.stop(), 0)


if __name__ == "__main__":
    case.main()
