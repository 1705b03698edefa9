"""XEP-0308 corrections and XEP-0424 retractions (Profanity's /correct, Gajim's and Conversations' "correct last message")
reach the visitor as a correction: a new message carrying "replaces": the seq of the message it
corrects, in GET .../messages and on the event stream; the widget shows it in place of the old.

Stanza shapes: XEP-0308 examples 1 and 2 (the original, then the correction naming its id);
Conversations and newer Gajim name the ORIGINAL message's id in every further correction
(XEP-0308 section 5 since 1.2), older clients the previous correction's: both are taken to the
original. Each carries XEP-0184's <request/> and XEP-0333's <markable/> as those clients add them.
"""

import harness.case as case
from harness.raw import EventStream
from harness.visitor import Visitor


def message(bot, stanza_id, text, replaces=None):
    replace = (f"<replace id='{replaces}' xmlns='urn:xmpp:message-correct:0'/>"
               if replaces else "")
    return (f"<message to='{bot}' type='chat' id='{stanza_id}'><body>{text}</body>{replace}"
            "<request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>"
            f"<origin-id xmlns='urn:xmpp:sid:0' id='{stanza_id}'/>"
            "<active xmlns='http://jabber.org/protocol/chatstates'/></message>")


class CorrectionsTest(case.ProsodyTestCase):
    def test_a_correction_arrives_with_replaces(self):
        joe, app, bot = self.joe_and_seshat()
        visitor = Visitor(app)
        chat = visitor.start("customer")
        joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        visitor.expect("Your chat has started.", sender="system")
        events = EventStream(app, visitor, after=visitor.after)
        self.addCleanup(events.close)

        joe.send_raw(message(bot, "bad1", "Your ordr shipped."))
        original = visitor.expect("Your ordr shipped.", sender="operator")
        self.assertNotIn("replaces", original)
        joe.send_raw(message(bot, "good1", "Your order shipped.", replaces="bad1"))
        correction = visitor.expect("Your order shipped.", sender="operator")
        self.assertEqual(correction["replaces"], original["seq"])
        # A second correction naming the first correction still replaces the original.
        joe.send_raw(message(bot, "good2", "Your order shipped today.", replaces="good1"))
        again = visitor.expect("Your order shipped today.", sender="operator")
        self.assertEqual(again["replaces"], original["seq"])
        # An id nobody knows: a plain new message.
        joe.send_raw(message(bot, "new1", "Anything else?", replaces="no-such-id"))
        plain = visitor.expect("Anything else?", sender="operator")
        self.assertNotIn("replaces", plain)

        # A retraction (XEP-0424 0.4 example 2, as Conversations sends it): the visitor sees the
        # message withdrawn, never the fallback; withdrawing an unknown message shows nothing.
        joe.send_raw(f"<message to='{bot}' type='chat' id='retract-1'>"
                     "<retract id='new1' xmlns='urn:xmpp:message-retract:1'/>"
                     "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/>"
                     "<body>/me retracted a previous message, but it's unsupported by your "
                     "client.</body><store xmlns='urn:xmpp:hints'/></message>")
        withdrawn = visitor.expect("This message was withdrawn.", sender="operator")
        self.assertEqual(withdrawn["replaces"], plain["seq"])
        joe.send_raw(f"<message to='{bot}' type='chat' id='retract-2'>"
                     "<retract id='nobody-knows' xmlns='urn:xmpp:message-retract:1'/>"
                     "<body>/me retracted a previous message, but it's unsupported by your "
                     "client.</body></message>")
        joe.send(bot, "after")
        visitor.expect("after", sender="operator")
        self.assertFalse([t for _, t in visitor.texts() if "retracted" in t])

        # The event stream carries the same.
        streamed = events.expect(lambda e: e.get("json", {}).get("text") == "Your order shipped.")
        self.assertEqual(streamed["json"]["replaces"], original["seq"])
        self.assertEqual(int(streamed["id"]), correction["seq"])


if __name__ == "__main__":
    case.main()
