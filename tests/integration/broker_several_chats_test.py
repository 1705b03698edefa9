"""One operator, two chats at once (max_chats = 2): visitor lines come as "[#n name] text",
"#n text" answers chat n, !SWITCH, !STATUS lists both, !FINISH n. Then transfers: to a second
operator who accepts (the visitor is told by name), and back to the queue. Each visitor gets
exactly their own answers. `seshat serve`, a real Prosody, real slixmpp operators.
Lines marked > go to an operator, < to a visitor."""

import re

import harness.case as case
from harness.visitor import Visitor


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


def handling(chat):
    return f"You are now handling chat #{chat}. Send '!FINISH' when you are done."


class SeveralChats(case.ProsodyTestCase):
    def start(self, with_bob=False):
        joe = self.operator("joe")
        joe.connect("laptop")
        operators = [joe]
        if with_bob:
            bob = self.operator("bob")
            bob.connect("phone")
            operators.append(bob)
        app = self.seshat([o.bare_jid for o in operators], extra={"max_chats": "2"})
        app.wait_operators(len(operators))
        self.bot = self.server.jid("bot")
        return app, operators

    def ask(self, operator, command, answer):
        operator.send(self.bot, command)
        return operator.expect(answer, sender=self.bot)

    def two_chats(self, app, joe, others=()):
        """ann and bea each start a chat; joe accepts both (bea's is current)."""
        ann = Visitor(app)
        first = ann.start("ann")
        for op in (joe, *others):
            op.expect(lambda t: t.startswith(request_text("ann", first)), sender=self.bot)
        self.ask(joe, f"!ACCEPT {first}", handling(first))
        for op in others:
            op.expect(f"Chat #{first} was accepted by {joe.bare_jid}.", sender=self.bot)
        ann.expect("Your chat has started.", sender="system")
        bea = Visitor(app)
        second = bea.start("bea")
        # joe has room for a second chat, so he is told of it too.
        for op in (joe, *others):
            op.expect(lambda t: t.startswith(request_text("bea", second)), sender=self.bot)
        self.ask(joe, f"!ACCEPT {second}", handling(second))
        for op in others:
            op.expect(f"Chat #{second} was accepted by {joe.bare_jid}.", sender=self.bot)
        bea.expect("Your chat has started.", sender="system")
        return ann, first, bea, second

    def test_two_chats_with_prefixes_and_hash_replies(self):
        app, (joe,) = self.start()
        ann, first, bea, second = self.two_chats(app, joe)

        # < ann: Hello?   > [#first ann] Hello?
        ann.send("Hello?")
        joe.expect(f"[#{first} ann] Hello?", sender=self.bot)
        bea.send("Hi, it's Bea")
        joe.expect(f"[#{second} bea] Hi, it's Bea", sender=self.bot)

        # "#n text" answers chat n; plain text goes to the current chat (bea's, accepted last).
        joe.send(self.bot, f"#{first} Hello ann, how can I help?")
        joe.send(self.bot, "Hello bea.")
        ann.expect("Hello ann, how can I help?", sender="operator")
        bea.expect("Hello bea.", sender="operator")

        # !SWITCH: plain text now goes to ann.
        self.ask(joe, f"!SWITCH {first}",
                 f"Your current chat is now #{first} with 'ann': plain text goes there.")
        joe.send(self.bot, "Still there, ann?")
        ann.expect("Still there, ann?", sender="operator")

        # !STATUS lists both, with the last line of each.
        joe.send(self.bot, "!STATUS")
        _, status = joe.expect(lambda t: t.startswith("You are handling 2 chats"), sender=self.bot)
        lines = status.split("\n")[1:]
        self.assertEqual(len(lines), 2, status)
        self.assertTrue(re.fullmatch(rf"#{first} 'ann' \(current\): \d+ s ago, joe: Still there, ann\?",
                                     lines[0]), status)
        self.assertTrue(re.fullmatch(rf"#{second} 'bea': \d+ s ago, joe: Hello bea\.", lines[1]),
                        status)

        # !FINISH n ends bea's chat; ann's stays current, and her lines lose the prefix.
        self.ask(joe, f"!FINISH {second}", "The chat is now closed.")
        bea.expect("The chat is now closed.", sender="system")
        ann.send("Yes!")
        joe.expect("Yes!", sender=self.bot)

        # Each visitor got exactly their own answers.
        ann.poll()
        bea.poll()
        self.assertEqual([t for f, t in ann.texts() if f == "operator"],
                         ["Hello ann, how can I help?", "Still there, ann?"])
        self.assertEqual([t for f, t in bea.texts() if f == "operator"], ["Hello bea."])
        self.assertEqual(app.stop(), 0)

    def test_transfer_to_another_operator_and_back_to_the_queue(self):
        app, (joe, bob) = self.start(with_bob=True)
        ann, first, bea, second = self.two_chats(app, joe, others=(bob,))
        ann.send("I need the billing team.")
        joe.expect(f"[#{first} ann] I need the billing team.", sender=self.bot)

        # joe hands ann's chat to bob: bob gets the offer and the history; it stays joe's.
        self.ask(joe, f"!TRANSFER {first} {bob.bare_jid}",
                 f"Chat #{first} is offered to {bob.bare_jid}; it stays yours until they accept it.")
        bob.expect(f"{joe.bare_jid} wants to hand you chat #{first} with 'ann'. To take it, reply "
                   f"with the message '!ACCEPT {first}'.", sender=self.bot)
        _, history = bob.expect(lambda t: t.startswith(f"Chat #{first} with 'ann', page 1 of 1"),
                                sender=self.bot)
        # Newest first: ann's line, then the bot's "Your chat has started."
        lines = history.split("\n")[1:]
        self.assertTrue(re.fullmatch(r"\d\d:\d\d 'ann': I need the billing team\.", lines[0]), history)
        self.assertTrue(re.fullmatch(r"\d\d:\d\d \(Your chat has started\.\)", lines[1]), history)

        # bob accepts: joe is told, the visitor reads who took over, bob writes to ann.
        self.ask(bob, f"!ACCEPT {first}", handling(first))
        joe.expect(f"Chat #{first} is now handled by {bob.bare_jid}.", sender=self.bot)
        ann.expect("Your chat was handed to bob.", sender="system")
        bob.send(self.bot, "Billing here, hello ann.")
        ann.expect("Billing here, hello ann.", sender="operator")
        ann.send("Thanks bob")
        bob.expect("Thanks bob", sender=self.bot)  # bob holds one chat: no prefix
        joe.send(self.bot, "Back to you, bea.")
        bea.expect("Back to you, bea.", sender="operator")

        # joe hands bea's chat back to the queue: bob hears of it and takes it.
        self.ask(joe, f"!TRANSFER {second}",
                 f"Chat #{second} is back in the queue for the other operators.")
        bea.expect("Your operator handed your chat on. Please wait: the next free operator will "
                   "answer.", sender="system")
        bob.expect(lambda t: t.startswith(request_text("bea", second)), sender=self.bot)
        self.ask(bob, f"!ACCEPT {second}", handling(second))
        bea.send("Anyone?")
        bob.expect(f"[#{second} bea] Anyone?", sender=self.bot)
        joe.assert_no_message(within=0.3)

        ann.poll()
        bea.poll()
        self.assertEqual([t for f, t in ann.texts() if f == "operator"],
                         ["Billing here, hello ann."])
        self.assertEqual([t for f, t in bea.texts() if f == "operator"], ["Back to you, bea."])
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
