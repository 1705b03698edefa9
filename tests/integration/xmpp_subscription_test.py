"""The bot approves presence subscriptions of its operators only."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness.case  # noqa: E402

BOT_BARE = "bot@localhost"


def from_bot(kind):
    return lambda sender, type_, show: sender.split("/")[0] == BOT_BARE and type_ == kind


# Prosody does not forward an approval ("subscribed") to the client; its effect is that the
# subscriber starts receiving the bot's presence.
bot_presence = from_bot("")


class SubscriptionTest(harness.case.ProsodyTestCase):
    def test_an_operator_is_approved_a_stranger_is_not(self):
        joe = self.operator("joe").connect("laptop")
        eve = self.operator("eve").connect("laptop")
        probe = self.probe(contacts=[joe.bare_jid])
        probe.expect("connected")

        joe.expect_presence(bot_presence)  # joe approved the bot and asked back; bot approved
        eve.subscribe(BOT_BARE)
        eve.assert_no_presence(bot_presence, within=1.5)
        with open(probe.stderr_path) as log:
            self.assertIn("subscription request from eve@localhost ignored", log.read())

    def test_the_bot_asks_its_operators_for_their_presence(self):
        joe = self.operator("joe").connect("laptop")
        probe = self.probe(contacts=[joe.bare_jid])
        probe.expect("connected")
        joe.expect_presence(from_bot("subscribe"))


if __name__ == "__main__":
    harness.case.main()
