"""A line reaches the other side in a few milliseconds, not when some TCP stack's delayed ACK
comes (40 ms on Linux, 200 ms on Windows). Two places could hold it:

- seshat's own socket to the visitor's page: Nagle's algorithm holds a small write while the
  one before it is unacknowledged, so seshat turns it off on every HTTP connection;
- the XMPP server's socket to seshat: Prosody ships with Nagle on and holds a stanza to seshat
  while seshat has not acknowledged the last (seshat had just written the visitor's line, so its
  kernel delayed that ACK), so seshat acknowledges what arrives at once (TCP_QUICKACK before
  every wait).

Each test takes the median over several lines (without the fix 42 and 44 ms; with it 6 and
1.5 ms), so one slow line on a busy machine does not decide it.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.raw import EventStream  # noqa: E402
from harness.visitor import Visitor  # noqa: E402

ROUNDS = 9
HELD = 0.025  # seconds: a median this long means the lines waited for ACKs


def median(values):
    return sorted(values)[len(values) // 2]


class LinesNotHeldTest(case.ProsodyTestCase):
    xmpp_server = "prosody"
    server_options = {"nagle": True}  # as Prosody ships

    def open_chat(self, delayed_acks):
        joe, app, bot = self.joe_and_seshat()
        visitor = Visitor(app)
        visitor.start("customer")
        joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=bot)
        joe.send(bot, f"!ACCEPT {visitor.id}")
        joe.expect(lambda text: text.startswith("You are now handling chat"), sender=bot)
        events = EventStream(app, visitor, delayed_acks=delayed_acks)
        self.addCleanup(events.close)
        events.expect(lambda e: e.get("json", {}).get("text") == "Your chat has started.")
        return joe, bot, visitor, events

    def test_a_visitors_lines_reach_a_page_that_acks_late_without_waiting(self):
        _, _, visitor, events = self.open_chat(delayed_acks=True)
        gaps = []
        for pair in range(ROUNDS):  # two lines 5 ms apart: the second is not held for an ACK
            first, second = f"{pair}: one", f"{pair}: two"
            visitor.send(first)
            time.sleep(0.005)
            visitor.send(second)
            one = events.expect(lambda e: e.get("json", {}).get("text") == first)
            two = events.expect(lambda e: e.get("json", {}).get("text") == second)
            gaps.append(two["at"] - one["at"])
            time.sleep(0.2)  # past this pair's delayed ACK
        self.assertLess(median(gaps), HELD, [round(g * 1000, 1) for g in gaps])

    def test_an_operators_answer_is_not_held_by_a_server_with_nagle_on(self):
        joe, bot, visitor, events = self.open_chat(delayed_acks=False)
        delays = []
        for turn in range(ROUNDS):  # both write at once, as in a lively chat
            visitor.send(f"question {turn}")
            sent = time.monotonic()
            joe.send(bot, f"answer {turn}")
            answer = events.expect(lambda e: e.get("json", {}).get("text") == f"answer {turn}")
            delays.append(answer["at"] - sent)
            time.sleep(0.02)
        self.assertLess(median(delays), HELD, [round(d * 1000, 1) for d in delays])

if __name__ == "__main__":
    case.main()
