"""Component mode (`component = chat.localhost`, XEP-0114): each chat talks to the operator from
its own address, N@chat.localhost, through a real Prosody component and a real slixmpp operator.
">" is sent to the operator (from the chat's address), "<" to the visitor.

    > Remote user 'customer' wants to start a conversation. ...      (from 42@chat.localhost,
                                                                      nickname 'customer')
    joe, in that conversation: !ACCEPT 42
    > You are now handling chat #42. Send '!FINISH' when you are done.
    < Your chat has started.
    ... both ways in that conversation ...
    joe: !FINISH        > The chat is now closed.   (and 42@chat.localhost goes offline)
"""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.prosody import HOST  # noqa: E402
from harness.raw import NS_CHATSTATES, NS_MARKERS, NS_RECEIPTS, RawStanzas, child  # noqa: E402
from harness.seshat import Seshat  # noqa: E402
from harness.stream import ChatStream, Redelivery  # noqa: E402
from harness.visitor import ApiError, Visitor, request  # noqa: E402

COMPONENT = "chat.localhost"
TIMEOUT = 30


def address(chat):
    return f"{chat}@{COMPONENT}"


class ComponentCase(case.ProsodyTestCase):
    component = COMPONENT

    def component_seshat(self, operators, **extra):
        """`seshat serve` in component mode, ready once both of its streams are up."""
        keys = {"component": COMPONENT, "component_secret": self.server.component_secret,
                "component_server": f"{HOST}:{self.server.component_port}"}
        keys.update(extra)
        app = self.seshat(operators, extra=keys)
        app.wait_log_count(f"xmpp component {COMPONENT} connected", 1)
        return app


class ComponentMode(ComponentCase):
    def test_a_chat_talks_from_its_own_address(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.component_seshat([joe.bare_jid])
        app.wait_operators(1)
        bot = self.server.jid("bot")

        visitor = Visitor(app)
        chat = visitor.start("customer")
        here = address(chat)
        # The chat's address is present (a contact the client can show), with the visitor's
        # name as its nickname, and the notification comes from it, not from the bot.
        joe.expect_presence(lambda sender, kind, show: sender == here and kind == "")
        sender, _ = joe.expect(lambda text: text.startswith(
            f"Remote user 'customer' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'."))
        self.assertEqual(sender.split("/")[0], here)
        self.assertEqual(joe.nicks.get(here), "customer")

        joe.send(here, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.",
                   sender=here)
        visitor.expect("Your chat has started.", sender="system")
        visitor.send("Hi!")
        joe.expect("Hi!", sender=here)
        joe.send(here, "Hello, customer.")
        visitor.expect("Hello, customer.", sender="operator")
        visitor.send("Talk to you later!")
        joe.expect("Talk to you later!", sender=here)
        joe.send(here, "!FINISH")
        joe.expect("The chat is now closed.", sender=here)
        visitor.expect("The chat is now closed.", sender="system")
        # The visitor's address goes offline with the chat, and stays so.
        joe.expect_presence(lambda sender, kind, show: sender == here and kind == "unavailable")
        joe.assert_no_message(within=0.3)
        joe.assert_no_presence(lambda sender, kind, show: sender == here, within=0.3)
        self.assertEqual([t for t in visitor.texts() if t[0] != "visitor"], [
            ("system", "Your chat has started."),
            ("operator", "Hello, customer."),
            ("system", "The chat is now closed."),
        ])
        self.assertNotIn(self.server.component_secret, app.log_text())  # debug level, too
        # Commands about no chat still come from the bot's account.
        joe.send(bot, "!WAITING")
        sender, _ = joe.expect(lambda text: True)
        self.assertEqual(sender.split("/")[0], bot)
        self.assertEqual(app.stop(), 0)

    def test_a_chat_that_ends_after_a_restart_still_goes_offline(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.component_seshat([joe.bare_jid])
        app.wait_operators(1)
        visitor = Visitor(app)
        chat = visitor.start("customer")
        here = address(chat)
        joe.expect_presence(lambda sender, kind, show: sender == here and kind == "")
        joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=here)
        app.wait_outbox_confirmed()
        app.kill()
        app.start("serve")  # healthy: both streams up again
        app.wait_operators(1)
        visitor.close()
        # The new process never wrote from this address, yet joe's client learns it went offline.
        joe.expect_presence(lambda sender, kind, show: sender == here and kind == "unavailable")
        self.assertEqual(app.stop(), 0)

    def test_the_component_answers_disco_probes_and_subscriptions(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.component_seshat([joe.bare_jid])
        app.wait_operators(1)
        disco = "<query xmlns='http://jabber.org/protocol/disco#info'/>"
        self.assertEqual(joe.send_iq(disco, type="get", to=COMPONENT), "result")

        chat = Visitor(app).start("Ann")
        here = address(chat)
        joe.expect(lambda text: text.startswith("Remote user 'Ann'"), sender=here)
        self.assertEqual(joe.send_iq(disco, type="get", to=here), "result")
        self.assertEqual(joe.send_iq("<ping xmlns='urn:xmpp:ping'/>", type="get", to=here),
                         "result")
        joe.expect_presence(lambda sender, kind, show: sender == here and kind == "")
        # Adding the visitor as a contact is allowed, and their address says it is here.
        joe.subscribe(here)
        joe.wait_subscription(here)
        joe.expect_presence(lambda sender, kind, show: sender == here and kind == "")
        # A chat that does not exist is not present.
        joe.send_raw(f"<presence type='probe' to='{address(chat + 100)}'/>")
        joe.expect_presence(
            lambda sender, kind, show: sender == address(chat + 100) and kind == "unavailable")
        self.assertEqual(app.stop(), 0)

    def test_a_stranger_writing_to_a_chat_address_is_ignored(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        mallory = self.operator("mallory")
        mallory.connect("desk")
        app = self.component_seshat([joe.bare_jid])
        app.wait_operators(1)
        visitor = Visitor(app)
        chat = visitor.start("customer")
        here = address(chat)
        joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=here)
        joe.send(here, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.",
                   sender=here)
        visitor.expect("Your chat has started.", sender="system")

        for n in range(8):
            mallory.send(here, f"!FINISH {n}")
            mallory.send(here, f"psst {n}")
        app.wait_log_count(f"ignored: from {mallory.bare_jid}, who is not a configured operator",
                           5)
        # Then the flood is counted, not logged line by line, and nobody heard of it.
        joe.send(here, "Still here.")
        visitor.expect("Still here.", sender="operator")
        visitor.poll()
        # Nothing of mallory's reached the chat (not "psst", not a !FINISH), only joe's line.
        self.assertEqual([text for sender, text in visitor.texts() if sender == "operator"],
                         ["Still here."])
        self.assertNotEqual(visitor.status, "closed")
        mallory.assert_no_message(within=0.3)
        self.assertLessEqual(
            app.log_text().count(f"ignored: from {mallory.bare_jid}, who is not"), 5)
        self.assertEqual(app.stop(), 0)


class ComponentClientExtensions(ComponentCase):
    """What real clients add (receipts, markers, typing, corrections) works in a chat's own
    conversation: acknowledgements and chat states come from the chat's address."""

    def test_receipts_markers_typing_and_corrections_per_chat_address(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.component_seshat([joe.bare_jid])
        app.wait_operators(1)
        stanzas = RawStanzas(joe)
        visitor = Visitor(app)
        chat = visitor.start("customer")
        here = address(chat)
        joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=here)
        joe.send(here, f"!ACCEPT {chat}")
        visitor.expect("Your chat has started.", sender="system")

        joe.send_raw(f"<message to='{here}' type='chat' id='op-1'><body>Hello, customr.</body>"
                     "<request xmlns='urn:xmpp:receipts'/>"
                     "<markable xmlns='urn:xmpp:chat-markers:0'/></message>")
        original = visitor.expect("Hello, customr.", sender="operator")
        receipt = stanzas.expect(lambda m: child(m, "received", NS_RECEIPTS) is not None)
        self.assertEqual(child(receipt, "received", NS_RECEIPTS).get("id"), "op-1")
        self.assertEqual(receipt.get("from"), here)
        status, _ = request(app.url(f"/api/chats/{chat}/read"), "POST", {"seq": original["seq"]},
                            token=visitor.token)
        self.assertEqual(status, 204)
        marker = stanzas.expect(lambda m: child(m, "displayed", NS_MARKERS) is not None)
        self.assertEqual(marker.get("from"), here)

        joe.send_raw(f"<message to='{here}' type='chat' id='op-2'><body>Hello, customer.</body>"
                     "<replace id='op-1' xmlns='urn:xmpp:message-correct:0'/></message>")
        corrected = visitor.expect("Hello, customer.", sender="operator")
        self.assertEqual(corrected.get("replaces"), original["seq"])

        status, _ = request(app.url(f"/api/chats/{chat}/typing"), "POST", {"typing": True},
                            token=visitor.token)
        self.assertEqual(status, 204)
        composing = stanzas.expect(lambda m: child(m, "composing", NS_CHATSTATES) is not None)
        self.assertEqual(composing.get("from"), here)
        self.assertEqual(app.stop(), 0)


class ComponentServerRestart(ComponentCase):
    def test_the_server_killed_mid_chat_both_streams_come_back_and_nothing_is_lost(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.component_seshat([joe.bare_jid])
        app.wait_operators(1)
        visitor = Visitor(app)
        chat = visitor.start("customer")
        here = address(chat)
        joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=here)
        joe.send(here, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.",
                   sender=here)
        visitor.send("visitor 1")
        joe.expect("visitor 1", sender=here)

        app.wait_outbox_confirmed()
        self.server.kill()
        joe.wait_lost()
        app.wait_log_count(f"xmpp component {COMPONENT} disconnected", 1)
        for n in range(2, 6):  # while there is no server at all
            visitor.send(f"visitor {n}")
        self.server.start()
        app.wait_log_count(f"xmpp component {COMPONENT} connected", 2)  # by itself, backoff
        app.wait_log_count("xmpp connected as", 2)
        joe.connect("laptop")
        app.wait_operators(1)
        for n in range(6, 9):
            visitor.send(f"visitor {n}")
        # Lines written while the server was gone are kept by the server for joe (offline
        # storage), or sent after he is back: each once, in order, from the chat's address.
        for n in range(2, 9):
            joe.expect(f"visitor {n}", sender=here)
        joe.assert_no_message(within=1.0)
        joe.send(here, "operator 2")
        visitor.expect("operator 2", sender="operator")
        self.assertEqual([t for s, t in visitor.texts() if s == "visitor"],
                         [f"visitor {n}" for n in range(1, 9)])
        self.assertEqual(app.stop(), 0)


class ComponentSecret(ComponentCase):
    def test_a_wrong_secret_is_one_clear_line_and_the_account_works_on(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = Seshat(case.paths.seshat, self.server, [joe.bare_jid], extra={
            "component": COMPONENT, "component_secret": "not-the-secret",
            "component_server": f"{HOST}:{self.server.component_port}"})
        self.addCleanup(app.close)
        app.start("serve", wait_xmpp=False)  # never healthy: chats cannot reach operators
        app.wait_operators(1)
        app.wait_log_count(f"(the server refused component_secret for {COMPONENT})", 2)
        with self.assertRaises(ApiError) as failing:
            request(app.root_url("/healthz"))
        self.assertEqual(failing.exception.status, 503)
        self.assertEqual(failing.exception.body["xmpp_component"], "disconnected")
        self.assertNotIn("not-the-secret", app.log_text())
        self.assertNotIn(f"xmpp component {COMPONENT} connected", app.log_text())
        # The account's side is not held up: commands about no chat are answered.
        joe.send(self.server.jid("bot"), "!HELP")
        joe.expect(lambda text: "!ACCEPT" in text, sender=self.server.jid("bot"))
        self.assertEqual(app.stop(), 0)


class ComponentKill(ComponentCase):
    def test_kill_9_mid_stream_loses_and_doubles_nothing_sent_from_the_chat_address(self):
        """As fault_kill_serve_test, but the visitor's lines reach joe from the chat's address:
        rows in flight on the component's stream at the kill are sent again after the restart
        under their stable ids (replays allowed, same id and body), none lost. While seshat is
        down joe does not write: a server stores nothing for a component that is away (his
        client would get an error back), unlike messages to the bot's account."""
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.component_seshat([joe.bare_jid])
        app.wait_operators(1)
        stream = ChatStream(app, joe, self.server.jid("bot"), timeout=TIMEOUT, address=address)
        stream.open()
        self.assertEqual(stream.bot, address(stream.chat))
        stream.start_reader()
        tenth = threading.Event()
        stream.visitor_sends(1, 30, pace=0.05, progress={10: tenth})
        stream.operator_sends(1, 10, pace=0.05)
        stream.wait_operator_messages_read()
        self.assertTrue(tenth.wait(TIMEOUT))

        app.kill()  # the visitor keeps sending
        self.assertTrue(stream.refused.wait(TIMEOUT), "no send was refused while seshat was down")
        app.start("serve")
        app.wait_log_count(f"xmpp component {COMPONENT} connected", 2)
        stream.operator_sends(21, 30, pace=0.05)
        checked = stream.finish(self, Redelivery.after_crash)
        print(f"\nkill -9 serve, component mode: {checked} messages checked; {stream.summary()}")
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
