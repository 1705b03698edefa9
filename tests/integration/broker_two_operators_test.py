"""Two operators online: both are told of a new chat, the first !ACCEPT wins, and the other one is
told who has it. Through `seshat serve`, a real Prosody and two real slixmpp clients.
Lines marked > go to an operator, < to the visitor."""

import harness.case as case
from harness.visitor import Visitor


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


class TwoOperators(case.ProsodyTestCase):
    def start_with_joe_and_bob(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        bob = self.operator("bob")
        bob.connect("phone")
        app = self.seshat([joe.bare_jid, bob.bare_jid])
        app.wait_operators(2)
        return joe, bob, app, self.server.jid("bot")

    def test_both_are_notified_and_the_first_accept_wins(self):
        joe, bob, app, bot = self.start_with_joe_and_bob()

        # Visitor clicks a link to start a chat, with an opening message
        visitor = Visitor(app)
        chat = visitor.start("customer", message="Where is my parcel?")
        # > (to joe and to bob) Remote user 'customer' wants to start a conversation. ...
        for operator in (joe, bob):
            _, text = operator.expect(lambda t: t.startswith(request_text("customer", chat)),
                                      sender=bot)
            self.assertIn("Where is my parcel?", text)

        # joe types: !ACCEPT n
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        # > (to joe) the visitor's opening message, now that he handles the chat
        joe.expect("Where is my parcel?")
        # > (to bob) he is told who took it
        bob.expect(f"Chat #{chat} was accepted by {joe.bare_jid}.", sender=bot)
        visitor.expect("Your chat has started.", sender="system")

        # bob types: !ACCEPT n, too late
        bob.send(bot, f"!ACCEPT {chat}")
        bob.expect(f"Chat #{chat} is already being handled by {joe.bare_jid}.")
        # bob types: !CANCEL n: not his to cancel either
        bob.send(bot, f"!CANCEL {chat}")
        bob.expect(f"Chat #{chat} is already being handled by {joe.bare_jid}.")
        # bob types: !STATUS
        bob.send(bot, "!STATUS")
        bob.expect("You are not in a chat. There are 0 open chat requests.")

        # The conversation is joe's alone.
        visitor.send("Hi!")
        joe.expect("Hi!")
        joe.send(bot, "Hello, customer.")
        visitor.expect("Hello, customer.", sender="operator")
        bob.assert_no_message(within=0.3)

        visitor.poll()
        self.assertEqual(visitor.status, "open")
        self.assertEqual([t for t in visitor.texts() if t[0] != "visitor"].count(
            ("system", "Your chat has started.")), 1)
        self.assertEqual(app.stop(), 0)

    def test_two_accepts_at_once_exactly_one_wins(self):
        joe, bob, app, bot = self.start_with_joe_and_bob()
        visitor = Visitor(app)
        chat = visitor.start("customer")
        for operator in (joe, bob):
            operator.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)

        # Both type !ACCEPT n at the same moment.
        joe.send(bot, f"!ACCEPT {chat}")
        bob.send(bot, f"!accept {chat}")

        # Exactly one of them is now handling the chat; the other is told who has it, first by
        # the notice to every notified operator, then in answer to their own !ACCEPT.
        handling = f"You are now handling chat #{chat}. Send '!FINISH' when you are done."
        _, joe_first = joe.expect(lambda t: True, sender=bot)
        _, bob_first = bob.expect(lambda t: True, sender=bot)
        self.assertEqual([joe_first, bob_first].count(handling), 1, (joe_first, bob_first))
        winner, loser = (joe, bob) if joe_first == handling else (bob, joe)
        loser_first = bob_first if winner is joe else joe_first
        self.assertEqual(loser_first, f"Chat #{chat} was accepted by {winner.bare_jid}.")
        loser.expect(f"Chat #{chat} is already being handled by {winner.bare_jid}.")
        visitor.expect("Your chat has started.", sender="system")

        visitor.send("Who is there?")
        winner.expect("Who is there?")
        loser.assert_no_message(within=0.3)
        visitor.poll()
        self.assertEqual([t for t in visitor.texts()].count(("system", "Your chat has started.")),
                         1)
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
