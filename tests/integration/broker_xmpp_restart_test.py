"""The XMPP server restarts in the middle of a chat (a clean stop, or killed outright): the bot
reconnects by itself, the operator logs in again, and every message written meanwhile, by the
visitor before, during and after the outage, and by the operator after it, arrives exactly once
and in order. Over `seshat serve`, a real Prosody and a real slixmpp client."""

import time

import harness.case as case
from harness.visitor import Visitor


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


# These tests found that a restart used to take the chat from joe: Prosody reports joe
# "unavailable" when it stops, and again when it answers the bot's presence probe before joe is
# back. Now an unavailable operator keeps the chat until presence settles (reconnect_grace after
# the bot's own reconnect, operator_grace after an operator's), so joe, back in time, keeps it.

DROPPED = ("Your operator's connection dropped. Please wait: they have a little time to come "
           "back.")


def keep_reading(visitor, seconds):
    """The visitor's page stays open for `seconds`, long-polling as the widget does. This is
    the scenario's duration (how long the outage lasts), not a wait for something to happen."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        visitor.poll(wait=1)


class XmppRestart(case.ProsodyTestCase):
    def restart_in_the_middle_of_a_chat(self, stop_server):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid])
        bot = self.server.jid("bot")
        app.wait_operators(1)

        visitor = Visitor(app)
        chat = visitor.start("customer")
        joe.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")
        visitor.send("visitor 1")
        joe.expect("visitor 1")
        joe.send(bot, "operator 1")
        visitor.expect("operator 1", sender="operator")

        # The server goes away once it confirmed what the bot sent; the bot and joe both notice.
        app.wait_outbox_confirmed()
        stop_server()
        joe.wait_lost()
        app.wait_log_count("xmpp disconnected", 1)

        # The visitor keeps writing while there is no XMPP server at all.
        for n in range(2, 6):
            visitor.send(f"visitor {n}")
        # The server comes back; the visitor writes on while everyone reconnects.
        self.server.start()
        for n in range(6, 9):
            visitor.send(f"visitor {n}")
        # The bot reconnects by itself (its backoff starts at 200 ms), then joe's client logs in
        # again, well within the reconnect_grace README gives operators after a reconnect.
        app.wait_log_count("xmpp connected as", 2)
        joe.connect("laptop")
        app.wait_operators(1)
        for n in range(9, 13):
            visitor.send(f"visitor {n}")

        # > every visitor message, once, in order (1 had arrived before the outage)
        for n in range(2, 13):
            joe.expect(f"visitor {n}", sender=bot)
        joe.assert_no_message(within=1.0)

        # joe answers after the outage; the visitor gets each answer once, in order.
        for n in range(2, 6):
            joe.send(bot, f"operator {n}")
        for n in range(2, 6):
            visitor.expect(f"operator {n}", sender="operator")
        joe.send(bot, "!STATUS")
        joe.expect(f"You are handling chat #{chat} with 'customer'.")
        joe.send(bot, "!FINISH")
        joe.expect("The chat is now closed.")
        visitor.expect("The chat is now closed.", sender="system")
        visitor.poll()
        self.assertEqual(visitor.status, "closed")
        self.assertEqual([t for t in visitor.texts() if t[0] == "operator"],
                         [("operator", f"operator {n}") for n in range(1, 6)])
        self.assertEqual([t for t in visitor.texts() if t[0] == "visitor"],
                         [("visitor", f"visitor {n}") for n in range(1, 13)])
        self.assertNotIn("Your operator went offline. Please wait while we find someone else.",
                         [m["text"] for m in visitor.seen])
        joe.assert_no_message(within=0.3)
        self.assertEqual(app.stop(), 0)

    def test_server_restarted_while_a_chat_waits(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid])
        bot = self.server.jid("bot")
        app.wait_operators(1)
        visitor = Visitor(app)
        chat = visitor.start("customer", message="visitor 1")
        joe.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)

        app.wait_outbox_confirmed()
        self.server.kill()
        joe.wait_lost()
        app.wait_log_count("xmpp disconnected", 1)
        for n in range(2, 6):
            visitor.send(f"visitor {n}")
        self.server.start()
        for n in range(6, 9):
            visitor.send(f"visitor {n}")
        joe.connect("laptop")
        app.wait_log_count("xmpp connected as", 2)  # the bot reconnected by itself
        app.wait_operators(1)
        for n in range(9, 13):
            visitor.send(f"visitor {n}")
        visitor.poll()
        self.assertEqual(visitor.status, "waiting")

        # joe was told of the chat before the outage; he is not told again, and accepts it.
        joe.send(bot, "!WAITING")
        joe.expect(lambda t: t.startswith(f"Open chat requests:\n#{chat} 'customer' (waiting ")
                   and t.endswith(" s, email: no): visitor 1"), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        # > every visitor message, once, in order
        for n in range(1, 13):
            joe.expect(f"visitor {n}", sender=bot)
        visitor.expect("Your chat has started.", sender="system")
        joe.assert_no_message(within=1.0)
        for n in range(1, 6):
            joe.send(bot, f"operator {n}")
        for n in range(1, 6):
            visitor.expect(f"operator {n}", sender="operator")
        visitor.send("visitor 13")
        joe.expect("visitor 13")
        visitor.poll()
        self.assertEqual([t for t in visitor.texts() if t[0] == "operator"],
                         [("operator", f"operator {n}") for n in range(1, 6)])
        self.assertEqual([t for t in visitor.texts() if t[0] == "visitor"],
                         [("visitor", f"visitor {n}") for n in range(1, 14)])
        self.assertEqual(app.stop(), 0)

    def test_operator_back_later_than_the_bot_but_within_reconnect_grace_keeps_the_chat(self):
        # The judged scenario at test speed: the server is down 10 s; joe's client (Profanity
        # retries after 30 s) comes back 8 s after the bot did, later than the old fixed 3 s
        # and than operator_grace, but within reconnect_grace.
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid], extra={"reconnect_grace": 20, "operator_grace": 3})
        bot = self.server.jid("bot")
        app.wait_operators(1)
        visitor = Visitor(app)
        chat = visitor.start("customer")
        joe.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")

        app.wait_outbox_confirmed()
        self.server.stop()
        joe.wait_lost()
        # < the visitor learns why nobody answers
        visitor.expect(DROPPED, sender="system")
        keep_reading(visitor, 10)  # the outage itself; the visitor's page stays
        self.server.start()
        app.wait_log_count("xmpp connected as", 2, timeout=30)
        keep_reading(visitor, 8)  # joe's client is slower than the bot
        joe.connect("laptop")
        visitor.expect("Your operator is back.", sender="system")
        joe.send(bot, "!STATUS")
        joe.expect(f"You are handling chat #{chat} with 'customer'.", sender=bot)
        joe.send(bot, "still here")
        visitor.expect("still here", sender="operator")
        self.assertNotIn(f"chat={chat} open -> ", app.log_text())
        self.assertNotIn("Your operator went offline. Please wait while we find someone else.",
                         [m["text"] for m in visitor.seen])
        self.assertEqual(app.stop(), 0)

    def test_server_stopped_and_started(self):
        self.restart_in_the_middle_of_a_chat(self.server.stop)

    def test_server_killed_and_started(self):
        self.restart_in_the_middle_of_a_chat(self.server.kill)


if __name__ == "__main__":
    case.main()
