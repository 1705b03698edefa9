"""Odd and hostile stanzas to the bot: from a stranger, from an operator's resource that never
said it was online, of type error, groupchat or headline, with no body or a blank one, with a
100 KB body. Nothing crashes, strangers change nothing and get no answer, and the visitor's view
is exactly what the rules say. Also: the bot's password never appears in its log.

What the code does, asserted here (src/xmpp/strophe_session.cpp, src/core/switchboard.cpp):
- a stranger's messages and commands are ignored and logged ("who is not a configured operator");
- an operator is known by the bare JID, so any of his resources may write into his chat, even
  one that sent no presence; the bot answers the bare JID;
- type error/groupchat/headline are dropped (debug log); an error whose id names an outbox row
  that is not in flight is ignored;
- a message without a body (chat states) is dropped silently; a blank body is logged as empty;
- an operator's message has no size limit of its own: a 100 KB text reaches the visitor whole
  (Prosody's stanza limit, 256 KB, is the bound); a stranger's is ignored.
"""

import base64
import os
import signal
import subprocess
import sys
import time
from xml.sax.saxutils import escape, quoteattr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.operator import Operator  # noqa: E402
from harness.seshat import Seshat  # noqa: E402
from harness.stream import bot_online  # noqa: E402
from harness.visitor import Visitor  # noqa: E402

HUGE = ("0123456789abcdef" * 6400)  # 100 KB (102,400 bytes)


def stanza(to, body=None, kind="chat", stanza_id=None, extra=""):
    attributes = f"to={quoteattr(to)}"
    if kind:
        attributes += f" type={quoteattr(kind)}"
    if stanza_id:
        attributes += f" id={quoteattr(stanza_id)}"
    inner = extra + ("" if body is None else f"<body>{escape(body)}</body>")
    return f"<message {attributes}>{inner}</message>"


class HostileStanzas(case.ProsodyTestCase):
    def setUp(self):
        super().setUp()
        self.joe = self.operator("joe")
        self.joe.connect("laptop")
        self.eve = self.operator("eve")  # an account on the same server, not an operator
        self.eve.connect("pc")
        self.app = self.seshat([self.joe.bare_jid])
        self.bot = self.server.jid("bot")
        self.app.wait_operators(1)

    def wait_log(self, needle, timeout=10):
        deadline = time.monotonic() + timeout
        while needle not in self.app.log_text():
            if time.monotonic() > deadline:
                raise AssertionError(f"no {needle!r} in the log\n{self.app.log_tail()}")
            time.sleep(0.01)  # polling a log file for a line

    def open_chat(self):
        visitor = Visitor(self.app)
        chat = visitor.start("customer")
        self.joe.expect(lambda t: t.startswith("Remote user 'customer'"), sender=self.bot)
        self.joe.send(self.bot, f"!ACCEPT {chat}")
        self.joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")
        return visitor

    def barrier(self, visitor, mark):
        """joe's next plain message: once the visitor has it, the bot has handled every stanza
        joe sent before it (one stream, in order; one XMPP thread)."""
        self.joe.send(self.bot, mark)
        visitor.expect(mark, sender="operator")

    def test_a_stranger_changes_nothing_and_gets_no_answer(self):
        waiting = Visitor(self.app)
        chat = waiting.start("customer")
        self.joe.expect(lambda t: t.startswith("Remote user 'customer'"), sender=self.bot)
        for text in [f"!ACCEPT {chat}", f"!CANCEL {chat}", "!WAITING", "!HELP", "hello bot",
                     HUGE]:
            self.eve.send(self.bot, text)
        self.eve.send_raw(stanza(self.bot, "normal type", kind=None))
        # Her stream is handled in order: once the bot logged the subscription request she sends
        # last, it has handled her seven messages. They are logged as ignored, 5 lines a minute
        # per sender at most (a stranger cannot flood the log); a round writes its log lines
        # after its stanzas, so they may follow the subscription's line.
        self.eve.subscribe(self.bot)
        self.wait_log("xmpp: subscription request from eve@localhost ignored: not an operator")
        ignored = "ignored: from eve@localhost, who is not a configured operator"
        self.app.wait_log_count(ignored, 5)
        self.eve.assert_no_message(within=0.5)
        self.assertEqual(self.app.log_text().count(ignored), 5)
        self.assertNotIn(HUGE[:64], self.app.log_text().split("ignored: from eve")[1],
                         "a stranger's text copied into the log")
        waiting.poll()
        self.assertEqual(waiting.status, "waiting")
        self.assertEqual([m["text"] for m in waiting.seen if m["from"] != "visitor"], [])
        # The request is still joe's to take.
        self.joe.send(self.bot, f"!ACCEPT {chat}")
        self.joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        waiting.expect("Your chat has started.", sender="system")
        self.assertTrue(self.app.running)

    def test_an_operator_resource_that_never_announced_itself_still_works(self):
        visitor = self.open_chat()
        phone = Operator(self.server, "joe", "joe-secret")
        self.addCleanup(phone.disconnect)
        phone.connect("phone", announce=False)
        phone.send(self.bot, "typed on the phone")
        self.assertEqual(visitor.expect("typed on the phone")["from"], "operator")
        phone.send(self.bot, "!STATUS")
        # The bot answers joe's bare JID: the server gives it to the resource that is online.
        self.joe.expect(f"You are handling chat #{visitor.id} with 'customer'.", sender=self.bot)
        phone.assert_no_message(within=0.3)

    def test_odd_types_and_bodies_change_nothing(self):
        # To the bot's full JID: the server itself drops an error, and bounces a groupchat,
        # sent to a bare JID, so only a full JID puts them in front of the bot.
        full = bot_online(self.joe, self.bot)
        visitor = self.open_chat()
        self.joe.send_raw(stanza(full, "as an error", kind="error", stanza_id="seshat-1",
                                 extra="<error type='cancel'><item-not-found "
                                       "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"))
        self.joe.send_raw(stanza(full, "as groupchat", kind="groupchat"))
        self.joe.send_raw(stanza(full, "as headline", kind="headline"))
        self.joe.send_raw(stanza(full, None, extra="<composing "
                                 "xmlns='http://jabber.org/protocol/chatstates'/>"))
        self.joe.send_raw(stanza(full, ""))
        self.joe.send_raw(stanza(full, "   \n\t "))
        self.barrier(visitor, "after the odd ones")
        self.assertEqual([m["text"] for m in visitor.seen if m["from"] == "operator"],
                         ["after the odd ones"])
        # The XMPP side logs the first three as it reads them; the empty ones' line is a round's,
        # written after the round's stanzas, so the visitor can have the barrier first.
        log = self.app.wait_log_count("ignored: empty message from joe@localhost", 1)
        self.assertIn("message error for id 'seshat-1' from joe@localhost/laptop ignored", log)
        self.assertIn("groupchat message from joe@localhost/laptop ignored", log)
        self.assertIn("headline message from joe@localhost/laptop ignored", log)
        self.joe.assert_no_message(within=0.3)
        # A plain <message/> without a type is a normal message: it is relayed.
        self.joe.send_raw(stanza(self.bot, "no type attribute", kind=None))
        visitor.expect("no type attribute", sender="operator")

    def test_a_100_kb_body_reaches_the_visitor_whole(self):
        visitor = self.open_chat()
        self.joe.send(self.bot, HUGE)
        message = visitor.expect(lambda text: len(text) > 1000, sender="operator", timeout=20)
        self.assertEqual(message["text"], HUGE)
        visitor.send("got it")
        self.joe.expect("got it", sender=self.bot)
        self.assertTrue(self.app.running)

    def test_the_password_is_never_logged(self):
        # The whole run at debug level (the harness's default, with libstrophe's stanza trace),
        # plus a second process with a wrong password that fails to log in.
        visitor = self.open_chat()
        visitor.send("Hi!")
        self.joe.expect("Hi!")
        self.assertEqual(self.app.stop(), 0)
        wrong = Seshat(case.paths.seshat, self.server, [self.joe.bare_jid],
                       password="wrong-Pa55word-xyz")
        self.addCleanup(wrong.close)
        with open(wrong.log_file, "wb") as log:
            process = subprocess.Popen([case.paths.seshat, "serve", wrong.config, "Seshat",
                                        "--log-level", "trace"],
                                       stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
        try:
            wrong._process = process  # so that wait_log() notices an early exit
            wrong.wait_log("auth failed", time.monotonic() + 10)
        finally:
            process.send_signal(signal.SIGTERM)
            self.assertEqual(process.wait(10), 0)
        for app, password in [(self.app, case.BOT_PASSWORD), (wrong, "wrong-Pa55word-xyz")]:
            log = app.log_text()
            self.assertGreater(len(log), 1000)
            for form in [password, base64.b64encode(password.encode()).decode(),
                         base64.b64encode(f"\0bot\0{password}".encode()).decode(),
                         base64.b64encode(f"bot@localhost\0bot\0{password}".encode()).decode()]:
                self.assertNotIn(form, log, f"the password appears in {app.log_file}")


if __name__ == "__main__":
    case.main()
