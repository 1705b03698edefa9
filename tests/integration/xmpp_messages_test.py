"""seshat::xmpp::Connection carries messages both ways and confirms delivery with a barrier."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness.case  # noqa: E402


class MessagesTest(harness.case.ProsodyTestCase):
    def test_a_message_each_way_and_delivery_confirmed(self):
        joe = self.operator("joe").connect("laptop")
        probe = self.probe(contacts=[joe.bare_jid])
        probe.expect("connected")

        probe.send(7, joe.bare_jid, "Remote user 'customer' wants to start a conversation.")
        joe.expect("Remote user 'customer' wants to start a conversation.")
        event = probe.expect("delivered", skip=("presence",))
        self.assertEqual(event["delivered"], [7])
        self.assertEqual(event["bounced"], [])

        joe.send(self.server.jid("bot"), "!ACCEPT 7")
        event = probe.expect("message", skip=("presence",))
        self.assertEqual(event["from"], joe.full_jid)
        self.assertEqual(event["body"], "!ACCEPT 7")

    def test_text_is_carried_verbatim(self):
        joe = self.operator("joe").connect("laptop")
        probe = self.probe(contacts=[joe.bare_jid])
        probe.expect("connected")
        text = "<b>Ünïcode & \"quotes\"</b> 'ok' ✓"
        probe.send(1, joe.bare_jid, text)
        joe.expect(text)
        joe.send(self.server.jid("bot"), text)
        self.assertEqual(probe.expect("message", skip=("presence", "delivered"))["body"], text)

    def test_stanzas_larger_than_a_read_arrive_whole_and_in_order(self):
        # A TLS record holds up to 16 KiB and each of the loop's passes reads 4 KiB of it: these
        # take several passes each, and the short one after them is read too.
        joe = self.operator("joe").connect("laptop")
        probe = self.probe(contacts=[joe.bare_jid])
        probe.expect("connected")
        texts = ["ä" * 9000 + " one", "b" * 5000 + " two", "ü€" * 7000 + " three", "four"]
        for text in texts:
            joe.send(self.server.jid("bot"), text)
        for text in texts:
            self.assertEqual(probe.expect("message", skip=("presence",))["body"], text)

    def test_message_to_an_offline_operator_is_stored_and_counts_as_delivered(self):
        ann = self.operator("ann")
        probe = self.probe(contacts=[ann.bare_jid])
        probe.expect("connected")
        probe.send(5, ann.bare_jid, "while you were away")
        self.assertEqual(probe.expect("delivered", skip=("presence",))["delivered"], [5])
        ann.connect("phone")
        ann.expect("while you were away")

    def test_message_to_an_unknown_account_bounces(self):
        probe = self.probe()
        probe.expect("connected")
        probe.send(6, self.server.jid("nobody"), "hello?")
        probe.send(8, self.server.jid("bot"), "to myself")  # a later batch still succeeds
        first = probe.expect("delivered", skip=("presence", "message"))
        self.assertEqual((first["delivered"], first["bounced"]), ([], [6]))
        second = probe.expect("delivered", skip=("presence", "message"))
        self.assertEqual((second["delivered"], second["bounced"]), ([8], []))

    def test_groupchat_headline_and_bodyless_messages_are_not_reported(self):
        joe = self.operator("joe").connect("laptop")
        probe = self.probe(contacts=[joe.bare_jid])
        probe.expect("connected")
        bot = self.server.jid("bot")
        for kind in ("headline", "groupchat"):
            joe._call(lambda kind=kind: joe._client.send_message(mto=bot, mbody=kind, mtype=kind))
        joe.send(bot, "after")
        self.assertEqual(probe.expect("message", skip=("presence",))["body"], "after")


if __name__ == "__main__":
    harness.case.main()
