"""The seed's example session, word for word, through `seshat serve`, a real Prosody and a real
XMPP client (slixmpp) as the operator. Lines marked > go to the operator, < to the visitor."""

import harness.case as case
from harness.seshat import Seshat
from harness.visitor import Visitor


class SeedSession(case.ProsodyTestCase):
    def test_the_seed_example_session_word_for_word(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid])
        bot = self.server.jid("bot")
        app.wait_operators(1)

        # Visitor clicks a link to start a chat
        visitor = Visitor(app)
        chat = visitor.start("customer")
        # > Remote user 'customer' wants to start a conversation. ...
        joe.expect(lambda text: text.startswith(
            f"Remote user 'customer' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'."), sender=bot)
        # User types: !ACCEPT 42
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")
        # Visitor types: Hi!
        visitor.send("Hi!")
        joe.expect("Hi!")
        # User types: Hello, customer.
        joe.send(bot, "Hello, customer.")
        visitor.expect("Hello, customer.", sender="operator")
        # Visitor types: Talk to you later!
        visitor.send("Talk to you later!")
        joe.expect("Talk to you later!")
        # User types: !FINISH
        joe.send(bot, "!FINISH")
        joe.expect("The chat is now closed.")
        visitor.expect("The chat is now closed.", sender="system")
        visitor.poll()
        self.assertEqual(visitor.status, "closed")
        joe.assert_no_message(within=0.3)
        # The visitor's whole log, in order, nothing twice.
        self.assertEqual([t for t in visitor.texts() if t[0] != "visitor"], [
            ("system", "Your chat has started."),
            ("operator", "Hello, customer."),
            ("system", "The chat is now closed."),
        ])
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
