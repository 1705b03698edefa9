"""Over ejabberd 23.01, the operator's client sends what real clients send around the seed's
session, and the session still goes word for word: the visitor gets exactly the operator's
texts, in order, once each, and nothing from the stanzas that carry no text.

What is sent, and where it comes from:
- XEP-0085 chat states alone, without a body (`<composing/>`, `<paused/>`, `<active/>`,
  `<inactive/>`), and `<active/>` riding on every message with a body (XEP-0085 section 5.1,
  examples 2-6; Profanity's src/xmpp/message.c, message_send_chat() with stanza_attach_state(),
  and its chat-state timer sending them alone).
- A XEP-0184 receipt request (`<request xmlns='urn:xmpp:receipts'/>`) on a message with an id
  (XEP-0184 example 1; Profanity's stanza_attach_receipt_request()), once on a message of type
  "normal" (what a client sends when the user answers outside a chat window; RFC 6121 5.2.2).
- XEP-0359 `<origin-id/>` on the message (Conversations and Dino add one to every message).
- XEP-0280 carbons enabled on the operator's resources (example 3's `<enable/>`, sent by
  Conversations, Gajim, Dino and Profanity at login), and a line from his second resource.
Lines marked > go to the operator, < to the visitor.
"""

import harness.case as case
from harness.operator import Operator
from harness.visitor import Visitor

CHAT_STATES = "http://jabber.org/protocol/chatstates"


def chat_state(to, state, sid):
    return f"<message to='{to}' type='chat' id='{sid}'><{state} xmlns='{CHAT_STATES}'/></message>"


def client_message(to, text, sid, type="chat"):
    """A message as Profanity or Conversations sends it: body, active state, receipt request,
    origin-id."""
    return (f"<message to='{to}' type='{type}' id='{sid}'><body>{text}</body>"
            f"<active xmlns='{CHAT_STATES}'/><request xmlns='urn:xmpp:receipts'/>"
            f"<origin-id xmlns='urn:xmpp:sid:0' id='{sid}'/></message>")


class ClientStanzas(case.ProsodyTestCase):
    xmpp_server = "ejabberd"

    def test_seed_session_with_what_real_clients_send(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        # Carbons on at login, as every one of those clients does; ejabberd must accept it.
        self.assertEqual(joe.send_iq("<enable xmlns='urn:xmpp:carbons:2'/>"), "result")
        app = self.seshat([joe.bare_jid])
        bot = self.server.jid("bot")
        app.wait_operators(1)

        visitor = Visitor(app)
        chat = visitor.start("customer")
        # > Remote user 'customer' wants to start a conversation. ...
        joe.expect(lambda text: text.startswith(
            f"Remote user 'customer' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'."), sender=bot)
        joe.send_raw(chat_state(bot, "composing", "s1"))
        joe.send_raw(client_message(bot, f"!ACCEPT {chat}", "m1"))
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")
        # Visitor types: Hi!
        visitor.send("Hi!")
        joe.expect("Hi!")
        # joe starts typing, stops, starts again, then sends: Hello, customer.
        for n, state in enumerate(("composing", "paused", "composing")):
            joe.send_raw(chat_state(bot, state, f"s2-{n}"))
        joe.send_raw(client_message(bot, "Hello, customer.", "m2"))
        joe.send_raw(chat_state(bot, "active", "s3"))
        visitor.expect("Hello, customer.", sender="operator")

        # A second resource of joe's, carbons on too: what one sends, the other sees as a carbon.
        phone = Operator(self.server, "joe", joe.password)
        self.addCleanup(phone.disconnect)
        phone.connect("phone")
        self.assertEqual(phone.send_iq("<enable xmlns='urn:xmpp:carbons:2'/>"), "result")
        phone.send_raw(chat_state(bot, "composing", "p1"))
        phone.send_raw(client_message(bot, "One moment, please.", "p2"))
        phone.send_raw(chat_state(bot, "inactive", "p3"))
        visitor.expect("One moment, please.", sender="operator")
        # From the laptop again, as a normal (not chat) message with a receipt request.
        joe.send_raw(client_message(bot, "Your order has shipped.", "m3", type="normal"))
        visitor.expect("Your order has shipped.", sender="operator")

        # Visitor types: Talk to you later!
        visitor.send("Talk to you later!")
        joe.expect("Talk to you later!")
        joe.send_raw(chat_state(bot, "composing", "s4"))
        joe.send_raw(client_message(bot, "!FINISH", "m4"))
        joe.expect("The chat is now closed.")
        visitor.expect("The chat is now closed.", sender="system")
        joe.send_raw(chat_state(bot, "gone", "s5"))
        visitor.poll()
        self.assertEqual(visitor.status, "closed")
        # The bot answered no chat state, receipt or carbon with a text of its own.
        joe.assert_no_message(within=0.5)
        # The visitor's whole log, in order, nothing twice, nothing from a state.
        self.assertEqual([t for t in visitor.texts() if t[0] != "visitor"], [
            ("system", "Your chat has started."),
            ("operator", "Hello, customer."),
            ("operator", "One moment, please."),
            ("operator", "Your order has shipped."),
            ("system", "The chat is now closed."),
        ])
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
