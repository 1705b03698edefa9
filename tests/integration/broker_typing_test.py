"""Typing, both ways (XEP-0085). The operator's chat states reach the visitor's page as SSE
`event: typing` with their display name; the visitor's POST .../typing reaches the operator's
client as a chat state (composing, then active), rate limited.

Stanza shapes: XEP-0085 example 3 (composing without a body, as Gajim, Dino and Profanity send
while typing), example 5 (paused) and example 6 (active with the body that ends it).
"""

import harness.case as case
from harness.raw import NS_CHATSTATES, EventStream, RawStanzas, body, child
from harness.visitor import ApiError, Visitor, request


def state(bot, name, stanza_id):
    return (f"<message to='{bot}' type='chat' id='{stanza_id}'>"
            f"<{name} xmlns='http://jabber.org/protocol/chatstates'/></message>")


def typing_event(value):
    return lambda e: e.get("event") == "typing" and e["json"]["typing"] is value


class TypingTest(case.ProsodyTestCase):
    def open_chat(self):
        joe, app, bot = self.joe_and_seshat()
        visitor = Visitor(app)
        chat = visitor.start("customer")
        joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        visitor.expect("Your chat has started.", sender="system")
        return joe, app, bot, visitor

    def test_the_operators_typing_reaches_the_page(self):
        joe, app, bot, visitor = self.open_chat()
        events = EventStream(app, visitor, after=visitor.after)
        self.addCleanup(events.close)
        joe.send_raw(state(bot, "composing", "cs-1"))
        event = events.expect(typing_event(True))
        self.assertEqual(event["json"], {"typing": True, "name": "joe"})
        joe.send_raw(state(bot, "paused", "cs-2"))
        events.expect(typing_event(False))
        # Typing, then the message itself: the message ends the typing.
        joe.send_raw(state(bot, "composing", "cs-3"))
        events.expect(typing_event(True))
        joe.send_raw(f"<message to='{bot}' type='chat' id='m-1'><body>Here you are.</body>"
                     f"<active xmlns='http://jabber.org/protocol/chatstates'/></message>")
        events.expect(lambda e: e.get("json", {}).get("text") == "Here you are.")
        events.expect(typing_event(False))

    def test_the_visitors_typing_reaches_the_operator(self):
        joe, app, bot, visitor = self.open_chat()
        stanzas = RawStanzas(joe)
        url = app.url(f"/api/chats/{visitor.id}/typing")
        status, _ = request(url, "POST", {"typing": True}, token=visitor.token)
        self.assertEqual(status, 204)
        composing = stanzas.expect(lambda m: child(m, "composing", NS_CHATSTATES) is not None)
        self.assertIsNone(body(composing))
        self.assertEqual(composing.get("from"), f"{bot}/seshat")
        status, _ = request(url, "POST", {"typing": False}, token=visitor.token)
        self.assertEqual(status, 204)
        stanzas.expect(lambda m: child(m, "active", NS_CHATSTATES) is not None and body(m) is None)

        for bad in ({}, {"typing": "yes"}, {"typing": 1}, {"typing": None}):
            with self.assertRaises(ApiError) as caught:
                request(url, "POST", bad, token=visitor.token)
            self.assertEqual(caught.exception.status, 400, bad)
        with self.assertRaises(ApiError) as caught:
            request(url, "POST", {"typing": True}, token="wrong")
        self.assertEqual(caught.exception.status, 403)

    def test_the_visitors_typing_is_rate_limited(self):
        joe, app, bot, visitor = self.open_chat()
        url = app.url(f"/api/chats/{visitor.id}/typing")
        statuses = []
        for n in range(8):  # far faster than one a second
            try:
                statuses.append(request(url, "POST", {"typing": n % 2 == 0},
                                        token=visitor.token)[0])
            except ApiError as error:
                statuses.append(error.status)
        self.assertEqual(statuses[:5], [204] * 5)
        self.assertIn(429, statuses[5:])

    def test_typing_to_a_closed_chat_is_refused(self):
        joe, app, bot, visitor = self.open_chat()
        visitor.close()
        with self.assertRaises(ApiError) as caught:
            request(app.url(f"/api/chats/{visitor.id}/typing"), "POST", {"typing": True},
                    token=visitor.token)
        self.assertEqual(caught.exception.status, 409)


if __name__ == "__main__":
    case.main()
