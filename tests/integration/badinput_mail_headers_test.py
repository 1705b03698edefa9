"""Nothing a visitor gives can add a mail header or a recipient: addresses with line breaks or
several recipients are refused (400) at the API, and a name that looks like headers ends up in
the body only; the mail that goes out has exactly its own headers and one recipient."""

import harness.case as case
from harness.smtp import Mailbox, body_text, start_chat, wait_metric
from harness.visitor import ApiError, request

INJECTIONS = [
    "ann@customer.example\r\nBcc: victim@example.com",
    "ann@customer.example\nBcc: victim@example.com",
    "ann@customer.example>\r\nRCPT TO:<victim@example.com",
    "ann@customer.example, victim@example.com",
    "Ann <ann@customer.example>",
    "ann@customer.example\u2028Bcc: victim@example.com",
]


class MailHeaders(case.ProsodyTestCase):
    def test_addresses_that_could_inject_are_refused_and_names_stay_in_the_body(self):
        mailbox = Mailbox().start()
        self.addCleanup(mailbox.close)
        joe, app, bot = self.joe_and_seshat(extra=mailbox.config(visitor_grace="1",
                                                                 mail_delay="1"))
        for address in INJECTIONS:
            with self.assertRaises(ApiError, msg=address) as refused:
                request(app.url("/api/chats"), "POST", {"name": "Ann", "email": address})
            self.assertEqual(refused.exception.status, 400, address)
        with self.assertRaises(ApiError) as refused:
            request(app.url("/api/chats"), "POST",
                    {"name": "Ann\r\nBcc: victim@example.com", "email": "ann@customer.example"})
        self.assertEqual(refused.exception.status, 400)

        # A one-line name that reads like headers is just a name (it never goes in a header).
        name = "Ann Subject: hi Bcc: victim@example.com \u00e9\u202e"
        visitor = start_chat(app, name=name, message="hello", email="ann@customer.example")
        joe.expect(lambda text: text.startswith("Remote user"), sender=bot)
        for address in INJECTIONS:
            with self.assertRaises(ApiError, msg=address) as refused:
                request(app.url(f"/api/chats/{visitor.id}/transcript"), "POST",
                        {"email": address}, token=visitor.token)
            self.assertEqual(refused.exception.status, 400, address)

        joe.send(bot, f"!ACCEPT {visitor.id}")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{visitor.id}."))
        joe.expect("hello")
        joe.send(bot, "Subject: not a header\r\nBcc: victim@example.com")
        joe.send(bot, "!FINISH")
        mail = mailbox.wait_for(1)[0]
        wait_metric(app, "seshat_mail_sent_total", 1)
        self.assertEqual(mailbox.envelopes, [("support@shop.example", ["ann@customer.example"])])
        self.assertEqual(sorted(mail.keys()), sorted([
            "Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type",
            "Content-Transfer-Encoding"]))
        self.assertIsNone(mail["Bcc"])
        self.assertEqual(mail["Subject"], f"Our answer to your chat #{visitor.id}")
        body = body_text(mail)
        self.assertIn("Hello Ann Subject: hi Bcc: victim@example.com \u00e9", body)
        self.assertIn("Subject: not a header", body)


if __name__ == "__main__":
    case.main()
