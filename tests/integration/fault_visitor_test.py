"""A visitor whose connection drops and comes back loses nothing and sees nothing twice (long-poll
with after=<last seq>, SSE with Last-Event-ID), while a two-way stream runs; a visitor who
vanishes for good has the chat marked abandoned after visitor_timeout, and the operator is told.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.stream import ChatStream, Reader  # noqa: E402
from harness.visitor import ApiError, Visitor  # noqa: E402

TIMEOUT = 30
VISITOR_TIMEOUT = 2  # seconds (config visitor_timeout)


class DroppingVisitor(case.ProsodyTestCase):
    def run_stream(self, kind, drop_every):
        joe, app, bot = self.joe_and_seshat()
        stream = ChatStream(app, joe, bot, timeout=TIMEOUT)
        stream.open()
        stream.start_reader(kind, wait=5, drop_every=drop_every)
        stream.visitor_sends(1, 30, pace=0.03)
        stream.operator_sends(1, 30, pace=0.03)
        checked = stream.finish(self)
        self.assertGreater(stream.drops, 3, "the reader did not drop its connection")
        print(f"\n{kind.value} with drops: {checked} messages checked; {stream.summary()}; "
              f"{stream.sse_connections} event streams opened")
        self.assertEqual(app.stop(), 0)
        return stream

    def test_long_poll_dropped_mid_wait_resumes_with_after(self):
        self.run_stream(Reader.long_poll, drop_every=2)

    def test_sse_dropped_resumes_with_last_event_id(self):
        stream = self.run_stream(Reader.sse, drop_every=3)
        self.assertGreater(stream.sse_connections, 3)


class VanishingVisitor(case.ProsodyTestCase):
    def start(self):
        self.joe, self.app, self.bot = self.joe_and_seshat(
            extra={"visitor_timeout": VISITOR_TIMEOUT})

    def accept(self, visitor):
        chat = visitor.start("customer")
        self.joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=self.bot)
        self.joe.send(self.bot, f"!ACCEPT {chat}")
        self.joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")
        return chat

    def test_an_open_chat_is_abandoned_and_the_operator_told(self):
        self.start()
        visitor = Visitor(self.app)
        chat = self.accept(visitor)
        visitor.send("Hi!")
        self.joe.expect("Hi!")
        gone_at = time.monotonic()
        # The visitor makes no request from now on.
        self.joe.expect(f"The visitor has left chat #{chat}; the chat is now closed.",
                        sender=self.bot, timeout=VISITOR_TIMEOUT + 10)
        self.assertGreaterEqual(time.monotonic() - gone_at, VISITOR_TIMEOUT - 0.5)
        # Coming back too late: the chat is over, with a clear last word, and closed to sending.
        visitor.expect("We lost contact with your page, so the chat is now closed.",
                       sender="system")
        visitor.poll()
        self.assertEqual(visitor.status, "closed")
        with self.assertRaises(ApiError) as refused:
            visitor.send("Anyone there?")
        self.assertEqual(refused.exception.status, 409)
        self.assertIn("closed", refused.exception.body["error"])
        # joe is free again, and nothing else reaches him.
        self.joe.send(self.bot, "!STATUS")
        self.joe.expect(lambda text: text.startswith("You are not in a chat."), sender=self.bot)
        self.joe.assert_no_message(within=0.5)
        self.app.wait_log_count(f"chat={chat} open -> abandoned", 1)  # written after the round

    def test_a_waiting_request_is_abandoned_and_notified_operators_told(self):
        self.start()
        visitor = Visitor(self.app)
        chat = visitor.start("customer")
        self.joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=self.bot)
        self.joe.expect(f"Chat #{chat} was abandoned by the visitor.", sender=self.bot,
                        timeout=VISITOR_TIMEOUT + 10)
        self.joe.send(self.bot, f"!ACCEPT {chat}")
        self.joe.expect(f"There is no open chat request #{chat}.", sender=self.bot)

    # A visitor who keeps polling is never declared gone, however short visitor_timeout is: the
    # gateway refreshes visitor_seen_at (and SSE heartbeats) well within it. This test found the
    # bug of a fixed 5 s refresh and 25 s heartbeat closing live chats at `visitor_timeout = 2`.
    def test_a_visitor_who_keeps_polling_is_not_abandoned(self):
        self.start()
        visitor = Visitor(self.app)
        chat = self.accept(visitor)
        until = time.monotonic() + 3 * VISITOR_TIMEOUT + 1
        polls = 0
        while time.monotonic() < until:
            visitor.poll(wait=1)  # alive: a long-poll of one second, again and again
            polls += 1
        self.assertGreater(polls, 3)
        self.assertEqual(visitor.status, "open",
                         f"chat {chat} closed although its visitor polled every second: "
                         f"{visitor.texts()}")
        self.joe.assert_no_message(within=0.3)


if __name__ == "__main__":
    case.main()
