"""POST /seshat/api/chats/{id}/transcript {"email":"..."}: one mail with the whole chat to that
address, through a real SMTP server; and each way it says no (400, 401, 403, 409, 429, 503)."""

import harness.case as case
from harness.smtp import Mailbox, body_text, start_chat, wait_metric
from harness.visitor import ApiError, request


class MailTranscript(case.ProsodyTestCase):
    def transcript(self, app, visitor, email, token=None):
        return request(app.url(f"/api/chats/{visitor.id}/transcript"), "POST", {"email": email},
                       token=visitor.token if token is None else token)

    def refused(self, status, call):
        with self.assertRaises(ApiError) as refused:
            call()
        self.assertEqual(refused.exception.status, status, refused.exception.body)
        self.assertIsInstance(refused.exception.body["error"], str)
        return refused.exception.body["error"]

    def test_the_visitor_gets_the_whole_chat_once(self):
        mailbox = Mailbox().start()
        self.addCleanup(mailbox.close)
        joe, app, bot = self.joe_and_seshat(extra=mailbox.config())
        visitor = start_chat(app, message="Do you ship to Norway?")
        joe.expect(lambda text: text.startswith("Remote user 'Ann'"), sender=bot)
        joe.send(bot, f"!ACCEPT {visitor.id}")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{visitor.id}."))
        joe.expect("Do you ship to Norway?")
        joe.send(bot, "Yes, in 3 days.")
        visitor.expect("Yes, in 3 days.", sender="operator")
        visitor.close()

        status, reply = self.transcript(app, visitor, "ann@customer.example")
        self.assertEqual((status, reply), (202, {"status": "queued"}))
        mail = mailbox.wait_for(1)[0]
        self.assertEqual(mail["Subject"], f"Transcript of your chat #{visitor.id}")
        self.assertEqual(mailbox.envelopes[0][1], ["ann@customer.example"])
        body = body_text(mail)
        self.assertIn("> Do you ship to Norway?\n", body)
        self.assertIn("Yes, in 3 days.\n", body)
        self.assertLess(body.index("Do you ship to Norway?"), body.index("Yes, in 3 days."))
        self.assertIn("(The chat is now closed.)", body)

        # The same request again (a double click): nothing new in the chat, no second mail.
        self.assertIn("already", self.refused(409, lambda: self.transcript(
            app, visitor, "ANN@customer.example")))
        # Another address is another mail.
        self.assertEqual(self.transcript(app, visitor, "bob@customer.example")[0], 202)
        wait_metric(app, "seshat_mail_sent_total", 2)
        self.assertEqual(len(mailbox.raw()), 2)

        # Bad requests change nothing.
        self.refused(400, lambda: self.transcript(app, visitor, "not an address"))
        self.refused(400, lambda: self.transcript(app, visitor, "a@b.example\r\nBcc: c@d.example"))
        self.refused(400, lambda: request(app.url(f"/api/chats/{visitor.id}/transcript"), "POST",
                                          {"mail": "ann@customer.example"}, token=visitor.token))
        self.refused(401, lambda: self.transcript(app, visitor, "ann@customer.example", token=""))
        self.refused(403, lambda: self.transcript(app, visitor, "ann@customer.example",
                                                  token="x" * 43))
        self.refused(404, lambda: request(app.url("/api/chats/999/transcript"), "POST",
                                          {"email": "ann@customer.example"}, token=visitor.token))

        # At most 5 transcripts of one chat.
        for n in range(3):
            self.assertEqual(self.transcript(app, visitor, f"x{n}@customer.example")[0], 202)
        self.refused(429, lambda: self.transcript(app, visitor, "y@customer.example"))

    def test_without_smtp_there_is_no_transcript(self):
        joe, app, bot = self.joe_and_seshat()
        visitor = start_chat(app, message="hello")
        error = self.refused(503, lambda: self.transcript(app, visitor, "ann@customer.example"))
        self.assertIn("mail", error)


if __name__ == "__main__":
    case.main()
