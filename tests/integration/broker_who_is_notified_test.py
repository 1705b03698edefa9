"""Who is notified (design.md), over `seshat serve`, a real Prosody and real slixmpp operators:
a resource of negative priority does not make its operator available (the server would not
deliver to it what the bot sends to the bare JID); more than 3 requests reaching one operator
within 10 s come as one summary; the availability API counts free operators; a queue longer
than a stanza may carry (Prosody closes a stream that sends over 256 KB at once) reaches an
operator who comes online as a short summary, and !WAITING as several messages."""

import http.client
import json
import re
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


class LongQueue(case.ProsodyTestCase):
    REQUESTS = 1500  # about 330 KB as one list: over Prosody's 256 KB

    def test_a_queue_longer_than_a_stanza_reaches_an_operator_in_pieces(self):
        joe = self.operator("joe")
        app = self.seshat([joe.bare_jid], log_level="info", extra={
            "chats_per_minute": 0, "chats_per_minute_per_network": 0,
            "max_connections_per_address": 0, "visitor_timeout": 3600, "accept_timeout": 3600})
        bot = self.server.jid("bot")
        connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
        self.addCleanup(connection.close)
        chats = []
        for n in range(self.REQUESTS):
            body = json.dumps({"name": f"visitor number {n:05}",
                               "message": f"question {n:05} " + "q" * 110})
            connection.request("POST", app.prefix + "/api/chats", body,
                               {"Content-Type": "application/json"})
            response = connection.getresponse()
            self.assertEqual(response.status, 201)
            chats.append(json.loads(response.read())["id"])
        joe.connect("laptop")
        _, summary = joe.expect(lambda t: "chat requests are waiting" in t, sender=bot,
                                timeout=20)
        lines = summary.splitlines()
        self.assertEqual(lines[0], f"{self.REQUESTS} chat requests are waiting. To accept one, "
                                   "reply with its '!ACCEPT n':")
        self.assertEqual(len(lines), 22)  # the oldest 20, and how many more
        self.assertIn(f"- '!ACCEPT {chats[19]}'", lines[20])
        self.assertEqual(lines[21], f"... and {self.REQUESTS - 20} more. Send '!WAITING' for the "
                                    "whole list.")

        # The whole list on demand, over several messages of whole lines, in order.
        joe.send(bot, "!WAITING")
        listed, messages = [], 0
        while len(listed) < self.REQUESTS:
            _, text = joe.expect(lambda t: True, sender=bot, timeout=10)
            messages += 1
            self.assertLessEqual(len(text.encode()), 6000)
            listed += [int(n) for n in re.findall(r"^#(\d+) 'visitor number", text, re.M)]
        self.assertEqual(listed, chats)
        self.assertGreater(messages, 1)
        joe.send(bot, f"!ACCEPT {chats[-1]}")
        joe.expect(lambda t: t.startswith(f"You are now handling chat #{chats[-1]}."), sender=bot)
        # The bot never lost its connection on the way.
        self.assertNotIn("disconnected", app.log_text())
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
