"""!INFO shows what the visitor's browser told (page, referrer, language, browser and system from
the User-Agent, local time, waited time, earlier chats from the same browser id; the address
only with show_ip); !HISTORY n [page] shows any chat's transcript, newest lines first, 20 a page.
`seshat serve`, a real Prosody, a real slixmpp operator; the visitor over the HTTP API."""

import re

import harness.case as case
from harness.visitor import ApiError, Visitor, request


def refused(url, body):
    try:
        return request(url, "POST", body)
    except ApiError as error:
        return error.status, error.body

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
VISITOR_ID = "0123456789abcdef0123456789abcdef"


def handling(chat):
    return f"You are now handling chat #{chat}. Send '!FINISH' when you are done."


class InfoAndHistory(case.ProsodyTestCase):
    def start_chat(self, app, name, **fields):
        """A chat started as the widget starts it, with the browser's User-Agent."""
        body = {"name": name, "page": "https://shop.example/orders", "language": "de-AT",
                "visitor": VISITOR_ID, "referrer": "https://search.example/", "utc_offset": 120,
                "email": "ann@example.com"}
        body.update(fields)
        status, reply = request(app.url("/api/chats"), "POST", body,
                                headers={"User-Agent": FIREFOX})
        self.assertEqual(status, 201, reply)
        visitor = Visitor(app)
        visitor.id, visitor.token = reply["id"], reply["token"]
        return visitor

    def accept(self, joe, chat):
        joe.expect(lambda t: t.startswith(f"Remote user"), sender=self.bot)
        joe.send(self.bot, f"!ACCEPT {chat}")
        joe.expect(handling(chat), sender=self.bot)

    def test_info_shows_the_visitors_page_browser_and_earlier_chats(self):
        joe, app, self.bot = self.joe_and_seshat()
        ann = self.start_chat(app, "ann")
        self.accept(joe, ann.id)

        joe.send(self.bot, "!INFO")
        _, info = joe.expect(lambda t: t.startswith(f"Chat #{ann.id} with 'ann':"),
                             sender=self.bot)
        lines = info.split("\n")
        self.assertIn("Email: ann@example.com", lines)
        self.assertIn("Page: https://shop.example/orders", lines)
        self.assertIn("Referrer: https://search.example/", lines)
        self.assertIn("Language: de-AT", lines)
        self.assertIn("Browser: Firefox 126 on Linux", lines)
        self.assertTrue(any(re.fullmatch(r"Local time: \d\d:\d\d \(UTC\+02:00\)", l) for l in lines),
                        info)
        self.assertTrue(any(re.fullmatch(r"Waited: \d+ s before an operator accepted", l)
                            for l in lines), info)
        self.assertIn("Earlier chats from this browser: none", lines)
        self.assertFalse(any(l.startswith("Address:") for l in lines), info)  # show_ip is off

        # The same browser comes back: its earlier chat shows, also before anyone accepts.
        joe.send(self.bot, "!FINISH")
        joe.expect("The chat is now closed.", sender=self.bot)
        again = self.start_chat(app, "ann again")
        joe.expect(lambda t: t.startswith("Remote user 'ann again'"), sender=self.bot)
        joe.send(self.bot, f"!INFO {again.id}")
        _, info = joe.expect(lambda t: t.startswith(f"Chat #{again.id} with 'ann again':"),
                             sender=self.bot)
        self.assertIn("Earlier chats from this browser: 1", info)
        self.assertRegex(info, rf"\n  #{ann.id} \d{{4}}-\d\d-\d\d \d\d:\d\d UTC, closed "
                               rf"\('!HISTORY {ann.id}'\)")
        self.assertRegex(info, r"\nWaiting: \d+ s\n")

        # Bad input: a malformed browser id or offset is refused, and nothing is started.
        status, reply = refused(app.url("/api/chats"), {"name": "x", "visitor": "a b"})
        self.assertEqual(status, 400, reply)
        status, reply = refused(app.url("/api/chats"), {"name": "x", "utc_offset": 9999})
        self.assertEqual((status, reply["error"]),
                         (400, "The field 'utc_offset' must be whole minutes from -840 to 840."))
        joe.send(self.bot, "!INFO 999")
        joe.expect("There is no chat #999.", sender=self.bot)
        self.assertEqual(app.stop(), 0)

    def test_info_shows_the_address_with_show_ip(self):
        joe, app, self.bot = self.joe_and_seshat(extra={"show_ip": "yes"})
        ann = self.start_chat(app, "ann")
        self.accept(joe, ann.id)
        joe.send(self.bot, f"!INFO {ann.id}")
        _, info = joe.expect(lambda t: t.startswith(f"Chat #{ann.id} with 'ann':"),
                             sender=self.bot)
        self.assertTrue(info.endswith("\nAddress: 127.0.0.1"), info)
        self.assertEqual(app.stop(), 0)

    def test_history_pages_newest_first(self):
        joe, app, self.bot = self.joe_and_seshat()
        ann = self.start_chat(app, "ann", message="first words")
        self.accept(joe, ann.id)
        joe.expect("first words", sender=self.bot)
        for n in range(1, 25):
            ann.send(f"line {n}")
        for n in range(1, 25):
            joe.expect(f"line {n}", sender=self.bot)
        joe.send(self.bot, "And my answer.")
        ann.expect("And my answer.", sender="operator")

        # The opening line, the bot's "An operator has not joined yet ..." and "Your chat has
        # started.", 24 lines and 1 answer: 28 lines, 2 pages.
        joe.send(self.bot, f"!HISTORY {ann.id}")
        _, page = joe.expect(lambda t: t.startswith(f"Chat #{ann.id} with 'ann', page 1 of 2"),
                             sender=self.bot)
        lines = page.split("\n")
        self.assertEqual(lines[0], f"Chat #{ann.id} with 'ann', page 1 of 2, newest first (times "
                                   f"UTC); older lines: '!HISTORY {ann.id} 2':")
        self.assertEqual(len(lines), 21)
        self.assertRegex(lines[1], r"^\d\d:\d\d joe: And my answer\.$")
        self.assertRegex(lines[2], r"^\d\d:\d\d 'ann': line 24$")
        self.assertRegex(lines[20], r"^\d\d:\d\d 'ann': line 6$")

        joe.send(self.bot, f"!history #{ann.id} 2")
        _, page = joe.expect(lambda t: t.startswith(f"Chat #{ann.id} with 'ann', page 2 of 2"),
                             sender=self.bot)
        lines = page.split("\n")
        self.assertEqual(len(lines), 9)
        self.assertRegex(lines[-4], r"^\d\d:\d\d 'ann': line 1$")
        self.assertRegex(lines[-3], r"^\d\d:\d\d \(Your chat has started\.\)$")
        self.assertRegex(lines[-2], r"^\d\d:\d\d \(An operator has not joined yet\. .*\)$")
        self.assertRegex(lines[-1], r"^\d\d:\d\d 'ann': first words$")

        # A finished chat's history is still there; bad pages and chats are told.
        joe.send(self.bot, "!FINISH")
        joe.expect("The chat is now closed.", sender=self.bot)
        joe.send(self.bot, f"!HISTORY {ann.id} 3")
        joe.expect(f"Chat #{ann.id} has no page 3: it has 2 pages.", sender=self.bot)
        joe.send(self.bot, "!HISTORY 999")
        joe.expect("There is no chat #999.", sender=self.bot)
        joe.send(self.bot, "!HISTORY")
        joe.expect("Usage: !HISTORY n [page]", sender=self.bot)
        joe.send(self.bot, f"!HISTORY {ann.id} two")
        joe.expect("Usage: !HISTORY n [page]", sender=self.bot)
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
