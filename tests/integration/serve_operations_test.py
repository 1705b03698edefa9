"""What the people who run `seshat serve` rely on: health, metrics that move with a chat, a
clean shutdown with chats open (and nothing lost across it), and the command line's help."""

import re
import subprocess
import threading
import time
import urllib.request

import harness.case as case
from harness.visitor import Visitor, request


def metric(text, name, labels=""):
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    if match is None:
        raise AssertionError(f"no metric {name}{labels} in:\n{text}")
    return float(match.group(1))


def get_text(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


class ServeOperations(case.ProsodyTestCase):
    def chat(self, app, joe):
        """A chat accepted by joe, with one message each way; returns the visitor."""
        bot = self.server.jid("bot")
        visitor = Visitor(app)
        chat = visitor.start("customer")
        joe.expect(lambda text: text.startswith("Remote user 'customer'"))
        joe.send(bot, f"!ACCEPT {chat}")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{chat}."))
        visitor.expect("Your chat has started.")
        visitor.send("ping from the visitor")
        joe.expect("ping from the visitor")
        joe.send(bot, "pong from joe")
        visitor.expect("pong from joe", sender="operator")
        return visitor

    def test_health_reports_the_xmpp_link_and_the_store(self):
        joe = self.operator("joe")
        app = self.seshat([joe.bare_jid])
        _, reply = request(app.root_url("/healthz"))
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(reply["xmpp"], "connected")
        self.assertIn("store", reply)

    def test_metrics_move_when_a_chat_happens(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid])
        app.wait_operators(1)
        _, before = get_text(app.root_url("/metrics"))
        self.assertEqual(metric(before, "seshat_operators_available"), 1)
        self.assertEqual(metric(before, "seshat_operators_free"), 1)
        self.assertEqual(metric(before, "seshat_xmpp_connected"), 1)
        self.chat(app, joe)
        _, after = get_text(app.root_url("/metrics"))
        self.assertEqual(metric(after, "seshat_chats_opened_total") -
                         metric(before, "seshat_chats_opened_total"), 1)
        for direction in ("to_operator", "to_visitor"):
            labels = f'{{direction="{direction}"}}'
            self.assertEqual(metric(after, "seshat_messages_relayed_total", labels) -
                             metric(before, "seshat_messages_relayed_total", labels), 1, direction)
            self.assertEqual(metric(after, "seshat_relay_latency_seconds_count", labels) -
                             metric(before, "seshat_relay_latency_seconds_count", labels), 1,
                             direction)
            self.assertEqual(metric(after, "seshat_relay_latency_seconds_bucket",
                                    f'{{direction="{direction}",le="+Inf"}}'), 1, direction)
        self.assertEqual(metric(after, "seshat_chats", '{state="open"}'), 1)
        self.assertGreater(metric(after, "seshat_http_chats_started_total"),
                           metric(before, "seshat_http_chats_started_total"))

    def test_sigterm_with_chats_open_stops_cleanly_and_loses_nothing(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid])
        app.wait_operators(1)
        visitor = self.chat(app, joe)
        # A long-poll in flight when the signal comes is answered, not cut.
        answered = []

        def long_poll():
            try:
                answered.append(visitor.poll(wait=30))
            except Exception as error:  # noqa: BLE001 - recorded, asserted below
                answered.append(error)

        # This poll, not one of the chat's earlier ones that may still be counted: the signal must
        # find it waiting.
        before = metric(get_text(app.root_url("/metrics"))[1], "seshat_http_long_polls")
        poller = threading.Thread(target=long_poll)
        poller.start()
        deadline = time.monotonic() + 5
        while metric(get_text(app.root_url("/metrics"))[1], "seshat_http_long_polls") <= before:
            self.assertLess(time.monotonic(), deadline, "the long-poll never arrived")
            time.sleep(0.01)
        self.assertEqual(app.stop(), 0, app.log_tail())
        poller.join(10)
        self.assertFalse(poller.is_alive(), "the long-poll was not answered at shutdown")
        self.assertEqual(answered, [[]], "the long-poll should be answered (empty), not cut")
        # Back up on the same database: the chat is still joe's and carries on.
        app.start("serve")
        app.wait_operators(1)
        visitor.send("after the restart")
        joe.expect("after the restart")
        joe.send(self.server.jid("bot"), "still here")
        visitor.expect("still here", sender="operator")
        operator_texts = [t for f, t in visitor.texts() if f == "operator"]
        self.assertEqual(operator_texts, ["pong from joe", "still here"])


class CommandLine(case.unittest.TestCase):
    def run_seshat(self, *args):
        return subprocess.run([case.paths.seshat, *args], capture_output=True, text=True, timeout=10)

    def test_help_names_the_three_modes(self):
        result = self.run_seshat("--help")
        self.assertEqual(result.returncode, 0)
        for mode in ("broker", "web", "serve"):
            self.assertIn(mode, result.stdout)

    def test_each_mode_takes_config_and_section(self):
        for mode in ("broker", "web", "serve"):
            result = self.run_seshat(mode, "--help")
            self.assertEqual(result.returncode, 0)
            self.assertIn("CONFIG", result.stdout)
            self.assertIn("SECTION", result.stdout)
            self.assertIn("--log-level", result.stdout)

    def test_a_missing_argument_is_a_usage_error(self):
        result = self.run_seshat("serve")
        self.assertEqual(result.returncode, 2)


if __name__ == "__main__":
    case.main()
