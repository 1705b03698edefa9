"""An operator's encrypted message (Conversations and Dino encrypt with OMEMO by default) never
reaches the visitor, not even its fallback text; the operator is told at once, in plain words,
that the page cannot read it and how to turn encryption off.

Stanza shapes (cited per message): XEP-0384 0.3 example "sending a message" with the fallback
body and XEP-0380 hint Conversations adds (its MessageGenerator.generateAxolotlChat); XEP-0384
0.8 (urn:xmpp:omemo:2) example 8; XEP-0373 section 3.1 (OpenPGP for XMPP); XEP-0027 (legacy
jabber:x:encrypted) example 2; an OTR query message as Profanity's /otr start sends it.
"""

import time

import harness.case as case
from harness.visitor import Visitor

OMEMO_FALLBACK = ("I sent you an OMEMO encrypted message but your client doesn't seem to support "
                  "that. Find more information on https://conversations.im/omemo")


def omemo(bot, stanza_id):
    return (f"<message to='{bot}' type='chat' id='{stanza_id}'>"
            "<encrypted xmlns='eu.siacs.conversations.axolotl'>"
            "<header sid='27183'><key rid='31415'>MwohBbk1TWq7WLVCl8cTiajKk0h1D1VWVdSvHLmLRqZL"
            "</key><iv>BASE64ENCODED</iv></header><payload>BASE64ENCODED</payload></encrypted>"
            "<request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>"
            "<store xmlns='urn:xmpp:hints'/>"
            "<encryption xmlns='urn:xmpp:eme:0' name='OMEMO' "
            "namespace='eu.siacs.conversations.axolotl'/>"
            f"<body>{OMEMO_FALLBACK}</body></message>")


OTHERS = [
    # XEP-0384 0.8 example 8 (Dino's and Gajim's newer OMEMO)
    "<encrypted xmlns='urn:xmpp:omemo:2'><header sid='27183'><keys jid='{bot}'>"
    "<key rid='31415'>b64</key></keys></header><payload>b64</payload></encrypted>"
    "<body>This message is encrypted.</body>",
    # XEP-0373 section 3.1 (OpenPGP for XMPP, Conversations' and Gajim's OX)
    "<openpgp xmlns='urn:xmpp:openpgp:0'>BASE64_OPENPGP_MESSAGE</openpgp>"
    "<body>This message is encrypted.</body>",
    # XEP-0027 example 2 (legacy PGP, Gajim and Profanity's /pgp)
    "<body>This message is encrypted.</body><x xmlns='jabber:x:encrypted'>qANQR1DBwU4DX7jmYZnn"
    "</x>",
    # OTR query message (Profanity's /otr start, Gajim's OTR plugin)
    "<body>?OTRv23? joe@localhost has requested an Off-the-Record private conversation.</body>",
]


class EncryptedTest(case.ProsodyTestCase):
    def open_chat(self):
        joe, app, bot = self.joe_and_seshat()
        visitor = Visitor(app)
        chat = visitor.start("customer")
        joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")
        return joe, app, bot, visitor

    def test_omemo_never_reaches_the_visitor_and_the_operator_is_told_at_once(self):
        joe, app, bot, visitor = self.open_chat()
        sent = time.monotonic()
        joe.send_raw(omemo(bot, "omemo-1"))
        _, notice = joe.expect(lambda text: "encrypt" in text, sender=bot, timeout=5)
        self.assertLess(time.monotonic() - sent, 5)
        self.assertIn("cannot read encrypted messages", notice)
        self.assertIn("turn encryption off", notice)
        # A plain line afterwards arrives; the encrypted one never did.
        joe.send(bot, "Hello, customer.")
        visitor.expect("Hello, customer.", sender="operator")
        self.assertNotIn(OMEMO_FALLBACK, [text for _, text in visitor.texts()])
        self.assertEqual([t for t in visitor.texts() if t[0] == "operator"],
                         [("operator", "Hello, customer.")])

    def test_openpgp_legacy_pgp_omemo2_and_otr_are_refused_too(self):
        joe, app, bot, visitor = self.open_chat()
        for number, inner in enumerate(OTHERS):
            joe.send_raw(f"<message to='{bot}' type='chat' id='enc-{number}'>"
                         f"{inner.format(bot=bot)}</message>")
            joe.expect(lambda text: "cannot read encrypted messages" in text, sender=bot)
        joe.send(bot, "plain again")
        visitor.expect("plain again", sender="operator")
        self.assertEqual([t for t in visitor.texts() if t[0] == "operator"],
                         [("operator", "plain again")])


if __name__ == "__main__":
    case.main()
