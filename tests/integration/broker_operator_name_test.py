"""Visitors see who answers: operator messages carry "name", GET .../messages and the SSE status
event carry "operator" while the chat is open. The name is the operator's XEP-0172 nickname (in
a presence or a message), else the name of their vCard (vcard-temp NICKNAME or FN, fetched once),
else their JID's local part; show_operator_name = no shows "Support" instead.

Stanza shapes: XEP-0172 example 1 (nick in presence, as Conversations announces it) and example
3 (nick in a message); XEP-0054 example 1 (publishing a vcard-temp vCard, as Gajim's profile
editor does).
"""

import harness.case as case
from harness.raw import EventStream, iq
from harness.visitor import Visitor


class OperatorNameTest(case.ProsodyTestCase):
    def accept(self, joe, app, bot):
        visitor = Visitor(app)
        chat = visitor.start("customer")
        joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        visitor.expect("Your chat has started.", sender="system")
        return visitor

    def test_the_local_part_by_default_and_a_nickname_once_known(self):
        joe, app, bot = self.joe_and_seshat()
        visitor = self.accept(joe, app, bot)
        visitor.poll()
        joe.send(bot, "Hello, customer.")
        message = visitor.expect("Hello, customer.", sender="operator")
        self.assertEqual(message["name"], "joe")
        _, reply = self.read(app, visitor)
        self.assertEqual(reply["operator"], "joe")
        system = [m for m in visitor.seen if m["from"] != "operator"]
        self.assertTrue(all("name" not in m for m in system))

        events = EventStream(app, visitor, after=visitor.after)
        self.addCleanup(events.close)
        status = events.expect(lambda e: e.get("event") == "status")
        self.assertEqual(status["json"], {"status": "open", "operator": "joe"})

        # A nickname in a message (XEP-0172 example 3) renames them from then on.
        joe.send_raw(f"<message to='{bot}' type='chat' id='n1'><body>I am Alice.</body>"
                     "<nick xmlns='http://jabber.org/protocol/nick'>Alice</nick></message>")
        message = visitor.expect("I am Alice.", sender="operator")
        self.assertEqual(message["name"], "Alice")
        renamed = events.expect(lambda e: e.get("event") == "status")
        self.assertEqual(renamed["json"], {"status": "open", "operator": "Alice"})
        self.assertEqual(self.read(app, visitor)[1]["operator"], "Alice")

    def test_a_nickname_in_presence(self):
        joe, app, bot = self.joe_and_seshat()
        # XEP-0172 example 1: the nickname in a presence broadcast.
        joe.send_raw("<presence><nick xmlns='http://jabber.org/protocol/nick'>Alice</nick>"
                     "</presence>")
        visitor = self.accept(joe, app, bot)
        joe.send(bot, "Hi there.")
        self.assertEqual(visitor.expect("Hi there.", sender="operator")["name"], "Alice")

    def test_the_vcard_name(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        # XEP-0054 example 1: joe publishes a vCard before the bot comes.
        answer = iq(joe, "<iq type='set' id='v1'><vCard xmlns='vcard-temp'>"
                         "<FN>Joseph Example</FN></vCard></iq>")
        self.assertEqual(answer.get("type"), "result")
        app = self.seshat([joe.bare_jid])
        app.wait_operators(1)
        bot = self.server.jid("bot")
        app.wait_log_count("Joseph Example", 1)  # the answer to the bot's vCard request
        visitor = self.accept(joe, app, bot)
        joe.send(bot, "Good morning.")
        self.assertEqual(visitor.expect("Good morning.", sender="operator")["name"],
                         "Joseph Example")

    def test_names_hidden(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid], extra={"show_operator_name": "no"})
        app.wait_operators(1)
        bot = self.server.jid("bot")
        joe.send_raw("<presence><nick xmlns='http://jabber.org/protocol/nick'>Alice</nick>"
                     "</presence>")
        visitor = self.accept(joe, app, bot)
        joe.send(bot, "Hello.")
        self.assertEqual(visitor.expect("Hello.", sender="operator")["name"], "Support")
        self.assertEqual(self.read(app, visitor)[1]["operator"], "Support")

    @staticmethod
    def read(app, visitor):
        from harness.visitor import request
        return request(app.url(f"/api/chats/{visitor.id}/messages?after={visitor.after}"),
                       token=visitor.token)


if __name__ == "__main__":
    case.main()
