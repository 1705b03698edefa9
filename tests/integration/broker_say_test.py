"""!SAY with the `replies` file: the keys, a canned reply to the current chat and to chat n, the
file reread when it changes, and a broken file as one clear line (to the operator and in the
log), never a crash. `seshat serve`, a real Prosody, a real slixmpp operator."""

import os
import shutil
import tempfile

import harness.case as case
from harness.visitor import Visitor


class CannedReplies(case.ProsodyTestCase):
    def write(self, text):
        # Another size or time each time: the broker rereads on either.
        with open(self.replies, "w") as f:
            f.write(text)
        stat = os.stat(self.replies)
        self.version = getattr(self, "version", 0) + 1
        os.utime(self.replies, ns=(stat.st_atime_ns, stat.st_mtime_ns + self.version * 10**9))

    def test_say_sends_lists_and_follows_the_file(self):
        folder = tempfile.mkdtemp(prefix="seshat-replies-")
        self.addCleanup(shutil.rmtree, folder, True)
        self.replies = os.path.join(folder, "replies.ini")
        self.write("[replies]\nhello = Hello! How can I help you?\n"
                   "bye = Thank you for your visit.\n  Have a nice day!\n")
        joe, app, bot = self.joe_and_seshat(extra={"replies": self.replies, "max_chats": "2"})

        visitor = Visitor(app)
        chat = visitor.start("ann")
        joe.expect(lambda t: t.startswith("Remote user 'ann'"), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(lambda t: t.startswith(f"You are now handling chat #{chat}"), sender=bot)

        # !SAY alone lists the keys with the start of each text.
        joe.send(bot, "!SAY")
        joe.expect("Canned replies ('!SAY key' sends one to your current chat, '!SAY key n' to "
                   "chat n):\nbye: Thank you for your visit. Have a nice day!\n"
                   "hello: Hello! How can I help you?", sender=bot)
        # !SAY key: to the current chat, as the operator's own message.
        joe.send(bot, "!SAY Hello")
        joe.expect(f"Sent the canned reply 'hello' to chat #{chat}.", sender=bot)
        message = visitor.expect("Hello! How can I help you?", sender="operator")
        self.assertEqual(message.get("name"), "joe")
        joe.send(bot, f"!SAY bye {chat}")
        joe.expect(f"Sent the canned reply 'bye' to chat #{chat}.", sender=bot)
        visitor.expect("Thank you for your visit.\nHave a nice day!", sender="operator")

        # The file changes: the next !SAY uses it at once.
        self.write("[replies]\nhello = Hi again, this is the new text.\n")
        joe.send(bot, "!SAY hello")
        joe.expect(f"Sent the canned reply 'hello' to chat #{chat}.", sender=bot)
        visitor.expect("Hi again, this is the new text.", sender="operator")
        joe.send(bot, "!SAY bye")
        joe.expect("There is no canned reply 'bye'. Send '!SAY' for the list.", sender=bot)

        # A broken file: one clear line to the operator and in the log; nothing sent; no crash.
        self.write("[replies]\nhello = fine\nhello = twice\n")
        joe.send(bot, "!SAY hello")
        error = f"{self.replies}:3: the reply 'hello' is there twice"
        joe.expect(f"The canned replies cannot be used: {error}", sender=bot)
        self.assertIn(f"replies: {error}", app.log_text())
        self.assertTrue(app.running)

        # Fixed again: it works again; the chat goes on as before.
        self.write("[replies]\nhello = Repaired.\n")
        joe.send(bot, "!SAY hello")
        joe.expect(f"Sent the canned reply 'hello' to chat #{chat}.", sender=bot)
        visitor.expect("Repaired.", sender="operator")
        visitor.poll()
        self.assertEqual([t for f, t in visitor.texts() if f == "operator"],
                         ["Hello! How can I help you?", "Thank you for your visit.\nHave a nice day!",
                          "Hi again, this is the new text.", "Repaired."])
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
