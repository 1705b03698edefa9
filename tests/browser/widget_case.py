"""Shared plumbing of the widget tests: a real Prosody, a slixmpp operator, `seshat serve` and a
headless Chromium on the demo page.

    class MyTest(WidgetTestCase):
        def test_it(self):
            page, joe, chat = self.open_chat("customer")     # chat accepted by joe, page shows it
            self.visitor_says(page, "Hi!"); joe.expect("Hi!")
            self.operator_says(joe, "Hello."); self.wait_message(page, "operator", "Hello.")

    if __name__ == "__main__":
        widget_case.main()                                 # --seshat PATH, as the integration tests
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, HERE)

import harness.case as case  # noqa: E402
from browser import Browser  # noqa: E402

ROOT = "[data-seshat]"
LOG_ITEMS = "[data-seshat-log] > [data-from]"
INPUT = "[data-seshat-input]"
STARTED = "Your chat has started."
CLOSED = "The chat is now closed."


def artifacts_dir():
    """Where screenshots go: $SESHAT_ARTIFACTS, else <repo>/artifacts (git-ignored)."""
    return os.environ.get("SESHAT_ARTIFACTS") or os.path.join(REPO, "artifacts")


def main():
    case.main()


class WidgetTestCase(case.ProsodyTestCase):
    def browser(self, init_scripts=(), locale=None):
        browser = Browser(locale=locale)
        self.addCleanup(browser.close)
        browser.start(timeout=90)
        for script in init_scripts:
            browser.init_script(script)
        return browser

    def serve(self, operator_user="joe"):
        """An operator online and `seshat serve` that sees them: (operator, app)."""
        joe = self.operator(operator_user)
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid])
        app.wait_operators(1)
        self.bot = self.server.jid("bot")
        return joe, app

    def start_from_page(self, page, app, joe, name):
        """The visitor opens the demo page, clicks the chat button and starts a chat under
        `name`; the operator gets the notification. Returns the chat id it names."""
        self.assertEqual(page.goto(app.url("/")), 200)
        page.click("[data-seshat-open]")
        page.fill("[data-seshat-name]", name)
        page.click("[data-seshat-begin]")
        page.wait_for(f'{ROOT}[data-seshat-status="waiting"]')
        _, notice = joe.expect(lambda text: text.startswith(
            f"Remote user '{name}' wants to start a conversation. To accept this request, "
            f"reply with the message '!ACCEPT "), sender=self.bot)
        return int(re.search(r"'!ACCEPT (\d+)'", notice).group(1))

    def accept(self, page, joe, chat):
        joe.send(self.bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        self.wait_message(page, "system", STARTED)
        page.wait_for(f'{ROOT}[data-seshat-status="open"]')

    def open_chat(self, name="customer"):
        """Everything up to an accepted chat: (page, operator, app, chat id)."""
        joe, app = self.serve()
        page = self.browser()
        chat = self.start_from_page(page, app, joe, name)
        self.accept(page, joe, chat)
        return page, joe, app, chat

    def visitor_says(self, page, text):
        """Types `text` in the chat box and presses Enter; returns once the page shows it."""
        page.fill(INPUT, text)
        page.press(INPUT, "Enter")
        self.wait_message(page, "visitor", text)

    def operator_says(self, joe, text):
        joe.send(self.bot, text)

    def wait_message(self, page, sender, text, timeout=10):
        try:
            page.wait_for(f'[data-seshat-log] > [data-from="{sender}"]', text=text, timeout=timeout)
        except AssertionError as error:
            raise AssertionError(f"{error}\npage log: {self.log(page)}") from None

    def log(self, page):
        """The page's whole log, in order: [(from, text)]."""
        return [(m["from"], m["text"]) for m in page.texts(LOG_ITEMS)]

    def seqs(self, page):
        return page.eval(
            "Array.from(document.querySelectorAll('[data-seshat-log] > [data-from]'))"
            ".map(n => n.getAttribute('data-seq'))")

    def screenshot(self, page, name):
        return page.screenshot(os.path.join(artifacts_dir(), name))

    def assert_no_page_errors(self, page):
        errors = [e for e in page.journal() if e["kind"] in ("pageerror", "dialog")]
        self.assertEqual(errors, [])
