"""routing = least-busy: a request is offered to one free operator at a time; after
offer_timeout (or the operator's !CANCEL n) it moves on to the next; an operator in dnd is never
offered anything. `seshat serve`, a real Prosody, real slixmpp operators."""

import harness.case as case
from harness.visitor import Visitor


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


def moved_on(chat):
    return (f"Chat #{chat} was not accepted in time, so it is offered to the next operator. "
            f"You may still accept it.")


class LeastBusy(case.ProsodyTestCase):
    def test_offers_move_on_after_the_timeout_and_skip_dnd(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        bob = self.operator("bob")
        bob.connect("phone")
        ann = self.operator("ann")
        ann.connect("desk", show="dnd")
        app = self.seshat([joe.bare_jid, bob.bare_jid, ann.bare_jid],
                          extra={"routing": "least-busy", "offer_timeout": "2"})
        app.wait_operators(2)  # ann (dnd) is online but not available
        bot = self.server.jid("bot")

        visitor = Visitor(app)
        chat = visitor.start("customer")
        # Only one operator hears of it: bob (a tie between joe and bob goes by name).
        bob.expect(request_text("customer", chat), sender=bot)
        joe.assert_no_message(within=0.5)
        # Not accepted within offer_timeout: joe's turn, and bob is told.
        bob.expect(moved_on(chat), sender=bot, timeout=6)
        joe.expect(request_text("customer", chat), sender=bot)
        # joe passes it on with !CANCEL: back to bob (ann, dnd, is skipped every time).
        joe.send(bot, f"!CANCEL {chat}")
        joe.expect(f"Chat #{chat} is offered to the next operator.", sender=bot)
        bob.expect(request_text("customer", chat), sender=bot)
        bob.send(bot, f"!ACCEPT {chat}")
        bob.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.",
                   sender=bot)
        visitor.expect("Your chat has started.", sender="system")
        joe.expect(f"Chat #{chat} was accepted by {bob.bare_jid}.", sender=bot)
        visitor.send("Hello?")
        bob.expect("Hello?", sender=bot)
        ann.assert_no_message(within=0.3)

        # A second request goes to joe, who holds nothing (bob holds a chat).
        other = Visitor(app)
        second = other.start("other")
        joe.expect(request_text("other", second), sender=bot)
        bob.assert_no_message(within=0.5)
        ann.assert_no_message(within=0.1)
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
