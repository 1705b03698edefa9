"""XEP-0184 receipts and XEP-0333 markers, as Conversations, Gajim and Dino ask for them, and
XEP-0359 origin-ids on everything the bot sends.

- An operator message with <request xmlns='urn:xmpp:receipts'/> is answered with <received/>
  once the visitor's page has it (a read returned it, or an event stream carried it), not before.
- POST .../read {"seq": N} answers <displayed/> for the last markable operator message up to N.
- Every message from the bot carries <origin-id xmlns='urn:xmpp:sid:0' id=.../> equal to its id.

Stanza shapes: XEP-0184 example 1 (request) and example 2 (received), XEP-0333 examples 1
(markable) and 3 (displayed), XEP-0359 example 2 (origin-id), as Conversations' MessageGenerator
puts them together on one message.
"""

import sqlite3
import time

import harness.case as case
from harness.raw import (NS_MARKERS, NS_RECEIPTS, NS_SID, EventStream, RawStanzas, body, child)
from harness.visitor import ApiError, Visitor, request


def asking(bot, stanza_id, text):
    return (f"<message to='{bot}' type='chat' id='{stanza_id}'><body>{text}</body>"
            "<request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>"
            f"<origin-id xmlns='urn:xmpp:sid:0' id='{stanza_id}'/></message>")


def acknowledges(name, ns, stanza_id):
    return lambda m: (child(m, name, ns) is not None and child(m, name, ns).get("id") == stanza_id)


class ReceiptsTest(case.ProsodyTestCase):
    def wait_stored(self, app, text, timeout=10.0):
        """Polls the database until the operator's message is stored (not read by anyone)."""
        deadline = time.monotonic() + timeout
        while True:
            db = sqlite3.connect(f"file:{app.db}?mode=ro", uri=True, timeout=5)
            try:
                found = db.execute("SELECT seq FROM messages WHERE text = ?", (text,)).fetchone()
            finally:
                db.close()
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} was not stored")
            time.sleep(0.01)

    def open_chat(self):
        joe, app, bot = self.joe_and_seshat()
        stanzas = RawStanzas(joe)
        visitor = Visitor(app)
        chat = visitor.start("customer")
        joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        visitor.expect("Your chat has started.", sender="system")
        return joe, app, bot, visitor, stanzas

    def test_everything_the_bot_sends_carries_its_id_as_origin_id(self):
        joe, app, bot, visitor, stanzas = self.open_chat()
        visitor.send("Hi!")
        for text in ("Remote user 'customer'", "You are now handling", "Hi!"):
            stanza = stanzas.expect(lambda m, text=text: (body(m) or "").startswith(text))
            origin = child(stanza, "origin-id", NS_SID)
            self.assertIsNotNone(origin, text)
            self.assertTrue(stanza.get("id"))
            self.assertEqual(origin.get("id"), stanza.get("id"))

    def test_a_receipt_once_the_page_has_the_message_and_displayed_after_read(self):
        joe, app, bot, visitor, stanzas = self.open_chat()
        joe.send_raw(asking(bot, "op-1", "Hello, customer."))
        seq = self.wait_stored(app, "Hello, customer.")
        # Stored, but the page has not read it: no receipt yet.
        stanzas.assert_none(acknowledges("received", NS_RECEIPTS, "op-1"), within=1.0)
        visitor.expect("Hello, customer.", sender="operator")
        receipt = stanzas.expect(acknowledges("received", NS_RECEIPTS, "op-1"), timeout=5)
        self.assertEqual(child(receipt, "origin-id", NS_SID).get("id"), receipt.get("id"))
        # Read again: no second receipt.
        visitor.poll()
        stanzas.assert_none(acknowledges("received", NS_RECEIPTS, "op-1"), within=0.5)

        # Not displayed until the visitor says they saw it.
        stanzas.assert_none(acknowledges("displayed", NS_MARKERS, "op-1"), within=0.3)
        url = app.url(f"/api/chats/{visitor.id}/read")
        status, _ = request(url, "POST", {"seq": seq}, token=visitor.token)
        self.assertEqual(status, 204)
        stanzas.expect(acknowledges("displayed", NS_MARKERS, "op-1"), timeout=5)

        # Bad positions: 400, nothing sent.
        for bad in ({"seq": seq + 100}, {"seq": -1}, {"seq": "1"}, {}, {"seq": 1.5}):
            with self.assertRaises(ApiError) as caught:
                request(url, "POST", bad, token=visitor.token)
            self.assertEqual(caught.exception.status, 400, bad)
        with self.assertRaises(ApiError) as caught:
            request(url, "POST", {"seq": seq}, token="wrong")
        self.assertEqual(caught.exception.status, 403)

    def test_an_event_stream_carrying_the_message_is_the_page_having_it(self):
        joe, app, bot, visitor, stanzas = self.open_chat()
        events = EventStream(app, visitor, after=visitor.after)
        self.addCleanup(events.close)
        joe.send_raw(asking(bot, "op-2", "Still there?"))
        events.expect(lambda e: e.get("json", {}).get("text") == "Still there?")
        stanzas.expect(acknowledges("received", NS_RECEIPTS, "op-2"), timeout=5)

    def test_a_message_without_request_gets_no_receipt(self):
        joe, app, bot, visitor, stanzas = self.open_chat()
        joe.send_raw(f"<message to='{bot}' type='chat' id='op-3'><body>plain</body></message>")
        visitor.expect("plain", sender="operator")
        joe.send_raw(asking(bot, "op-4", "asking"))
        visitor.expect("asking", sender="operator")
        stanzas.expect(acknowledges("received", NS_RECEIPTS, "op-4"), timeout=5)
        stanzas.assert_none(acknowledges("received", NS_RECEIPTS, "op-3"), within=0.3)


if __name__ == "__main__":
    case.main()
