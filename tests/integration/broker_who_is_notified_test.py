"""Who is notified (design.md), over `seshat serve`, a real Prosody and real slixmpp operators:
a resource of negative priority does not make its operator available (the server would not
deliver to it what the bot sends to the bare JID); more than 3 requests reaching one operator
within 10 s come as one summary; the availability API counts free operators."""

import json
import urllib.request

import harness.case as case
from harness.operator import Operator
from harness.visitor import Visitor

NO_OPERATOR = ("No operator is available right now. Please wait: we will join as soon as someone "
               "is free.")


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


def availability(app):
    with urllib.request.urlopen(app.url("/api/availability"), timeout=5) as response:
        return json.loads(response.read())


class NegativePriority(case.ProsodyTestCase):
    def test_only_a_resource_of_priority_0_or_more_makes_an_operator_available(self):
        joe = self.operator("joe")
        joe.connect("hidden", priority=-1)
        app = self.seshat([joe.bare_jid])
        bot = self.server.jid("bot")
        # The bot saw the hidden resource (the log says so) and still counts nobody available.
        app.wait_log_count("presence from joe@localhost/hidden priority -1", 1)
        self.assertEqual(availability(app), {"available": False, "operators": 0, "free": 0, "mail": False})
        visitor = Visitor(app)
        chat = visitor.start("customer")
        visitor.expect(NO_OPERATOR, sender="system")
        joe.assert_no_message(within=1.0)

        # A second resource of joe's with a positive priority: he is available, and told there.
        laptop = Operator(self.server, "joe", "joe-secret")
        self.addCleanup(laptop.disconnect)
        laptop.connect("laptop", priority=5)
        laptop.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        app.wait_operators(1)
        self.assertEqual(availability(app)["free"], 1)
        joe.assert_no_message(within=0.5)
        laptop.send(bot, f"!ACCEPT {chat}")
        laptop.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        # Busy: still available, no longer free.
        self.assertEqual(availability(app), {"available": True, "operators": 1, "free": 0, "mail": False})
        self.assertEqual(app.stop(), 0)


class Summary(case.ProsodyTestCase):
    def test_coming_online_to_four_requests_gives_one_summary(self):
        joe = self.operator("joe")
        app = self.seshat([joe.bare_jid])
        bot = self.server.jid("bot")
        chats = []
        for name in ("ann", "bob", "cid", "dan"):
            visitor = Visitor(app)
            chats.append(visitor.start(name, message=f"question of {name}"))
            visitor.expect(NO_OPERATOR, sender="system")
        joe.connect("laptop")
        _, summary = joe.expect(lambda t: t.startswith("4 chat requests are waiting."), sender=bot)
        lines = summary.splitlines()
        self.assertEqual(lines[0], "4 chat requests are waiting. To accept one, reply with its "
                                   "'!ACCEPT n':")
        for line, chat, name in zip(lines[1:], chats, ("ann", "bob", "cid", "dan")):
            self.assertRegex(line, rf"^#{chat} '{name}' \(waiting \d+ s, email: no\): question of "
                                   rf"{name} - '!ACCEPT {chat}'$")
        joe.assert_no_message(within=1.0)
        joe.send(bot, f"!ACCEPT {chats[2]}")
        joe.expect(f"You are now handling chat #{chats[2]}. Send '!FINISH' when you are done.")
        self.assertEqual(app.stop(), 0)

    def test_a_rush_of_five_requests_gives_three_notifications_and_one_summary(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid])
        bot = self.server.jid("bot")
        app.wait_operators(1)
        chats = [Visitor(app).start(f"visitor{n}") for n in range(5)]
        for n in range(3):
            joe.expect(lambda t, n=n: t.startswith(request_text(f"visitor{n}", chats[n])),
                       sender=bot)
        # The other two within the same 10 s: one summary, when the 10 s have passed.
        _, summary = joe.expect(lambda t: True, sender=bot, timeout=15)
        self.assertEqual(summary.splitlines()[0], "2 chat requests are waiting. To accept one, "
                                                  "reply with its '!ACCEPT n':")
        self.assertIn(f"- '!ACCEPT {chats[3]}'", summary.splitlines()[1])
        self.assertIn(f"- '!ACCEPT {chats[4]}'", summary.splitlines()[2])
        joe.assert_no_message(within=0.5)
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
