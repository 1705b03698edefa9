"""A fast typist: messages typed and sent with Enter in quick succession, over a slow network,
and one of the answers lost on the way back. The box clears at once on every Enter, each
message shows as pending at once, and each reaches the operator (and the store) exactly once,
in order: the widget retries with the same client_id and the server answers the same seq."""

import json

import widget_case
from harness.visitor import request

MESSAGES_API = "**/api/chats/*/messages"
TEXTS = ["first question", "second", "third one", "and a fourth", "fifth", "sixth and last"]


class WidgetFastTyping(widget_case.WidgetTestCase):
    def test_each_message_arrives_once_in_order(self):
        page, joe, app, chat = self.open_chat("customer")
        page.delay_requests(MESSAGES_API, 150)
        page.lose_answers(MESSAGES_API, 1)  # the first send's answer never comes back
        page.click(widget_case.INPUT)
        for text in TEXTS:
            page.keyboard(text=text)
            page.keyboard(key="Enter")
            # Cleared at once, and the message is in the log (pending) before any answer.
            self.assertEqual(page.eval("document.querySelector('[data-seshat-input]').value"), "")
            page.wait_for('[data-seshat-log] > [data-from="visitor"]', text=text, timeout=2)
        for text in TEXTS:
            joe.expect(text)
        joe.assert_no_message(within=1.0)

        # As the operator's side sees it: the store holds each once, in order.
        saved = json.loads(page.eval("sessionStorage.getItem(Object.keys(sessionStorage)"
                                     ".find(k => k.startsWith('seshat:')))"))
        _, reply = request(app.url(f"/api/chats/{chat}/messages?after=0"), token=saved["token"])
        visitor = [m["text"] for m in reply["messages"] if m["from"] == "visitor"]
        self.assertEqual(visitor, TEXTS)

        # And the page shows each once, none left pending, in seq order.
        page.wait_function("return !document.querySelector('[data-seshat-log] [data-pending]');")
        self.assertEqual([t for f, t in self.log(page) if f == "visitor"], TEXTS)
        seqs = [int(s) for s in self.seqs(page)]
        self.assertEqual(seqs, sorted(set(seqs)))
        self.screenshot(page, "widget-fast-typing.png")
        self.assert_no_page_errors(page)

    def test_a_line_whose_answer_comes_after_a_reply_takes_its_place_by_seq(self):
        page, joe, app, chat = self.open_chat("customer")
        page.lose_answers(MESSAGES_API, 1)  # stored; the page hears of it only from the retry
        page.fill(widget_case.INPUT, "Are you there?")
        page.press(widget_case.INPUT, "Enter")
        joe.expect("Are you there?")
        self.operator_says(joe, "Yes, I am.")
        self.wait_message(page, "operator", "Yes, I am.")
        page.wait_function("return !document.querySelector('[data-seshat-log] [data-pending]');")
        self.assertEqual(self.log(page)[-2:],
                         [("visitor", "Are you there?"), ("operator", "Yes, I am.")])
        seqs = [int(s) for s in self.seqs(page)]
        self.assertEqual(seqs, sorted(set(seqs)))
        self.assert_no_page_errors(page)

    def test_a_send_that_keeps_failing_is_marked_with_a_retry_button(self):
        page, joe, app, chat = self.open_chat("customer")
        page.fail_requests(MESSAGES_API, 4)  # every try the widget makes on its own
        self.visitor_says(page, "Is anyone there?")
        page.wait_for('[data-seshat-log] > [data-from="visitor"][data-failed] [data-seshat-retry]',
                      timeout=20)
        joe.assert_no_message(within=0.3)
        self.screenshot(page, "widget-send-failed.png")
        page.click("[data-seshat-retry]")
        joe.expect("Is anyone there?")
        page.wait_for('[data-seshat-log] > [data-from="visitor"][data-seq]:not([data-failed])')
        self.assertEqual(self.log(page), [("system", widget_case.STARTED),
                                          ("visitor", "Is anyone there?")])
        joe.assert_no_message(within=0.5)
        self.assert_no_page_errors(page)


if __name__ == "__main__":
    widget_case.main()
