"""Nothing a visitor says is dropped (issue 14), over `seshat serve`, a real Prosody and real
slixmpp operators. Lines marked > go to an operator, < to the visitor.

- Nobody online: the visitor writes, leaves; the request stays as a left message; an operator
  who comes online later is told, sees it in !WAITING (age, email, left message), accepts it and
  gets the visitor's words in order; what they answer waits for the visitor.
- The visitor's page gone for visitor_grace: the operator is told, is free for another request
  meanwhile, and is told when the visitor is back.
"""

import sqlite3
import time

import harness.case as case
from harness.visitor import Visitor

NO_OPERATOR = ("No operator is available right now. Please wait: we will join as soon as someone "
               "is free.")
# No smtp here: the visitor gave an email, but only a site that sends mail promises one
# (serve_mail_reply_test covers the mail).
KEPT_HERE = ("Your message is kept: an operator will answer it here as soon as one is free.")


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


def handling_text(chat):
    return f"You are now handling chat #{chat}. Send '!FINISH' when you are done."


def chat_row(app, chat):
    db = sqlite3.connect(f"file:{app.db}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT state, left_message, email FROM chats WHERE id = ?",
                          (chat,)).fetchone()
    finally:
        db.close()


class LeftMessage(case.ProsodyTestCase):
    def test_nobody_online_the_visitor_leaves_an_operator_answers_later(self):
        joe = self.operator("joe")  # not online yet
        app = self.seshat([joe.bare_jid], extra={"visitor_timeout": 2})
        bot = self.server.jid("bot")

        # The visitor asks with nobody online, writes once more, and goes away.
        visitor = Visitor(app)
        chat = visitor.start("customer", message="refund for order 777?",
                             email="cu@shop.example")
        visitor.expect(NO_OPERATOR, sender="system")
        visitor.send("I paid on Monday.")
        # Polled (the broker logs each decision), never by reading as the visitor: a read would
        # count as the visitor being there.
        app.wait_log_count(f"chat={chat} left message", 1, timeout=20)
        self.assertEqual(chat_row(app, chat), ("waiting", 1, "cu@shop.example"))
        # Several visitor_timeouts later it is still there.
        time.sleep(3)
        self.assertEqual(chat_row(app, chat)[:2], ("waiting", 1))
        self.assertNotIn(f"chat={chat} waiting -> abandoned", app.log_text())

        # joe comes online much later: > he is told of it.
        joe.connect("laptop")
        joe.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        joe.send(bot, "!WAITING")
        listing = joe.expect(lambda t: t.startswith("Open chat requests:"), sender=bot)[1]
        line = listing.splitlines()[1]
        self.assertRegex(line, rf"^#{chat} 'customer' \(waiting \d+ s, email: yes, left a "
                               r"message\): refund for order 777\?$")
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(handling_text(chat))
        joe.expect("'customer' left this message and is not on the page now. They gave an email "
                   "address, so your answer can reach them.")
        # > the visitor's words, in order
        self.assertEqual([joe.expect(lambda t: True, sender=bot)[1] for _ in range(2)],
                         ["refund for order 777?", "I paid on Monday."])
        joe.send(bot, "The refund is on its way.")
        # The chat stays open with its visitor gone (it was a left message) until !FINISH.
        time.sleep(3)
        self.assertEqual(chat_row(app, chat)[0], "open")
        joe.send(bot, "!FINISH")
        joe.expect("The chat is now closed.")

        # The visitor comes back and reads the answer.
        visitor.expect("The refund is on its way.", sender="operator")
        visitor.expect("The chat is now closed.", sender="system")
        self.assertIn(("system", KEPT_HERE), visitor.texts())
        self.assertEqual(app.stop(), 0)

    def test_a_request_without_a_word_is_still_abandoned(self):
        joe = self.operator("joe")
        app = self.seshat([joe.bare_jid], extra={"visitor_timeout": 2})
        visitor = Visitor(app)
        chat = visitor.start("customer")
        app.wait_log_count(f"chat={chat} waiting -> abandoned", 1, timeout=20)
        self.assertEqual(app.stop(), 0)


class VisitorGrace(case.ProsodyTestCase):
    def test_the_operator_is_told_when_the_page_is_gone_and_back_and_is_free_meanwhile(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid], extra={"visitor_grace": 3, "visitor_timeout": 120})
        bot = self.server.jid("bot")
        app.wait_operators(1)

        visitor = Visitor(app)
        chat = visitor.start("customer")
        joe.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(handling_text(chat))
        visitor.expect("Your chat has started.", sender="system")
        # A second visitor waits: joe is busy, so the visitor hears all are busy.
        other = Visitor(app)
        second = other.start("ann")
        other.expect(lambda t: t.startswith("All operators are busy right now."), sender="system")
        joe.assert_no_message(within=0.5)

        # The first visitor's page goes: > 'customer' left the page; joe is free, and told of ann.
        gone_at = time.monotonic()
        joe.expect(f"'customer' left the page (chat #{chat}). What you write is kept for them; "
                   "meanwhile you may take another chat.", sender=bot, timeout=15)
        self.assertGreaterEqual(time.monotonic() - gone_at, 2.5)
        joe.expect(lambda t: t.startswith(request_text("ann", second)), sender=bot)
        joe.send(bot, "Take your time.")  # still his current chat: kept for the visitor
        # The page comes back (and reads what joe wrote): > 'customer' is back
        visitor.expect("Take your time.", sender="operator")
        joe.expect(f"'customer' is back (chat #{chat}).", sender=bot)
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
