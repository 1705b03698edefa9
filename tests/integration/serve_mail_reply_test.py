"""Replies by email: an operator answers a visitor who gave an email address and is no longer
on the page; the visitor's mailbox (a real SMTP server, aiosmtpd) gets the answer, quoted with
the conversation, under a proper Message-ID. A visitor still on the page gets no mail."""

import json
import re
import sqlite3
import time
import urllib.request

import harness.case as case
from harness.smtp import Mailbox, body_text, start_chat, wait_metric

MAIL_KEYS = {"visitor_grace": "1", "mail_delay": "2"}


class MailReply(case.ProsodyTestCase):
    def setUp(self):
        super().setUp()
        self.mailbox = Mailbox().start()
        self.addCleanup(self.mailbox.close)

    def accepted_chat(self, joe, bot, **visitor):
        visitor = start_chat(self.app, **visitor)
        joe.expect(lambda text: text.startswith("Remote user 'Ann'"), sender=bot)
        joe.send(bot, f"!ACCEPT {visitor.id}")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{visitor.id}."))
        return visitor

    def test_an_absent_visitor_gets_the_answer_by_mail_then_the_rest_at_finish(self):
        joe, self.app, bot = self.joe_and_seshat(
            extra=self.mailbox.config(**MAIL_KEYS))
        visitor = self.accepted_chat(joe, bot, message="refund for order 777?",
                                     email="ann@customer.example")
        joe.expect("refund for order 777?")

        # Nobody reads on the visitor's side: after visitor_grace the page counts as gone.
        joe.send(bot, "Your refund is on its way.\n.\nIt takes 3 days.")
        first = self.mailbox.wait_for(1)[0]
        # The operator was told the page went (visitor_grace), before the answer was mailed.
        joe.expect(lambda text: text.startswith("'Ann' left the page"), sender=bot)
        raw = self.mailbox.raw()[0]
        self.assertIn(b"\r\nTo: <ann@customer.example>\r\n", raw)
        self.assertIn(b"\r\nFrom: \"Shop Support\" <support@shop.example>\r\n", raw)
        self.assertEqual(first["To"].addresses[0].addr_spec, "ann@customer.example")
        self.assertEqual(first["Subject"], f"Our answer to your chat #{visitor.id}")
        self.assertRegex(first["Message-ID"], r"^<seshat\.\d+\.[0-9a-f]{24}@shop\.example>$")
        self.assertEqual(first.get_content_type(), "text/plain")
        self.assertEqual(first.get_content_charset(), "utf-8")
        self.assertIsNotNone(first["Date"])
        self.assertEqual(self.mailbox.envelopes[0], ("support@shop.example",
                                                     ["ann@customer.example"]))
        body = body_text(first)
        answer, conversation = body.split("The conversation so far", 1)
        # The answer, with its lone "." line intact (SMTP dot-stuffing done and undone).
        self.assertIn("Your refund is on its way.\n.\nIt takes 3 days.\n", answer)
        self.assertIn("> refund for order 777?\n", conversation)
        self.assertIn("Support, ", conversation)

        # A line after that mail goes in the next one, sent at !FINISH without waiting.
        joe.send(bot, "Anything else I can do?")
        joe.send(bot, "!FINISH")
        joe.expect("The chat is now closed.")
        mails = self.mailbox.wait_for(2)
        second = mails[1]
        self.assertNotEqual(second["Message-ID"], first["Message-ID"])
        answer, conversation = body_text(second).split("The conversation so far", 1)
        self.assertIn("Anything else I can do?", answer)
        self.assertNotIn("Your refund is on its way.", answer)
        self.assertIn("Your refund is on its way.", conversation)
        self.assertIn("(The chat is now closed.)", conversation)

        wait_metric(self.app, "seshat_mail_sent_total", 2)
        wait_metric(self.app, "seshat_mail_unsent", 0)
        self.wait_settled(visitor.id)
        self.assertEqual(len(self.mailbox.raw()), 2)
        # The visitor's page, if it comes back, still shows everything.
        visitor.poll()
        self.assertIn(("operator", "Anything else I can do?"), visitor.texts())

    def test_a_visitor_on_the_page_gets_no_mail(self):
        joe, self.app, bot = self.joe_and_seshat(extra=self.mailbox.config(**MAIL_KEYS))
        # The widget's leave-a-message form may promise a mail: the site sends them.
        with urllib.request.urlopen(self.app.url("/api/availability")) as reply:
            self.assertIs(json.load(reply)["mail"], True)
        visitor = self.accepted_chat(joe, bot, email="ann@customer.example")
        visitor.expect("Your chat has started.")
        joe.send(bot, "Hello Ann, how can I help?")
        visitor.expect("Hello Ann, how can I help?", sender="operator")
        joe.send(bot, "!FINISH")
        joe.expect("The chat is now closed.")
        visitor.expect("The chat is now closed.", sender="system")
        self.wait_settled(visitor.id)
        self.assertEqual(self.mailbox.raw(), [])

    def test_a_message_left_while_nobody_was_online_is_answered_by_mail(self):
        joe = self.operator("joe")
        self.app = self.seshat([joe.bare_jid], extra=self.mailbox.config(**MAIL_KEYS))
        bot = self.server.jid("bot")
        # Nobody online: the visitor writes, gives an address, and goes.
        visitor = start_chat(self.app, message="refund for order 777?",
                             email="ann@customer.example")
        # Later an operator comes online, takes it, answers and finishes.
        joe.connect("laptop")
        joe.expect(lambda text: text.startswith("Remote user 'Ann'"), sender=bot)
        joe.send(bot, f"!ACCEPT {visitor.id}")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{visitor.id}."))
        joe.expect("refund for order 777?")
        joe.send(bot, "Sorry for the wait: your refund went out today.")
        joe.send(bot, "!FINISH")
        joe.expect("The chat is now closed.")
        mail = self.mailbox.wait_for(1)[0]
        answer, conversation = body_text(mail).split("The conversation so far", 1)
        self.assertIn("Sorry for the wait: your refund went out today.", answer)
        self.assertIn("> refund for order 777?", conversation)
        wait_metric(self.app, "seshat_mail_sent_total", 1)
        self.wait_settled(visitor.id)
        self.assertEqual(len(self.mailbox.raw()), 1)

    def wait_settled(self, chat, timeout=15.0):
        """Polls the database until the mail job has settled every message of the chat."""
        deadline = time.monotonic() + timeout
        while True:
            db = sqlite3.connect(f"file:{self.app.db}?mode=ro", uri=True, timeout=5)
            try:
                mailed, last = db.execute("SELECT mailed_seq, last_seq FROM chats WHERE id = ?",
                                          (chat,)).fetchone()
            finally:
                db.close()
            if mailed == last:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"chat {chat}: mailed_seq {mailed}, last_seq {last}\n"
                                   f"{self.app.log_tail()}")
            time.sleep(0.02)


if __name__ == "__main__":
    case.main()
