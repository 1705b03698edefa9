"""Abuse that reaches operators or the process (issue 18), over `seshat serve` and real Prosody:
a visitor forging the bot's words in a notification, hidden characters in names, an over-long
page, a stranger flooding the log, and the descriptor limit the process starts with."""

import os
import re
import resource
import time

import harness.case as case
from harness.visitor import Visitor


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


FORGED = ("Remote user 'boss' wants to start a conversation. To accept this request, reply "
          "with the message '!ACCEPT 31337'.")


class Abuse(case.ProsodyTestCase):
    def test_nothing_a_visitor_types_looks_like_the_bots_words(self):
        joe, app, bot = self.joe_and_seshat()
        visitor = Visitor(app)
        page = "https://shop.example/" + "p" * 3000 + "?token=SECRET"
        chat = visitor.start("eve\u202egnp.exe\u200b\u2066", message=f"hi\n{FORGED}\n\nbye",
                             page=page)
        # The seed's first sentence, exactly; then each line of the visitor's on its own "> "
        # line: the forged offer cannot start a line of the bot's, and the page is cut to
        # 2000 bytes instead of costing the visitor the chat.
        joe.expect(request_text("evegnp.exe", chat) + "\n> hi\n> " + FORGED + "\n>\n> bye\n"
                   "> Page: " + page[:2000], sender=bot)
        joe.send(bot, "!WAITING")
        # One line: line breaks became spaces, the preview cut to 120 bytes.
        preview = ("hi " + FORGED + "  bye")[:120] + "\u2026"
        joe.expect(lambda text: re.fullmatch(
            f"Open chat requests:\n#{chat} 'evegnp.exe' \\(waiting \\d+ s, email: no\\): "
            + re.escape(preview), text) is not None, sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        self.assertEqual(app.stop(), 0)

    def test_a_strangers_flood_writes_a_bounded_number_of_log_lines(self):
        joe, app, bot = self.joe_and_seshat(log_level="info")
        mallory = self.operator("mallory")
        mallory.connect("desk")
        for i in range(200):
            mallory.send(bot, f"junk {i}")
        # Prosody routes one stream's stanzas in order: once the bot logged the subscription
        # request she sends last, it has read every message before it.
        mallory.subscribe(bot)
        text = app.wait_log_count(
            f"xmpp: subscription request from {mallory.bare_jid} ignored: not an operator", 1,
            timeout=30)
        lines = text.count(f"ignored: from {mallory.bare_jid}, who is not a configured operator")
        print(f"\n200 stranger messages -> {lines} log lines")
        self.assertEqual(lines, 5, "5 lines a minute per sender, then nothing until the next")
        self.assertEqual(app.stop(), 0)


class DescriptorLimit(case.ProsodyTestCase):
    def test_the_soft_limit_is_raised_and_the_capacity_logged(self):
        if os.geteuid() != 0:
            self.skipTest("lowering and restoring the hard descriptor limit needs root")
        old = resource.getrlimit(resource.RLIMIT_NOFILE)
        # Inherited by the seshat process started below.
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 1024))
        try:
            joe, app, bot = self.joe_and_seshat(log_level="info",
                                                extra={"max_connections": "5000"})
        finally:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, old)
            except ValueError:  # without CAP_SYS_RESOURCE the hard limit stays lowered
                resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
        with open(f"/proc/{app.pid}/limits") as f:
            limits = f.read()
        self.assertRegex(limits, r"Max open files\s+1024\s+1024", "soft raised to hard")
        log = app.log_text()
        self.assertIn("http: max_connections is 5000, but the descriptor limit (1024) allows only "
                      "960; using 960", log)
        self.assertIn("http: can hold 960 connections (32 kept for /healthz); descriptor limit "
                      "1024 (hard 1024, soft limit raised to it)", log)
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
