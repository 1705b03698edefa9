"""!BLOCK n ends the chat politely and refuses new chats (403) from that visitor's browser id
and address for block_hours; !UNBLOCK n lifts it. `seshat serve`, a real Prosody, a real slixmpp
operator; the visitor over the HTTP API."""

import harness.case as case
from harness.visitor import ApiError, Visitor, request

BROWSER = "feedfacefeedfacefeedfacefeedface"


class Block(case.ProsodyTestCase):
    def start(self, app, browser=BROWSER, forwarded=None):
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        try:
            return request(app.url("/api/chats"), "POST", {"name": "troll", "visitor": browser},
                           headers=headers)
        except ApiError as error:
            return error.status, error.body

    def test_block_and_unblock(self):
        joe, app, bot = self.joe_and_seshat(extra={"block_hours": "2"})
        status, reply = self.start(app)
        self.assertEqual(status, 201, reply)
        visitor = Visitor(app)
        visitor.id, visitor.token = reply["id"], reply["token"]
        chat = visitor.id
        joe.expect(lambda t: t.startswith("Remote user 'troll'"), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(lambda t: t.startswith(f"You are now handling chat #{chat}"), sender=bot)
        visitor.send("rude words")
        joe.expect("rude words", sender=bot)

        joe.send(bot, f"!BLOCK {chat}")
        joe.expect(f"New chats from the browser and address of chat #{chat} are refused for 2 h. "
                   f"'!UNBLOCK {chat}' lifts it.", sender=bot)
        joe.expect("The chat is now closed.", sender=bot)
        visitor.expect("The chat is now closed.", sender="system")
        visitor.poll()
        self.assertEqual(visitor.status, "closed")

        # The same browser, and any browser from the same address, is refused.
        self.assertEqual(self.start(app),
                         (403, {"error": "You cannot start a chat right now."}))
        self.assertEqual(self.start(app, browser="another0browser")[0], 403)
        # No trusted_proxies: a header the client wrote itself changes nothing.
        self.assertEqual(self.start(app, browser="another0browser", forwarded="198.51.100.4")[0],
                         403)
        joe.assert_no_message(within=0.3)  # nobody was asked

        joe.send(bot, f"!UNBLOCK {chat}")
        joe.expect(f"New chats from the browser and address of chat #{chat} are welcome again.",
                   sender=bot)
        status, reply = self.start(app)
        self.assertEqual(status, 201, reply)
        joe.expect(lambda t: t.startswith("Remote user 'troll'"), sender=bot)
        joe.send(bot, f"!UNBLOCK {chat}")
        joe.expect(f"The visitor of chat #{chat} is not blocked.", sender=bot)
        self.assertEqual(app.stop(), 0)

    def test_behind_a_trusted_proxy_the_visitors_own_address_is_blocked(self):
        # Seshat behind nginx on 127.0.0.1: the address nginx appends is the visitor's.
        joe, app, bot = self.joe_and_seshat(extra={"trusted_proxies": "127.0.0.1",
                                                   "show_ip": "yes"})
        status, reply = self.start(app, forwarded="203.0.113.9")
        self.assertEqual(status, 201, reply)
        chat = reply["id"]
        joe.expect(lambda t: t.startswith("Remote user 'troll'"), sender=bot)
        joe.send(bot, f"!INFO {chat}")
        _, info = joe.expect(lambda t: t.startswith(f"Chat #{chat} with 'troll':"), sender=bot)
        self.assertTrue(info.endswith("\nAddress: 203.0.113.9"), info)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(lambda t: t.startswith(f"You are now handling chat #{chat}"), sender=bot)
        joe.send(bot, f"!BLOCK {chat}")
        joe.expect(lambda t: t.startswith(f"New chats from the browser and address of chat #{chat} "
                                          "are refused"), sender=bot)
        joe.expect("The chat is now closed.", sender=bot)

        # Another browser from the blocked address is refused, also when the client put an
        # address of its own in front of what the proxy appended ...
        self.assertEqual(self.start(app, browser="another0browser", forwarded="203.0.113.9")[0],
                         403)
        self.assertEqual(self.start(app, browser="another0browser",
                                    forwarded="198.51.100.4, 203.0.113.9")[0], 403)
        # ... while other visitors behind the same proxy are welcome.
        status, reply = self.start(app, browser="another0browser", forwarded="198.51.100.4")
        self.assertEqual(status, 201, reply)
        joe.expect(lambda t: t.startswith("Remote user 'troll'"), sender=bot)
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
