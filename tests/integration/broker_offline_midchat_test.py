"""The operator handling a chat goes offline in the middle of it, over real XMPP: the visitor is
told, the chat goes back to the queue (after operator_grace, 2 s here), another operator is told
and accepts, gets what the visitor wrote (including what was typed while nobody had the chat),
and the conversation goes on. Back within operator_grace, the operator keeps the chat.
Lines marked > go to an operator, < to the visitor."""

import time

import harness.case as case
from harness.visitor import Visitor

WENT_OFFLINE = "Your operator went offline. Please wait while we find someone else."
DROPPED = ("Your operator's connection dropped. Please wait: they have a little time to come "
           "back.")
GRACE = {"operator_grace": 2}
NO_OPERATOR = ("No operator is available right now. Please wait: we will join as soon as someone "
               "is free.")
HELD = "An operator has not joined yet. Your message will be delivered as soon as one does."


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


def handling_text(chat):
    return f"You are now handling chat #{chat}. Send '!FINISH' when you are done."


class OfflineMidChat(case.ProsodyTestCase):
    def open_chat_with_joe(self, app, joe, others=()):
        """A visitor's chat, accepted by joe, with one message each way."""
        bot = self.server.jid("bot")
        visitor = Visitor(app)
        chat = visitor.start("customer")
        for operator in (joe, *others):
            operator.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(handling_text(chat))
        for operator in others:
            operator.expect(f"Chat #{chat} was accepted by {joe.bare_jid}.", sender=bot)
        visitor.expect("Your chat has started.", sender="system")
        visitor.send("Hi!")
        joe.expect("Hi!")
        joe.send(bot, "Hello, customer.")
        visitor.expect("Hello, customer.", sender="operator")
        return visitor, chat

    def test_another_operator_online_takes_over(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        bob = self.operator("bob")
        bob.connect("phone")
        app = self.seshat([joe.bare_jid, bob.bare_jid], extra=GRACE)
        bot = self.server.jid("bot")
        app.wait_operators(2)
        visitor, chat = self.open_chat_with_joe(app, joe, others=[bob])

        # joe's client goes offline.
        joe.disconnect()
        # < first that the connection dropped, then, operator_grace later, that he went offline
        visitor.expect(DROPPED, sender="system")
        visitor.expect(WENT_OFFLINE, sender="system")
        visitor.poll()
        self.assertEqual(visitor.status, "waiting")
        # > (to bob) the chat is offered again
        bob.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)

        # The visitor types while nobody has the chat: held back, and told so once.
        visitor.send("Are you still there?")
        visitor.expect(HELD, sender="system")
        visitor.send("Hello?")

        # bob types: !ACCEPT n
        bob.send(bot, f"!ACCEPT {chat}")
        bob.expect(handling_text(chat))
        # > (to bob) what the visitor wrote in this chat, in order, the held messages last
        self.assertEqual([bob.expect(lambda t: True, sender=bot)[1] for _ in range(3)],
                         ["Hi!", "Are you still there?", "Hello?"])
        visitor.expect("Your chat has started.", sender="system")

        # The conversation goes on with bob.
        bob.send(bot, "Bob here. How can I help?")
        visitor.expect("Bob here. How can I help?", sender="operator")
        visitor.send("My parcel is late.")
        bob.expect("My parcel is late.")
        bob.send(bot, "!STATUS")
        bob.expect(f"You are handling chat #{chat} with 'customer'.")

        # joe comes back: he is told what happened to his chat (kept for him by the server),
        # and the chat is no longer his.
        joe.connect("laptop")
        joe.expect(f"You went offline, so chat #{chat} was offered to other operators.",
                   sender=bot)
        joe.send(bot, "Sorry, I was cut off.")
        joe.expect("You are not in a chat. Send '!WAITING' to see open chat requests, or '!HELP' "
                   "for the commands.", sender=bot)
        bob.assert_no_message(within=0.3)

        bob.send(bot, "!FINISH")
        bob.expect("The chat is now closed.")
        visitor.expect("The chat is now closed.", sender="system")
        # The visitor saw every operator message exactly once, in order.
        self.assertEqual([t for t in visitor.texts() if t[0] == "operator"], [
            ("operator", "Hello, customer."),
            ("operator", "Bob here. How can I help?"),
        ])
        self.assertEqual(app.stop(), 0)

    def test_nobody_else_online_then_an_operator_logs_in(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        bob = self.operator("bob")  # not logged in yet
        app = self.seshat([joe.bare_jid, bob.bare_jid], extra=GRACE)
        bot = self.server.jid("bot")
        app.wait_operators(1)
        visitor, chat = self.open_chat_with_joe(app, joe)

        joe.disconnect()
        # < Your operator went offline. ... and, as nobody else is there, no operator is available
        visitor.expect(WENT_OFFLINE, sender="system")
        visitor.expect(NO_OPERATOR, sender="system")
        app.wait_operators(0)
        visitor.send("Anybody?")
        visitor.expect(HELD, sender="system")

        # bob logs in: he is told of the waiting chat, accepts, and gets the backlog.
        bob.connect("phone")
        bob.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        bob.send(bot, f"!ACCEPT {chat}")
        bob.expect(handling_text(chat))
        bob.expect("Hi!")
        bob.expect("Anybody?")
        visitor.expect("Your chat has started.", sender="system")
        bob.send(bot, "Yes, I am here.")
        visitor.expect("Yes, I am here.", sender="operator")
        self.assertEqual(app.stop(), 0)

    def test_an_operator_back_within_operator_grace_keeps_the_chat(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid], extra={"operator_grace": 8})
        bot = self.server.jid("bot")
        app.wait_operators(1)
        visitor, chat = self.open_chat_with_joe(app, joe)

        joe.disconnect()
        # < the visitor is told, and waits for joe
        visitor.expect(DROPPED, sender="system")
        app.wait_operators(0)
        # joe's client comes back later than the old fixed 3 s, within operator_grace.
        until = time.monotonic() + 4
        while time.monotonic() < until:  # the visitor's page stays, as the widget's would
            visitor.poll(wait=1)
        joe.connect("laptop")
        visitor.expect("Your operator is back.", sender="system")
        joe.send(bot, "!STATUS")
        joe.expect(f"You are handling chat #{chat} with 'customer'.", sender=bot)
        joe.send(bot, "Sorry, I was cut off.")
        visitor.expect("Sorry, I was cut off.", sender="operator")
        self.assertNotIn(f"chat={chat} open -> ", app.log_text())
        self.assertNotIn(WENT_OFFLINE, [m["text"] for m in visitor.seen])
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
