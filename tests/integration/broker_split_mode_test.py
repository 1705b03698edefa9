"""Split mode: `seshat web` and `seshat broker` as two processes sharing one SQLite file, with a
real Prosody and a real slixmpp operator. The seed's example session works across them, and the
relay between the processes is fast both ways (each message well under a second; p50 and max are
printed). Lines marked > go to the operator, < to the visitor."""

import statistics
import time

import harness.case as case
from harness.visitor import Visitor

MESSAGES = 20


def request_text(name, chat):
    return (f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT {chat}'.")


class SplitMode(case.ProsodyTestCase):
    def start_split(self, operators):
        web = self.seshat(operators, mode="web")
        broker = self.seshat(operators, mode="broker", db=web.db)
        return web, broker

    def test_the_seed_session_across_web_and_broker_processes(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        web, broker = self.start_split([joe.bare_jid])
        bot = self.server.jid("bot")
        web.wait_operators(1)  # written by the broker, read by the web process

        visitor = Visitor(web)
        chat = visitor.start("customer")
        joe.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")
        visitor.send("Hi!")
        joe.expect("Hi!")
        joe.send(bot, "Hello, customer.")
        visitor.expect("Hello, customer.", sender="operator")
        visitor.send("Talk to you later!")
        joe.expect("Talk to you later!")
        joe.send(bot, "!FINISH")
        joe.expect("The chat is now closed.")
        visitor.expect("The chat is now closed.", sender="system")
        visitor.poll()
        self.assertEqual(visitor.status, "closed")
        joe.assert_no_message(within=0.3)
        self.assertEqual([t for t in visitor.texts() if t[0] != "visitor"], [
            ("system", "Your chat has started."),
            ("operator", "Hello, customer."),
            ("system", "The chat is now closed."),
        ])

        # The visitor closes a second chat from the web process: the broker tells joe.
        second = Visitor(web)
        other = second.start("customer")
        joe.expect(lambda t: t.startswith(request_text("customer", other)), sender=bot)
        joe.send(bot, f"!ACCEPT {other}")
        joe.expect(f"You are now handling chat #{other}. Send '!FINISH' when you are done.")
        second.expect("Your chat has started.", sender="system")
        second.close()
        joe.expect("The chat is now closed.", sender=bot)
        joe.send(bot, "!STATUS")
        joe.expect("You are not in a chat. There are 0 open chat requests.")

        self.assertEqual(broker.stop(), 0)
        self.assertEqual(web.stop(), 0)

    def test_relay_between_the_processes_is_fast_both_ways(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        web, broker = self.start_split([joe.bare_jid])
        bot = self.server.jid("bot")
        web.wait_operators(1)
        visitor = Visitor(web)
        chat = visitor.start("customer")
        joe.expect(lambda t: t.startswith(request_text("customer", chat)), sender=bot)
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        visitor.expect("Your chat has started.", sender="system")

        # visitor -> web process -> SQLite -> broker process -> Prosody -> joe
        to_operator = []
        for n in range(MESSAGES):
            started = time.monotonic()
            visitor.send(f"visitor {n}")
            joe.expect(f"visitor {n}", sender=bot)
            to_operator.append(time.monotonic() - started)

        # joe -> Prosody -> broker process -> SQLite -> web process -> visitor (long-poll)
        to_visitor = []
        for n in range(MESSAGES):
            started = time.monotonic()
            joe.send(bot, f"operator {n}")
            visitor.expect(f"operator {n}", sender="operator")
            to_visitor.append(time.monotonic() - started)

        for name, latencies in (("visitor->operator", to_operator),
                                ("operator->visitor", to_visitor)):
            print(f"\n{name}: p50 {statistics.median(latencies) * 1000:.1f} ms, "
                  f"max {max(latencies) * 1000:.1f} ms over {len(latencies)} messages")
            for latency in latencies:
                self.assertLess(latency, 1.0, f"{name}: {latencies}")
        # Nothing twice, nothing lost.
        joe.assert_no_message(within=0.3)
        self.assertEqual([t for t in visitor.texts() if t[0] == "operator"],
                         [("operator", f"operator {n}") for n in range(MESSAGES)])
        self.assertEqual(broker.stop(), 0)
        self.assertEqual(web.stop(), 0)


if __name__ == "__main__":
    case.main()
