"""A well-behaved bot: clients can learn what it is and what it supports (XEP-0030 disco#info,
also through XEP-0115 capabilities in its presence, XEP-0092 version), XEP-0199 ping still works, its full JID is the same after a restart (the
`resource` key, default "seshat"), and any other IQ get/set gets service-unavailable (RFC 6120 section 8.4).

Stanza shapes: XEP-0030 example 8 (disco#info query), XEP-0092 example 1 (version query), as
Gajim's "Show details" and Dino's contact details send them.

Roster pushes (RFC 6121 2.1.6) are answered with an empty result when they come from the bot's
own account; a server sends them only to resources that fetched the roster, which the bot does
not, so that rule is tested in tests/xmpp/iq_policy_test.cpp rather than here.
"""

import base64
import hashlib

import harness.case as case
from harness.raw import NS_DISCO_INFO, NS_VERSION, child, iq
from harness.visitor import Visitor

FEATURES = {
    "http://jabber.org/protocol/disco#info",
    "urn:xmpp:ping",
    "jabber:iq:version",
    "urn:xmpp:receipts",
    "urn:xmpp:chat-markers:0",
    "http://jabber.org/protocol/chatstates",
    "urn:xmpp:message-correct:0",
    "urn:xmpp:sid:0",
    "http://jabber.org/protocol/nick",
}
STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"


def condition(answer):
    error = answer.find("{jabber:client}error")
    if error is None:
        error = answer.find("error")
    return [e.tag.split("}")[1] for e in error if e.tag.startswith(f"{{{STANZAS}}}")]


class BotIdentityTest(case.ProsodyTestCase):
    def bot_full_jid(self, joe, app, bot):
        """The full JID the bot's messages come from (a new chat makes it write)."""
        visitor = Visitor(app)
        visitor.start("customer")
        sender, _ = joe.expect(lambda text: True, sender=bot)
        return sender

    def test_disco_info_version_ping_and_unknown_queries(self):
        joe, app, bot = self.joe_and_seshat()
        full = self.bot_full_jid(joe, app, bot)
        self.assertEqual(full, f"{bot}/seshat")

        answer = iq(joe, f"<iq type='get' to='{full}' id='disco1'>"
                         f"<query xmlns='{NS_DISCO_INFO}'/></iq>")
        self.assertEqual(answer.get("type"), "result")
        query = child(answer, "query", NS_DISCO_INFO)
        identities = [(i.get("category"), i.get("type"), i.get("name"))
                      for i in query.iter(f"{{{NS_DISCO_INFO}}}identity")]
        self.assertEqual(identities, [("client", "bot", "Seshat")])
        features = {f.get("var") for f in query.iter(f"{{{NS_DISCO_INFO}}}feature")}
        self.assertEqual(features, FEATURES)

        answer = iq(joe, f"<iq type='get' to='{full}' id='ver1'><query xmlns='{NS_VERSION}'/></iq>")
        self.assertEqual(answer.get("type"), "result")
        version = child(answer, "query", NS_VERSION)
        self.assertEqual(version.find(f"{{{NS_VERSION}}}name").text, "Seshat")
        self.assertTrue(version.find(f"{{{NS_VERSION}}}version").text)

        answer = iq(joe, f"<iq type='get' to='{full}' id='ping1'><ping xmlns='urn:xmpp:ping'/></iq>")
        self.assertEqual(answer.get("type"), "result")

        # XEP-0115: the node#ver of its capabilities answers the same (clients ask that way),
        # ver being the SHA-1 of identity and features (section 5.1).
        text = "client/bot//Seshat<" + "".join(f"{f}<" for f in sorted(FEATURES))
        ver = base64.b64encode(hashlib.sha1(text.encode()).digest()).decode()
        answer = iq(joe, f"<iq type='get' to='{full}' id='caps1'>"
                         f"<query xmlns='{NS_DISCO_INFO}' node='urn:seshat#{ver}'/></iq>")
        self.assertEqual(answer.get("type"), "result")
        query = child(answer, "query", NS_DISCO_INFO)
        self.assertEqual(query.get("node"), f"urn:seshat#{ver}")
        self.assertEqual({f.get("var") for f in query.iter(f"{{{NS_DISCO_INFO}}}feature")},
                         FEATURES)

        answer = iq(joe, f"<iq type='get' to='{full}' id='node1'>"
                         f"<query xmlns='{NS_DISCO_INFO}' node='http://example.com#x'/></iq>")
        self.assertEqual((answer.get("type"), condition(answer)), ("error", ["item-not-found"]))

        for stanza_id, kind, payload in (
                ("last1", "get", "<query xmlns='jabber:iq:last'/>"),
                ("set1", "set", "<query xmlns='jabber:iq:private'><x xmlns='a:b'/></query>")):
            answer = iq(joe, f"<iq type='{kind}' to='{full}' id='{stanza_id}'>{payload}</iq>")
            self.assertEqual((answer.get("type"), condition(answer)),
                             ("error", ["service-unavailable"]), stanza_id)

    def test_the_full_jid_is_the_same_after_a_restart_and_configurable(self):
        joe, app, bot = self.joe_and_seshat()
        first = self.bot_full_jid(joe, app, bot)
        self.assertEqual(app.stop(), 0)
        app.start("serve")
        app.wait_operators(1)
        self.assertEqual(self.bot_full_jid(joe, app, bot), first)

    def test_a_configured_resource(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid], extra={"resource": "helpdesk"})
        app.wait_operators(1)
        bot = self.server.jid("bot")
        self.assertEqual(self.bot_full_jid(joe, app, bot), f"{bot}/helpdesk")


if __name__ == "__main__":
    case.main()
