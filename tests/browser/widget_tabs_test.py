"""The same chat, live, in every tab of the site, with one event stream for the browser; a hidden
box counts unread operator messages on its button and in the page title; the tab that holds the
stream closes and another takes over without losing a message."""

import json
from urllib.parse import parse_qs, urlparse

import widget_case
from widget_case import ROOT, STARTED

UNREAD = "[data-seshat-unread]"


class WidgetTabs(widget_case.WidgetTestCase):
    def unread(self, page):
        return page.eval("(() => { const b = document.querySelector('[data-seshat-unread]');"
                         " return [b.textContent, b.hidden, document.title]; })()")

    def test_two_tabs_one_chat_unread_counts_and_a_clean_handover(self):
        first, joe, app, chat = self.open_chat("customer")
        title = first.eval("document.title")
        self.assertEqual(self.unread(first), ["", True, title])

        # A second tab of the site shows the live chat, not an empty start form.
        second = first.new_page()
        self.assertEqual(second.goto(app.url("/")), 200)
        second.wait_for(f'{ROOT}[data-seshat-status="open"]')
        self.wait_message(second, "system", STARTED)

        # Both boxes hidden: an operator message counts as unread on both buttons and titles.
        first.click("[data-seshat-hide]")
        self.operator_says(joe, "Are you still there?")
        for page in (first, second):
            self.wait_message(page, "operator", "Are you still there?")
            page.wait_function("return document.querySelector('[data-seshat-unread]').textContent === '1';")
            self.assertEqual(self.unread(page), ["1", False, f"(1) {title}"])
        self.screenshot(first, "widget-unread.png")
        self.operator_says(joe, "Hello?")
        first.wait_function("return document.querySelector('[data-seshat-unread]').textContent === '2';")

        # Read in one tab, read in all.
        second.click("[data-seshat-open]")
        for page in (first, second):
            page.wait_function("return document.querySelector('[data-seshat-unread]').hidden;")
            self.assertEqual(self.unread(page), ["", True, title])

        # One event stream for the browser.
        streams = [r["url"] for r in first.requests() if "/events" in r["url"]]
        self.assertEqual(len(streams), 1, streams)

        # Messages typed in either tab reach the operator once, and show in both.
        self.visitor_says(second, "Yes, sorry.")
        joe.expect("Yes, sorry.")
        self.wait_message(first, "visitor", "Yes, sorry.")
        # The stream is named, and the tab holding it names it when it sends: the server leaves
        # that message out of the stream, and the sending tab tells the other one.
        name = parse_qs(urlparse(streams[0]).query)["stream"][0]
        first.click("[data-seshat-open]")
        self.visitor_says(first, "One more thing.")
        joe.expect("One more thing.")
        self.wait_message(second, "visitor", "One more thing.")
        sends = {body["text"]: body.get("stream") for body in (
            json.loads(r["body"]) for r in first.requests()
            if r["method"] == "POST" and r["url"].endswith("/messages"))}
        self.assertEqual(sends, {"Yes, sorry.": None, "One more thing.": name})
        self.assertEqual(self.log(first).count(("visitor", "One more thing.")), 1)

        # The tab with the stream closes: the other takes over and misses nothing.
        first.close_page()
        self.operator_says(joe, "No problem.")
        self.wait_message(second, "operator", "No problem.")
        self.visitor_says(second, "Bye!")
        joe.expect("Bye!")
        joe.assert_no_message(within=0.5)
        self.assertEqual(self.log(second), [
            ("system", STARTED),
            ("operator", "Are you still there?"),
            ("operator", "Hello?"),
            ("visitor", "Yes, sorry."),
            ("visitor", "One more thing."),
            ("operator", "No problem."),
            ("visitor", "Bye!"),
        ])
        self.assert_no_page_errors(second)

    def test_an_optional_beep_for_a_new_message_while_hidden(self):
        joe, app = self.serve()
        page = self.browser(init_scripts=[AUDIO_STUB])
        chat = self.start_from_page(page, app, joe, "customer")
        self.accept(page, joe, chat)
        page.click("[data-seshat-hide]")
        self.operator_says(joe, "one")  # off by default
        page.wait_function("return document.querySelector('[data-seshat-unread]').textContent === '1';")
        page.eval("document.querySelector('[data-seshat]').setAttribute('data-seshat-sound', '')")
        self.operator_says(joe, "two")
        page.wait_function("return document.querySelector('[data-seshat-unread]').textContent === '2';")
        page.eval("document.querySelector('[data-seshat]').setAttribute('data-seshat-sound', 'off')")
        self.operator_says(joe, "three")
        page.wait_function("return document.querySelector('[data-seshat-unread]').textContent === '3';")
        self.assertEqual(page.eval("window.__beeps"), 1)
        # A beep is a tone made in the page: no sound file is fetched from anywhere.
        hosts = {r["url"].split("/")[2] for r in page.requests() if r["url"].startswith("http")}
        self.assertEqual(hosts, {app.url("/").split("/")[2]})


# Counts the tones the widget makes (headless Chromium has no sound to hear).
AUDIO_STUB = """
window.__beeps = 0;
window.AudioContext = class {
  constructor() { this.currentTime = 0; this.destination = {}; }
  createOscillator() {
    window.__beeps += 1;
    return { frequency: { value: 0 }, connect() {}, start() {}, stop() {} };
  }
  createGain() {
    return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect() {} };
  }
};
"""


if __name__ == "__main__":
    widget_case.main()
