"""Presence per resource reaches seshat::xmpp::Connection's listener."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness.case  # noqa: E402
from harness.operator import Operator  # noqa: E402


class PresenceTest(harness.case.ProsodyTestCase):
    def test_each_resource_is_reported_with_its_show(self):
        joe = self.operator("joe").connect("laptop")
        probe = self.probe(contacts=[joe.bare_jid])
        probe.expect("connected")
        probe.wait_show(f"{joe.bare_jid}/laptop", "available")

        phone = Operator(self.server, "joe", "joe-secret").connect("phone", show="away")
        self.addCleanup(phone.disconnect)
        probe.wait_show(f"{joe.bare_jid}/phone", "away")
        self.assertEqual(probe.shows[f"{joe.bare_jid}/laptop"], "available")

        joe.set_presence("dnd")
        probe.wait_show(f"{joe.bare_jid}/laptop", "dnd")
        phone.set_presence("xa")
        probe.wait_show(f"{joe.bare_jid}/phone", "xa")
        phone.set_presence("chat")
        probe.wait_show(f"{joe.bare_jid}/phone", "chat")

        joe.disconnect()
        probe.wait_show(f"{joe.bare_jid}/laptop", "unavailable")
        self.assertEqual(probe.shows[f"{joe.bare_jid}/phone"], "chat")

    def test_operator_online_before_the_bot_is_reported_after_connecting(self):
        ann = self.operator("ann").connect("desk", show="away")
        bob = self.operator("bob").connect("desk")
        probe = self.probe(contacts=[ann.bare_jid, bob.bare_jid])
        probe.expect("connected")
        probe.wait_show(f"{ann.bare_jid}/desk", "away")
        probe.wait_show(f"{bob.bare_jid}/desk", "available")


if __name__ == "__main__":
    harness.case.main()
