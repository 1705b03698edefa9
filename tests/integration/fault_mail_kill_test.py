"""`kill -9` of seshat after the SMTP server took a mail but before seshat recorded it as sent:
the restarted seshat sends it again (nothing lost), with the same Message-ID, so the copy is
recognisably the same mail (at least once, README "Mail"). And once recorded, never again."""

import harness.case as case
from harness.smtp import Mailbox, body_text, start_chat, wait_metric


class KillDuringSend(case.ProsodyTestCase):
    def test_a_mail_in_flight_at_a_kill_is_sent_again_with_the_same_message_id(self):
        mailbox = Mailbox().start()
        self.addCleanup(mailbox.close)
        joe, app, bot = self.joe_and_seshat(
            extra=mailbox.config(visitor_grace="1", mail_delay="1"))
        visitor = start_chat(app, message="refund for order 777?", email="ann@customer.example")
        joe.expect(lambda text: text.startswith("Remote user 'Ann'"), sender=bot)
        joe.send(bot, f"!ACCEPT {visitor.id}")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{visitor.id}."))
        joe.expect("refund for order 777?")

        # The server writes the message, then keeps seshat waiting for its "250".
        mailbox.hold()
        joe.send(bot, "Your refund is on its way.")
        joe.send(bot, "!FINISH")
        joe.expect("The chat is now closed.")
        first = mailbox.wait_for(1)[0]
        app.kill()
        mailbox.release()

        app.start("serve")
        mails = mailbox.wait_for(2)
        wait_metric(app, "seshat_mail_sent_total", 1)
        wait_metric(app, "seshat_mail_unsent", 0)
        self.assertEqual(len(mailbox.raw()), 2)
        self.assertEqual(mails[1]["Message-ID"], first["Message-ID"])
        self.assertEqual(mails[1]["Date"], first["Date"])
        self.assertEqual(mailbox.raw()[1], mailbox.raw()[0], "the very same mail")
        self.assertIn("Your refund is on its way.", body_text(mails[1]))

        # Recorded now: a further restart sends nothing.
        app.kill()
        app.start("serve")
        wait_metric(app, "seshat_mail_unsent", 0)
        self.assertEqual(app.stop(), 0)
        self.assertEqual(len(mailbox.raw()), 2)

    def test_a_shutdown_during_a_send_is_prompt_and_the_mail_goes_out_after_the_restart(self):
        mailbox = Mailbox().start()
        self.addCleanup(mailbox.close)
        joe, app, bot = self.joe_and_seshat(
            extra=mailbox.config(visitor_grace="1", mail_delay="1"))
        visitor = start_chat(app, message="refund?", email="ann@customer.example")
        joe.expect(lambda text: text.startswith("Remote user 'Ann'"), sender=bot)
        joe.send(bot, f"!ACCEPT {visitor.id}")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{visitor.id}."))
        joe.expect("refund?")
        mailbox.hold()  # the SMTP server would keep seshat waiting for a minute
        joe.send(bot, "On its way.")
        joe.send(bot, "!FINISH")
        first = mailbox.wait_for(1)[0]
        self.assertEqual(app.stop(timeout=5), 0)  # SIGTERM: the SMTP dialogue is cut
        mailbox.release()
        app.start("serve")
        mails = mailbox.wait_for(2)
        wait_metric(app, "seshat_mail_sent_total", 1)
        self.assertEqual(mails[1]["Message-ID"], first["Message-ID"])
        self.assertEqual(app.stop(), 0)
        self.assertEqual(len(mailbox.raw()), 2)


if __name__ == "__main__":
    case.main()
