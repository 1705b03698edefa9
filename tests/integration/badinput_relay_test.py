"""What a visitor types reaches the operator's XMPP client as exactly those characters, and what
an operator types reaches the visitor likewise: XML, CDATA ends, HTML and script payloads are
text, never markup. Characters that XML cannot carry (NUL, control characters, U+FFFE) are
refused at the API with a clear 400 and change nothing: no chat, no message, nothing sent to an
operator. (The API's own error cases are in tests/api/api_test.py; this is the end-to-end view
through the real binary, Prosody and slixmpp.)
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.visitor import ApiError, Visitor, request  # noqa: E402

PAYLOADS = [
    "<message to='joe@localhost' type='chat'><body>spoofed</body></message>",
    "]]><![CDATA[<b>x</b>]]>",
    "<script>alert(document.cookie)</script>",
    "<img src=x onerror=alert(1)>",
    "&amp; &lt; &#0; &#x1F600; &nonsense;",
    "</body></message><message to='eve@localhost'><body>leak",
    "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
    "\"quotes\" 'single' \\backslash\\ `tick` ${x} {{x}}",
    "line one\nline two\n\tindented\n",
    "emoji \U0001F600, RTL \u05e9\u05dc\u05d5\u05dd, combining e\u0301, zero-width\u200bjoin",
    "!ACCEPT 1",  # from a visitor this is text, not a command
]

NAMES = ["<b>Eve</b> & \"co\" ]]>", "'); DROP TABLE chats; --", "<script>x</script>"]

REFUSED_TEXTS = {
    "NUL": "a\u0000b",
    "escape": "a\u001b[31mred",
    "DEL": "a\u007fb",
    "lone CR": "a\rb",
    "vertical tab": "a\u000bb",
    "U+FFFE": "a\ufffeb",
    "C1 NEL": "a\u0085b",
    "C1 CSI": "a\u009b2Jb",
}


class Relay(case.ProsodyTestCase):
    def setUp(self):
        super().setUp()
        self.joe, self.app, self.bot = self.joe_and_seshat()

    def open_chat(self, name="customer"):
        visitor = Visitor(self.app)
        chat = visitor.start(name)
        self.joe.expect(lambda text: text.startswith(f"Remote user '{name}' wants"),
                        sender=self.bot)
        self.joe.send(self.bot, f"!ACCEPT {chat}")
        self.joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")
        return visitor

    def test_visitor_payloads_reach_the_operator_verbatim(self):
        visitor = self.open_chat()
        for text in PAYLOADS:
            with self.subTest(text=text):
                visitor.send(text)
                self.joe.expect(text, sender=self.bot)
        visitor.poll()
        stored = [m["text"] for m in visitor.seen if m["from"] == "visitor"]
        self.assertEqual(stored[-len(PAYLOADS):], PAYLOADS)
        self.joe.assert_no_message(within=0.3)
        print(f"\n{len(PAYLOADS)} visitor payloads relayed verbatim")

    def test_operator_payloads_reach_the_visitor_verbatim(self):
        visitor = self.open_chat()
        for text in PAYLOADS[:-1]:  # the last one is a command when joe types it
            with self.subTest(text=text):
                self.joe.send(self.bot, text)
                self.assertEqual(visitor.expect(text, sender="operator")["text"], text)

    def test_names_with_markup_are_shown_as_text(self):
        for name in NAMES:
            with self.subTest(name=name):
                visitor = Visitor(self.app)
                chat = visitor.start(name, message="<i>opening</i> ]]>")
                self.joe.expect(
                    f"Remote user '{name}' wants to start a conversation. To accept this "
                    f"request, reply with the message '!ACCEPT {chat}'.\n"
                    f"> <i>opening</i> ]]>", sender=self.bot)

    def test_characters_xml_cannot_carry_are_refused_and_change_nothing(self):
        visitor = self.open_chat()
        visitor.poll()
        before = list(visitor.seen)
        for what, text in REFUSED_TEXTS.items():
            with self.subTest(what=what):
                with self.assertRaises(ApiError) as refused:
                    visitor.send(text)
                self.assertEqual(refused.exception.status, 400)
                self.assertIn("error", refused.exception.body)
                self.assertTrue(refused.exception.body["error"].startswith("The message "),
                                refused.exception.body)
        for what, body in {"NUL in name": {"name": "a\u0000b"},
                           "newline in name": {"name": "Eve\nRemote user 'x'"},
                           "CR in name": {"name": "Eve\rx"},
                           "tab in name": {"name": "Eve\tx"},
                           "NUL in opening": {"name": "n", "message": "hi\u0000"},
                           "escape in page": {"name": "n", "page": "http://x/\u001b[2J"}}.items():
            with self.subTest(what=what):
                with self.assertRaises(ApiError) as refused:
                    request(self.app.url("/api/chats"), "POST", body)
                self.assertEqual(refused.exception.status, 400)
                self.assertTrue(refused.exception.body["error"].endswith("."))
        # Nothing changed: no new chat request, no message to joe, the transcript as it was.
        self.joe.assert_no_message(within=0.5)
        visitor.after = 0
        visitor.seen = []
        self.assertEqual([m["text"] for m in visitor.poll()], [m["text"] for m in before])
        print(f"\n{len(REFUSED_TEXTS) + 6} refused inputs changed nothing")

    def test_guessed_tokens_never_open_a_chat_and_are_rate_limited(self):
        # 256-bit tokens: guessing is hopeless, and the gateway still stops a guesser after 20
        # wrong tokens a minute (429 for every chat call from that address, right token or not),
        # while visitors elsewhere go on.
        import http.client
        import secrets
        visitor = self.open_chat()
        other = Visitor(self.app)
        other.start("other")
        path = self.app.url(f"/api/chats/{visitor.id}/messages")
        guesses = [other.token, visitor.token[:-1], visitor.token + "A", visitor.token.upper(),
                   " " + visitor.token + "x", visitor.token[:22]]
        guesses += [secrets.token_urlsafe(32) for _ in range(40)]
        statuses = []
        for guess in guesses:
            try:
                request(path, token=guess)
                statuses.append(200)
            except ApiError as error:
                statuses.append(error.status)
        self.assertNotIn(200, statuses)
        self.assertEqual(statuses[:20], [403] * 20, statuses)
        self.assertEqual(set(statuses[20:]), {429}, statuses)
        with self.assertRaises(ApiError) as limited:
            request(path, token=visitor.token)
        self.assertEqual(limited.exception.status, 429)

        # The same chat from another address (127.0.0.2): the real token works, nothing changed.
        connection = http.client.HTTPConnection("127.0.0.1", self.app.port, timeout=10,
                                                source_address=("127.0.0.2", 0))
        connection.request("GET", f"{self.app.prefix}/api/chats/{visitor.id}/messages",
                           headers={"Authorization": f"Bearer {visitor.token}"})
        answer = connection.getresponse()
        body = json.loads(answer.read())
        connection.close()
        self.assertEqual(answer.status, 200, body)
        self.assertEqual(body["status"], "open")
        self.assertNotIn("other", [m["text"] for m in body["messages"]])
        print(f"\n{len(guesses)} guessed tokens: {statuses.count(403)} x 403, then "
              f"{statuses.count(429)} x 429; the real token from another address: 200")

if __name__ == "__main__":
    case.main()
