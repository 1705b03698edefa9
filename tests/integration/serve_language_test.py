"""The bot speaks to each visitor in their chat's language: the `language` a page sends with the
chat picks the texts (German, French, Spanish built in), the `texts` file overrides or adds, the
`language` key covers chats that name none; operators keep the seed's English, word for word.

    chat in fr-CA   < Bienvenue !                          (the texts file's [fr] chat_started)
                    < La discussion est maintenant terminée. (built in)
    chat in nl      < Welkom!                               (the texts file's [nl])
                    < El chat ha terminado.                 (nl has none: the `language` key, es)
    chat with none  < Tu chat ha comenzado.                 (the `language` key, es)
    chat in en      < Your chat has started.                (the seed's words)
"""

import os

import harness.case as case
from harness.visitor import Visitor, request

TEXTS = """[fr]
chat_started = Bienvenue !

[nl]
chat_started = Welkom!
"""


class ServeLanguage(case.ProsodyTestCase):
    def test_each_chat_hears_the_bot_in_its_language(self):
        texts = os.path.join(self.server.dir, "texts.ini")
        with open(texts, "w") as f:
            f.write(TEXTS)
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid], extra={"language": "es", "texts": texts})
        app.wait_operators(1)
        bot = self.server.jid("bot")

        def chat(language, started, closed):
            visitor = Visitor(app)
            body = {"name": "customer"}
            if language is not None:
                body["language"] = language
            status, reply = request(app.url("/api/chats"), "POST", body)
            self.assertEqual(status, 201, reply)
            visitor.id, visitor.token = reply["id"], reply["token"]
            # The fourth request within 10 s comes in the rush summary (README, "Who is
            # notified"), 10 s after the first: either way it names its '!ACCEPT n'.
            joe.expect(lambda text: f"'!ACCEPT {visitor.id}'" in text, sender=bot, timeout=20)
            joe.send(bot, f"!ACCEPT {visitor.id}")
            joe.expect(f"You are now handling chat #{visitor.id}. Send '!FINISH' when you are done.")
            visitor.expect(started, sender="system")
            visitor.send("Hi!")
            joe.expect("Hi!")
            joe.send(bot, "!FINISH")
            joe.expect("The chat is now closed.")  # the operator's words stay the seed's
            visitor.expect(closed, sender="system")
            self.assertEqual(visitor.texts(), [("system", started), ("visitor", "Hi!"),
                                               ("system", closed)])

        chat("fr-CA", "Bienvenue !", "La discussion est maintenant termin\u00e9e.")
        chat("nl", "Welkom!", "El chat ha terminado.")
        chat(None, "Tu chat ha comenzado.", "El chat ha terminado.")
        chat("en", "Your chat has started.", "The chat is now closed.")
        joe.assert_no_message(within=0.3)


if __name__ == "__main__":
    case.main()
