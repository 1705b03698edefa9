"""Every operator command's texts over real XMPP: `seshat serve`, a real Prosody and a real
slixmpp client. Lines marked > go to the operator, < to the visitor."""

import re

import harness.case as case
from harness.visitor import ApiError, Visitor

HELP = ("Available commands:\n"
        '!ACCEPT n - Accept chat request #n\n'
        "!BLOCK n - End chat #n and refuse new chats from its visitor's browser and address for a while\n"
        '!CANCEL n - Cancel chat request #n\n'
        '!FINISH [n] - Close your current chat (or chat #n)\n'
        '!HELP - Show available commands\n'
        '!HISTORY n [page] - Show the transcript of chat #n, newest lines first, 20 a page\n'
        '!INFO [n] - Show what is known of the visitor of your current chat (or of chat #n)\n'
        '!SAY [key [n]] - Send the canned reply `key` to your current chat (or chat #n); alone: list the keys\n'
        '!STATUS - Show your current chat status\n'
        '!SWITCH n - Make chat #n your current chat (plain text goes there)\n'
        '!TRANSFER n [jid] - Hand chat #n to operator jid (they accept it with !ACCEPT n), or back to the queue\n'
        '!UNBLOCK n - Welcome new chats from the visitor of chat #n again\n'
        '!WAITING - Show all open chat requests')


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


def waiting_list(*lines):
    """A predicate for the answer to !WAITING: each line as given, with "{}" standing for the
    request's details, "(waiting N s, email: no)"."""
    def matches(text):
        pattern = "Open chat requests:" + "".join(
            "\n" + re.escape(line).replace(re.escape("{}"), r"\(waiting \d+ s, email: no\)")
            for line in lines)
        return re.fullmatch(pattern, text) is not None
    return matches


def handling_text(chat):
    return f"You are now handling chat #{chat}. Send '!FINISH' when you are done."


class Commands(case.ProsodyTestCase):
    def start_with(self, *names):
        operators = []
        for name in names:
            operator = self.operator(name)
            operator.connect("laptop")
            operators.append(operator)
        app = self.seshat([o.bare_jid for o in operators])
        app.wait_operators(len(operators))
        self.bot = self.server.jid("bot")
        return app, operators

    def new_chat(self, app, name, operators, message=None):
        """A visitor starts a chat; every operator gets (and here consumes) the request."""
        visitor = Visitor(app)
        chat = visitor.start(name, message=message)
        for operator in operators:
            operator.expect(lambda t: t.startswith(request_text(name, chat)), sender=self.bot)
        return visitor, chat

    def ask(self, operator, command, answer):
        """The operator types `command`; the bot's next message to them is `answer`."""
        operator.send(self.bot, command)
        return operator.expect(answer, sender=self.bot)

    def test_help_lists_every_command(self):
        app, (joe,) = self.start_with("joe")
        # User types: !HELP
        self.ask(joe, "!HELP", HELP)
        # Commands are case-insensitive, and blanks around them do not matter.
        self.ask(joe, "!help", HELP)
        self.ask(joe, "  !Help  ", HELP)
        self.assertEqual(app.stop(), 0)

    def test_status_and_waiting_in_and_out_of_a_chat(self):
        app, (joe,) = self.start_with("joe")
        bot = self.bot
        # Nothing yet.
        self.ask(joe, "!STATUS", "You are not in a chat. There are 0 open chat requests.")
        self.ask(joe, "!WAITING", "There are no open chat requests.")

        # Two visitors ask; the opening message shows on one line in the list.
        alice, first = self.new_chat(app, "alice", [joe], message="My order\nis late")
        self.ask(joe, "!STATUS", "You are not in a chat. There is 1 open chat request.")
        bruno, second = self.new_chat(app, "bruno", [joe])
        self.ask(joe, "!STATUS", "You are not in a chat. There are 2 open chat requests.")
        self.ask(joe, "!WAITING", waiting_list(f"#{first} 'alice' {{}}: My order is late",
                                               f"#{second} 'bruno' {{}}"))

        # In a chat.
        joe.send(bot, f"!ACCEPT {second}")
        joe.expect(handling_text(second))
        bruno.expect("Your chat has started.", sender="system")
        self.ask(joe, "!STATUS", f"You are handling chat #{second} with 'bruno'.")
        self.ask(joe, "!WAITING", waiting_list(f"#{first} 'alice' {{}}: My order is late"))
        # One chat at a time.
        self.ask(joe, f"!ACCEPT {first}",
                 f"You are already handling chat #{second}. Send '!FINISH' when you are done with it.")
        # His own chat is finished, not canceled.
        self.ask(joe, f"!CANCEL {second}",
                 f"You are handling chat #{second}. Send '!FINISH' to close it.")
        # Not a chat at all.
        self.ask(joe, "!ACCEPT 999", "There is no open chat request #999.")
        self.ask(joe, "!CANCEL 999", "There is no open chat request #999.")

        # !FINISH, then he is out of the chat again, free, and told of what waits.
        self.ask(joe, "!FINISH", "The chat is now closed.")
        joe.expect(lambda t: t.startswith(request_text("alice", first)), sender=bot)
        bruno.expect("The chat is now closed.", sender="system")
        self.ask(joe, "!STATUS", "You are not in a chat. There is 1 open chat request.")
        # A closed chat is no request.
        self.ask(joe, f"!ACCEPT {second}", f"There is no open chat request #{second}.")
        alice.poll()
        self.assertEqual(alice.status, "waiting")
        joe.assert_no_message(within=0.3)
        self.assertEqual(app.stop(), 0)

    def test_cancel_a_request(self):
        app, (joe, bob) = self.start_with("joe", "bob")
        visitor, chat = self.new_chat(app, "customer", [joe, bob])

        # User types: !CANCEL n
        self.ask(joe, f"!CANCEL {chat}", f"Chat #{chat} has been canceled.")
        # < the visitor is told nobody can take it; the chat is over
        visitor.expect("Sorry, nobody can take your chat right now. Please try again later.",
                       sender="system")
        visitor.poll()
        self.assertEqual(visitor.status, "closed")
        # > bob, who was told of the request, learns who canceled it
        bob.expect(f"Chat #{chat} was canceled by {joe.bare_jid}.", sender=self.bot)
        # It is gone from the list, and cannot be accepted any more.
        self.ask(bob, "!WAITING", "There are no open chat requests.")
        self.ask(bob, f"!ACCEPT {chat}", f"There is no open chat request #{chat}.")
        # The visitor cannot write into it any more.
        with self.assertRaises(ApiError) as refused:
            visitor.send("Hello?")
        self.assertEqual(refused.exception.status, 409)
        joe.assert_no_message(within=0.3)
        self.assertEqual(app.stop(), 0)

    def test_commands_are_case_insensitive(self):
        app, (joe,) = self.start_with("joe")
        visitor, chat = self.new_chat(app, "customer", [joe])
        # < a message typed before anyone accepted is held back, and the visitor is told
        visitor.send("Is anybody there?")
        visitor.expect("An operator has not joined yet. Your message will be delivered as soon "
                       "as one does.", sender="system")

        # User types: !accept n (lower case)
        joe.send(self.bot, f"!accept {chat}")
        joe.expect(handling_text(chat))
        # > the held message follows
        joe.expect("Is anybody there?")
        visitor.expect("Your chat has started.", sender="system")
        # User types: !Finish (mixed case)
        self.ask(joe, "!Finish", "The chat is now closed.")
        visitor.expect("The chat is now closed.", sender="system")
        visitor.poll()
        self.assertEqual(visitor.status, "closed")
        # !WaItInG
        self.ask(joe, "!WaItInG", "There are no open chat requests.")
        self.assertEqual(app.stop(), 0)

    def test_finish_and_plain_text_when_not_in_a_chat(self):
        app, (joe,) = self.start_with("joe")
        # User types: !FINISH, with no chat
        self.ask(joe, "!FINISH", "You are not in a chat.")
        # User types some text, with no chat
        self.ask(joe, "Hello?", "You are not in a chat. Send '!WAITING' to see open chat "
                                "requests, or '!HELP' for the commands.")
        # A request waiting does not make it his chat.
        visitor, chat = self.new_chat(app, "customer", [joe])
        self.ask(joe, "Hello, customer?", "You are not in a chat. Send '!WAITING' to see open "
                                          "chat requests, or '!HELP' for the commands.")
        visitor.poll()
        self.assertNotIn("Hello, customer?", [m["text"] for m in visitor.seen])
        self.assertEqual(visitor.status, "waiting")
        self.assertEqual(app.stop(), 0)

    def test_unknown_commands_and_bad_arguments(self):
        app, (joe,) = self.start_with("joe")
        unknown = "Unknown command '!{}'. Send '!HELP' for the list of commands."
        self.ask(joe, "!FOO", unknown.format("FOO"))
        self.ask(joe, "!foo bar", unknown.format("FOO"))
        self.ask(joe, "!ACCEPTS 1", unknown.format("ACCEPTS"))
        # A command that takes a chat number, without one or with something else.
        self.ask(joe, "!ACCEPT", "Usage: !ACCEPT n")
        self.ask(joe, "!ACCEPT abc", "Usage: !ACCEPT n")
        self.ask(joe, "!accept 1 2", "Usage: !ACCEPT n")
        self.ask(joe, "!CANCEL", "Usage: !CANCEL n")
        self.ask(joe, "!cancel -3", "Usage: !CANCEL n")
        self.ask(joe, "!CANCEL 0", "Usage: !CANCEL n")
        # "#n" is a chat number too.
        visitor, chat = self.new_chat(app, "customer", [joe])
        joe.send(self.bot, f"!ACCEPT #{chat}")
        joe.expect(handling_text(chat))
        visitor.expect("Your chat has started.", sender="system")
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
