"""Split mode (`seshat web` + `seshat broker` on one database): typing both ways and receipts
work through the store, as in `serve`. Stanza shapes as in broker_typing_test.py (XEP-0085
example 3) and broker_receipts_test.py (XEP-0184 example 1)."""

import harness.case as case
from harness.raw import NS_CHATSTATES, NS_RECEIPTS, EventStream, RawStanzas, child
from harness.visitor import Visitor, request


class SplitInterop(case.ProsodyTestCase):
    def test_typing_and_receipts_across_the_two_processes(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        web = self.seshat([joe.bare_jid], mode="web")
        self.seshat([joe.bare_jid], mode="broker", db=web.db)
        bot = self.server.jid("bot")
        web.wait_operators(1)
        stanzas = RawStanzas(joe)

        visitor = Visitor(web)
        chat = visitor.start("customer")
        joe.expect(lambda t: t.startswith("Remote user 'customer'"), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        visitor.expect("Your chat has started.", sender="system")
        events = EventStream(web, visitor, after=visitor.after)
        self.addCleanup(events.close)

        joe.send_raw(f"<message to='{bot}' type='chat' id='cs-1'>"
                     "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>")
        typing = events.expect(lambda e: e.get("event") == "typing")
        self.assertEqual(typing["json"], {"typing": True, "name": "joe"})

        status, _ = request(web.url(f"/api/chats/{chat}/typing"), "POST", {"typing": True},
                            token=visitor.token)
        self.assertEqual(status, 204)
        stanzas.expect(lambda m: child(m, "composing", NS_CHATSTATES) is not None)

        joe.send_raw(f"<message to='{bot}' type='chat' id='op-1'><body>Hello.</body>"
                     "<request xmlns='urn:xmpp:receipts'/></message>")
        events.expect(lambda e: e.get("json", {}).get("text") == "Hello.")
        stanzas.expect(lambda m: child(m, "received", NS_RECEIPTS) is not None
                       and child(m, "received", NS_RECEIPTS).get("id") == "op-1")


if __name__ == "__main__":
    case.main()
