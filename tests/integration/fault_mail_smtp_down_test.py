"""The SMTP server is down when a mail is due: the mail waits in the store, is retried with
backoff, and once the server is up it is delivered exactly once."""

import harness.case as case
from harness.smtp import Mailbox, body_text, start_chat, wait_metric


class SmtpDown(case.ProsodyTestCase):
    def test_a_mail_due_while_smtp_is_down_arrives_once_when_it_is_back(self):
        mailbox = Mailbox()  # its port is chosen, nothing listens on it yet
        self.addCleanup(mailbox.close)
        joe, app, bot = self.joe_and_seshat(
            extra=mailbox.config(visitor_grace="1", mail_delay="1"))
        visitor = start_chat(app, message="refund for order 777?", email="ann@customer.example")
        joe.expect(lambda text: text.startswith("Remote user 'Ann'"), sender=bot)
        joe.send(bot, f"!ACCEPT {visitor.id}")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{visitor.id}."))
        joe.expect("refund for order 777?")
        joe.send(bot, "Your refund is on its way.")
        joe.send(bot, "!FINISH")
        joe.expect("The chat is now closed.")

        # Two failed attempts (connection refused), then the server comes up.
        app.wait_log_count("not sent", 2, timeout=20)
        self.assertEqual(mailbox.raw(), [])
        mailbox.start()
        mail = mailbox.wait_for(1)[0]
        self.assertIn("Your refund is on its way.", body_text(mail))
        wait_metric(app, "seshat_mail_sent_total", 1)
        wait_metric(app, "seshat_mail_unsent", 0)
        self.assertEqual(len(mailbox.raw()), 1)
        self.assertEqual(app.stop(), 0)
        self.assertEqual(len(mailbox.raw()), 1)


if __name__ == "__main__":
    case.main()
