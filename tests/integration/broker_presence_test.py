"""Operator presence as the bot sees it, over real XMPP: away and busy operators get no new chats
until they are available again; an operator on two devices is online until both are gone; with
nobody online the visitor is told so, and the first operator to log in gets the request.

A barrier used below: Prosody handles one client's stanzas in order, and the bot reads its one
stream in order, so when the bot answers an operator's command, every presence that operator's
clients sent before it has been seen by the bot."""

import harness.case as case
from harness.operator import Operator
from harness.visitor import Visitor, request

NO_OPERATOR = ("No operator is available right now. Please wait: we will join as soon as someone "
               "is free.")


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


def availability(app):
    _, reply = request(app.url("/api/availability"))
    return reply


class Presence(case.ProsodyTestCase):
    def start_with_joe(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid])
        app.wait_operators(1)
        return joe, app, self.server.jid("bot")

    def check_not_notified_while(self, show):
        joe, app, bot = self.start_with_joe()
        # joe sets his status to `show`
        joe.set_presence(show)
        app.wait_operators(0)
        self.assertEqual(availability(app), {"available": False, "operators": 0, "free": 0, "mail": False})

        # Visitor starts a chat: nobody available, so the visitor is told, and joe hears nothing.
        visitor = Visitor(app)
        chat = visitor.start("customer")
        visitor.expect(NO_OPERATOR, sender="system")
        joe.assert_no_message(within=1.0)
        visitor.poll()
        self.assertEqual(visitor.status, "waiting")

        # joe is available again: he is told of the chat that waits.
        joe.set_presence(None)
        joe.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        app.wait_operators(1)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")
        self.assertEqual(app.stop(), 0)

    def test_an_away_operator_is_not_notified_until_available(self):
        self.check_not_notified_while("away")

    def test_a_busy_operator_is_not_notified_until_available(self):
        self.check_not_notified_while("dnd")

    def test_an_extended_away_operator_is_not_notified_until_available(self):
        self.check_not_notified_while("xa")

    def test_an_operator_who_logs_in_busy_is_not_notified(self):
        joe, app, bot = self.start_with_joe()
        joe.disconnect()
        app.wait_operators(0)
        # joe logs in again with "do not disturb"; his answer to !STATUS shows the bot saw it.
        joe.connect("laptop", show="dnd")
        joe.send(bot, "!STATUS")
        joe.expect("You are not in a chat. There are 0 open chat requests.", sender=bot)
        self.assertEqual(availability(app)["operators"], 0)

        visitor = Visitor(app)
        chat = visitor.start("customer")
        visitor.expect(NO_OPERATOR, sender="system")
        joe.assert_no_message(within=1.0)
        # Busy operators may still look and take a chat themselves.
        joe.send(bot, "!WAITING")
        joe.expect(lambda t: t.startswith(f"Open chat requests:\n#{chat} 'customer' (waiting "),
                   sender=bot)
        joe.set_presence("chat")  # "free for chat" is available
        joe.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        app.wait_operators(1)
        self.assertEqual(app.stop(), 0)

    def test_an_operator_on_two_devices_is_online_until_both_are_gone(self):
        joe, app, bot = self.start_with_joe()
        phone = Operator(self.server, "joe", "joe-secret")
        self.addCleanup(phone.disconnect)
        phone.connect("phone")
        phone.send(bot, "!STATUS")
        phone.expect("You are not in a chat. There are 0 open chat requests.", sender=bot)
        self.assertEqual(availability(app)["operators"], 1)

        # The laptop goes offline; the phone is still there (its !STATUS answer is the barrier).
        joe.disconnect()
        phone.send(bot, "!STATUS")
        phone.expect("You are not in a chat. There are 0 open chat requests.", sender=bot)
        self.assertEqual(availability(app), {"available": True, "operators": 1, "free": 1, "mail": False})

        # A new chat reaches joe on his phone.
        visitor = Visitor(app)
        chat = visitor.start("customer")
        phone.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        visitor.poll()
        self.assertNotIn(NO_OPERATOR, [m["text"] for m in visitor.seen])

        # The phone goes too: now joe is offline.
        phone.disconnect()
        app.wait_operators(0)
        self.assertEqual(availability(app), {"available": False, "operators": 0, "free": 0, "mail": False})
        self.assertEqual(app.stop(), 0)

    def test_no_operator_online_then_one_logs_in(self):
        joe = self.operator("joe")
        app = self.seshat([joe.bare_jid])  # joe has never logged in
        self.assertEqual(availability(app), {"available": False, "operators": 0, "free": 0, "mail": False})

        # Visitor starts a chat: < No operator is available right now. ...
        visitor = Visitor(app)
        chat = visitor.start("customer", message="Anyone?")
        visitor.expect(NO_OPERATOR, sender="system")
        visitor.poll()
        self.assertEqual(visitor.status, "waiting")

        # joe logs in (and allows the bot to see his presence): he is told of the waiting chat.
        joe.connect("laptop")
        bot = self.server.jid("bot")
        _, text = joe.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        self.assertIn("Anyone?", text)
        app.wait_operators(1)
        self.assertEqual(availability(app), {"available": True, "operators": 1, "free": 1, "mail": False})
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        joe.expect("Anyone?")
        visitor.expect("Your chat has started.", sender="system")
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
