"""Without EventSource (old browsers, some proxies' users) the widget chats by long-polling: the
same messages, in order, once each; and the visitor's End chat button closes it on both sides."""

import widget_case
from widget_case import CLOSED, ROOT, STARTED

NO_EVENT_SOURCE = "delete window.EventSource;"


class WidgetFallback(widget_case.WidgetTestCase):
    def test_the_chat_works_by_long_polling_without_event_source(self):
        joe, app = self.serve()
        page = self.browser(init_scripts=[NO_EVENT_SOURCE])
        chat = self.start_from_page(page, app, joe, "customer")
        self.assertEqual(page.eval("typeof window.EventSource"), "undefined")
        self.accept(page, joe, chat)

        self.visitor_says(page, "Hi!")
        joe.expect("Hi!")
        self.operator_says(joe, "Hello, customer.")
        self.wait_message(page, "operator", "Hello, customer.")
        self.operator_says(joe, "How can I help?")
        self.wait_message(page, "operator", "How can I help?")
        self.visitor_says(page, "Talk to you later!")
        joe.expect("Talk to you later!")

        # The visitor ends the chat: both sides are told.
        page.click("[data-seshat-close]")
        # design.md: "The chat is now closed." to both sides.
        joe.expect(CLOSED)
        self.wait_message(page, "system", CLOSED)
        page.wait_for(f'{ROOT}[data-seshat-status="closed"]')

        self.assertEqual(self.log(page), [
            ("system", STARTED),
            ("visitor", "Hi!"),
            ("operator", "Hello, customer."),
            ("operator", "How can I help?"),
            ("visitor", "Talk to you later!"),
            ("system", CLOSED),
        ])
        urls = [r["url"] for r in page.requests()]
        self.assertEqual([u for u in urls if "/events" in u], [], "EventSource was used")
        self.assertTrue([u for u in urls if f"/api/chats/{chat}/messages?" in u and "wait=" in u],
                        f"no long-poll seen in {urls}")
        self.assert_no_page_errors(page)
        self.screenshot(page, "widget-fallback.png")


if __name__ == "__main__":
    widget_case.main()
