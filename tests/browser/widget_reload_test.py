"""A page reload in the middle of a chat loses nothing: the chat resumes with its whole history,
shown once and in order; an operator message sent while the page was away is shown exactly once;
and messages go on flowing both ways."""

import json

import widget_case
from harness.visitor import request
from widget_case import ROOT, STARTED

WIDGET_JS = "**/seshat/widget.js"


class WidgetReload(widget_case.WidgetTestCase):
    def test_a_reload_mid_chat_resumes_it_with_its_whole_history_once(self):
        page, joe, app, chat = self.open_chat("customer")
        history = [("system", STARTED)]

        def visitor(text):
            self.visitor_says(page, text)
            joe.expect(text)
            history.append(("visitor", text))

        def operator(text):
            self.operator_says(joe, text)
            self.wait_message(page, "operator", text)
            history.append(("operator", text))

        visitor("Hi!")
        operator("Hello, customer.")
        visitor("My order has not arrived.")
        operator("Let me look it up.")
        self.assertEqual(self.log(page), history)

        # A plain reload: the same log, once, in the same order, and the chat still open.
        self.assertEqual(page.reload(), 200)
        self.wait_message(page, "operator", "Let me look it up.")
        self.assertEqual(self.log(page), history)
        page.wait_for(f'{ROOT}[data-seshat-status="open"]')
        visitor("Still there?")
        operator("Yes, one moment.")
        self.assert_shown_once(page, history)

        # A reload during which the operator writes: the new page is held before its widget
        # runs until the message is stored, so it is surely sent while no widget listened.
        saved = self.saved_chat(page)
        self.assertEqual(saved["id"], chat)
        page.hold(WIDGET_JS)
        page.reload(wait=False)
        page.wait_held(WIDGET_JS)
        self.operator_says(joe, "Found it: it ships today.")
        self.wait_stored(app, saved, "Found it: it ships today.")
        page.release(WIDGET_JS)
        self.assertEqual(page.wait_load(), 200)
        self.wait_message(page, "operator", "Found it: it ships today.")
        history.append(("operator", "Found it: it ships today."))
        page.wait_for(f'{ROOT}[data-seshat-status="open"]')

        # Both ways still work after the reloads, and every message is shown exactly once.
        visitor("Thank you!")
        operator("You are welcome.")
        self.assert_shown_once(page, history)
        joe.assert_no_message(within=0.3)
        self.screenshot(page, "widget-reload.png")
        self.assert_no_page_errors(page)

    def assert_shown_once(self, page, history):
        self.assertEqual(self.log(page), history)
        seqs = [int(seq) for seq in self.seqs(page)]
        self.assertEqual(seqs, sorted(set(seqs)), "messages out of order or shown twice")

    def saved_chat(self, page):
        """The chat the widget keeps in sessionStorage (id, token, seq): what a reload resumes."""
        raw = page.eval("Object.keys(sessionStorage).filter(k => k.startsWith('seshat:'))"
                        ".map(k => sessionStorage.getItem(k))")
        self.assertEqual(len(raw), 1, raw)
        return json.loads(raw[0])

    def wait_stored(self, app, saved, text):
        """Long-polls the API with the page's own token until `text` is in the chat."""
        after = saved["seq"]
        for _ in range(10):
            _, reply = request(app.url(f"/api/chats/{saved['id']}/messages?after={after}&wait=5"),
                               token=saved["token"])
            for message in reply["messages"]:
                after = max(after, message["seq"])
                if message["text"] == text:
                    self.assertEqual(message["from"], "operator")
                    return
        self.fail(f"{text!r} never reached chat {saved['id']}")


if __name__ == "__main__":
    widget_case.main()
