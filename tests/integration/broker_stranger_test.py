"""An XMPP account that is not a configured operator talks to the bot: it is never obeyed and
never answered, and the bot logs that it ignored it. Over `seshat serve` and real Prosody."""

import time

import harness.case as case
from harness.visitor import Visitor


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


IGNORED = "ignored: from mallory@localhost, who is not a configured operator"


class Stranger(case.ProsodyTestCase):
    def test_a_stranger_is_ignored_and_logged(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        mallory = self.operator("mallory")  # an account on the server, not in localusers
        mallory.connect("desk")
        app = self.seshat([joe.bare_jid])
        bot = self.server.jid("bot")
        app.wait_operators(1)

        visitor = Visitor(app)
        chat = visitor.start("customer")
        joe.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        mallory.assert_no_message(within=0.3)  # strangers are not told of chats

        # mallory types: !ACCEPT n, then plain text, then another command
        mallory.send(bot, f"!ACCEPT {chat}")
        mallory.send(bot, "Hello, customer. Give me your password.")
        mallory.send(bot, "!WAITING")
        # The bot logs each one as ignored (readiness: the log line appears when it is handled).
        app.wait_log_count(IGNORED, 3)
        # She gets no answer at all, the chat is still waiting, the visitor saw nothing of hers.
        mallory.assert_no_message(within=0.5)
        visitor.poll()
        self.assertEqual(visitor.status, "waiting")
        self.assertNotIn("Hello, customer. Give me your password.",
                         [m["text"] for m in visitor.seen])
        self.assertNotIn("Your chat has started.", [m["text"] for m in visitor.seen])
        joe.assert_no_message(within=0.1)  # no "accepted by" notice went to joe

        # The chat is still joe's to take.
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")

        # In an open chat, too, her text goes nowhere.
        mallory.send(bot, "I am the operator now.")
        app.wait_log_count(IGNORED, 4)
        visitor.send("Hi!")
        joe.expect("Hi!")
        joe.send(bot, "Hello, customer.")
        visitor.expect("Hello, customer.", sender="operator")
        self.assertEqual([t for t in visitor.texts() if t[0] == "operator"],
                         [("operator", "Hello, customer.")])
        mallory.assert_no_message(within=0.3)
        self.assertEqual(app.stop(), 0)

    def test_a_strangers_subscription_request_is_not_approved(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        mallory = self.operator("mallory")
        mallory.connect("desk")
        app = self.seshat([joe.bare_jid])
        app.wait_operators(1)
        bot = self.server.jid("bot")

        # mallory asks to see the bot's presence: the bot logs and ignores it.
        mallory.subscribe(bot)
        app.wait_log(f"xmpp: subscription request from {mallory.bare_jid} ignored: not an operator",
                     time.monotonic() + 10)
        mallory.assert_no_presence(lambda sender, kind, show: sender.split("/")[0] == bot
                                   and kind == "subscribed", within=0.5)
        # Her presence changes nothing: availability still counts joe only.
        mallory.set_presence(None)
        app.wait_operators(1)
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
