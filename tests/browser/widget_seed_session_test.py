"""The seed's example session, word for word, from the demo page in a real Chromium, with a real
slixmpp operator on a real Prosody. Lines marked > go to the operator, < to the visitor."""

import widget_case
from widget_case import CLOSED, ROOT, STARTED


class WidgetSeedSession(widget_case.WidgetTestCase):
    def test_the_seed_example_session_from_the_demo_page(self):
        joe, app = self.serve()
        page = self.browser()

        # Visitor clicks a link to start a chat
        # > Remote user 'customer' wants to start a conversation. ... '!ACCEPT 42'.
        chat = self.start_from_page(page, app, joe, "customer")
        self.assertEqual(page.attr(ROOT, "data-seshat-status"), "waiting")
        # User types: !ACCEPT 42
        # > You are now handling chat #42. Send '!FINISH' when you are done.
        # < Your chat has started.
        self.accept(page, joe, chat)
        self.assertEqual(page.attr(ROOT, "data-seshat-status"), "open")
        # Visitor types: Hi!
        # > Hi!
        self.visitor_says(page, "Hi!")
        joe.expect("Hi!")
        self.assertEqual(page.eval("document.querySelector('[data-seshat-input]').value"), "")
        # User types: Hello, customer.
        # < Hello, customer.
        self.operator_says(joe, "Hello, customer.")
        self.wait_message(page, "operator", "Hello, customer.")
        # Visitor types: Talk to you later!
        # > Talk to you later!
        self.visitor_says(page, "Talk to you later!")
        joe.expect("Talk to you later!")
        # User types: !FINISH
        # > The chat is now closed.
        # < The chat is now closed.
        joe.send(self.bot, "!FINISH")
        joe.expect(CLOSED)
        self.wait_message(page, "system", CLOSED)
        page.wait_for(f'{ROOT}[data-seshat-status="closed"]')
        joe.assert_no_message(within=0.3)

        # The page's whole log, in order, word for word, nothing twice.
        self.assertEqual(self.log(page), [
            ("system", STARTED),
            ("visitor", "Hi!"),
            ("operator", "Hello, customer."),
            ("visitor", "Talk to you later!"),
            ("system", CLOSED),
        ])
        self.assertEqual(page.attr("[data-seshat-input]", "disabled"), "")
        self.assertEqual(page.count("[data-seshat-log][aria-live]"), 1)
        self.screenshot(page, "widget-seed-session.png")
        self.assert_no_page_errors(page)
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    widget_case.main()
