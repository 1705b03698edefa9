"""Any number of gateways on one PostgreSQL database: two `seshat serve` processes (each a
gateway; one broker leads, the other stands by).

- A message posted through one gateway reaches an event stream held open on the other within
  a second (the committing transaction NOTIFYs; the other gateway LISTENs: no polling), and a
  long-poll waiting on the other gateway is woken by it too.
- The stream, cut, resumes on the other gateway with Last-Event-ID: every message once, in order.
- The chat and message limits are counted in the database, so they hold across gateways:
  chats_per_minute and max_messages_per_chat refuse (429) the request over the limit whichever
  gateway it reaches.
- /healthz tells the leader from the standby, and shows the change feed's connection.
"""

import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.prosody import HOST  # noqa: E402
from harness.stream import sse_events  # noqa: E402
from harness.visitor import ApiError, request  # noqa: E402

WAKE_LIMIT = 1.0  # seconds from a 202 on one gateway to the event on the other


class Gateways(case.PostgresTestCase):
    def open_stream(self, web, chat, token, last_event_id=None):
        connection = http.client.HTTPConnection(HOST, web.port, timeout=10)
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        connection.request("GET", f"{web.prefix}/api/chats/{chat}/events", headers=headers)
        response = connection.getresponse()
        self.assertEqual(response.status, 200)
        self.addCleanup(connection.close)
        return sse_events(response)

    @staticmethod
    def next_message(events):
        """The next visitor message of the stream (the bot's notices are skipped)."""
        for event in events:
            if "id" in event:
                message = json.loads(event["data"])
                if message["from"] == "visitor":
                    return message
        raise AssertionError("the stream ended")

    def test_a_message_through_one_gateway_reaches_a_stream_on_the_other(self):
        caps = {"chats_per_minute": "4", "max_messages_per_chat": "6"}
        one = self.app(["joe@localhost"], "serve", extra=caps)
        self.wait_health(one, "leader")
        other = self.app(["joe@localhost"], "serve", extra=caps)
        self.assertEqual(self.wait_health(other, "standby")["status"], "ok")

        _, chat = request(one.url("/api/chats"), "POST", {"name": "customer", "message": "m-1"})
        chat_id, token = chat["id"], chat["token"]
        events = self.open_stream(other, chat_id, token)
        self.assertEqual(self.next_message(events)["text"], "m-1")

        seqs = {}
        for n in range(2, 6):
            posted = time.monotonic()
            status, reply = request(one.url(f"/api/chats/{chat_id}/messages"), "POST",
                                    {"text": f"m-{n}"}, token=token)
            self.assertEqual(status, 202)
            seqs[n] = reply["seq"]
            message = self.next_message(events)
            woke = time.monotonic() - posted
            self.assertEqual((message["seq"], message["text"]), (reply["seq"], f"m-{n}"))
            self.assertLess(woke, WAKE_LIMIT, f"m-{n} took {woke:.3f} s to reach the other gateway")

        # A long-poll held on one gateway is woken by a post through the other.
        result = {}

        def poll():
            _, result["reply"] = request(
                other.url(f"/api/chats/{chat_id}/messages?after={reply['seq']}&wait=20"),
                token=token)
            result["at"] = time.monotonic()

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(0.3)  # a pace: the poll is usually held by now; if not, it reads at once
        posted = time.monotonic()
        request(one.url(f"/api/chats/{chat_id}/messages"), "POST", {"text": "m-6"}, token=token)
        poller.join(25)
        self.assertEqual([m["text"] for m in result["reply"]["messages"]], ["m-6"])
        self.assertLess(result["at"] - posted, WAKE_LIMIT)

        # The stream moves to the first gateway with Last-Event-ID: nothing again, nothing lost.
        resumed = self.open_stream(one, chat_id, token, last_event_id=seqs[3])
        self.assertEqual([self.next_message(resumed)["text"] for _ in range(3)],
                         ["m-4", "m-5", "m-6"])

        # max_messages_per_chat = 6, counted in the database: the 7th fails on either gateway.
        for web in (one, other):
            with self.assertRaises(ApiError) as refused:
                request(web.url(f"/api/chats/{chat_id}/messages"), "POST", {"text": "m-7"},
                        token=token)
            self.assertEqual(refused.exception.status, 429)

        # chats_per_minute = 4: one chat so far; three more alternate; the fifth is refused by
        # both gateways.
        for web in (other, one, other):
            status, _ = request(web.url("/api/chats"), "POST", {"name": "next"})
            self.assertEqual(status, 201)
        for web in (one, other):
            with self.assertRaises(ApiError) as refused:
                request(web.url("/api/chats"), "POST", {"name": "too many"})
            self.assertEqual(refused.exception.status, 429)

        health = self.wait_health(one, "leader")
        self.assertEqual((health["xmpp"], health["feed"]), ("connected", "listening"))
        for app in (other, one):
            self.assertEqual(app.stop(), 0, app.log_tail())

    @staticmethod
    def wait_health(app, role, timeout=15.0):
        """/healthz until its broker is `role`; returns the report."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                _, health = request(app.root_url("/healthz"))
            except ApiError as error:
                health = error.body
            if health.get("broker") == role and (role != "leader" or health.get("xmpp") ==
                                                 "connected"):
                return health
            if time.monotonic() > deadline:
                raise AssertionError(f"/healthz never said {role}: {health}\n{app.log_tail()}")
            time.sleep(0.05)  # polling interval of a readiness probe


if __name__ == "__main__":
    case.main()
