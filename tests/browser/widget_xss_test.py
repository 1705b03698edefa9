"""Markup in messages, from either side, is shown as text and never run: no element is made from
it, no script runs, no image is fetched."""

import widget_case

SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = '<img src=x onerror="window.__pwned=2">'
# A message that cannot be markup: once it is shown, the payloads before it were handled.
BARRIER = "plain text after the payloads"


class WidgetXss(widget_case.WidgetTestCase):
    def test_markup_in_messages_is_shown_as_text_and_never_run(self):
        page, joe, app, chat = self.open_chat("customer")

        for payload in (SCRIPT, IMAGE):
            self.visitor_says(page, payload)
            joe.expect(payload)
            self.operator_says(joe, payload)
            self.wait_message(page, "operator", payload)
        self.operator_says(joe, BARRIER)
        self.wait_message(page, "operator", BARRIER)

        self.assertEqual(self.log(page), [
            ("system", widget_case.STARTED),
            ("visitor", SCRIPT),
            ("operator", SCRIPT),
            ("visitor", IMAGE),
            ("operator", IMAGE),
            ("operator", BARRIER),
        ])
        self.assertEqual(page.eval("typeof window.__pwned"), "undefined")
        self.assertEqual(page.count("[data-seshat-log] img, [data-seshat-log] script"), 0)
        self.assertEqual(page.count("img"), 0)
        # The text survives as text in the markup too (escaped), so no later re-render can run it.
        html = page.eval("document.querySelector('[data-seshat-log]').innerHTML")
        self.assertIn("&lt;script&gt;window.__pwned=1&lt;/script&gt;", html)
        self.assertIn("&lt;img src=x onerror=\"window.__pwned=2\"&gt;", html)
        # An <img src=x> would have asked the server for .../x.
        fetched = [r["url"] for r in page.requests() if r["url"].rstrip("/").endswith("/x")]
        self.assertEqual(fetched, [])
        self.assert_no_page_errors(page)

        # A reload renders the history again from the API: still text.
        page.reload()
        page.wait_for('[data-seshat-log] > [data-from="operator"]', text=BARRIER)
        self.assertEqual(len(self.log(page)), 6)
        self.assertEqual(page.eval("typeof window.__pwned"), "undefined")
        self.assertEqual(page.count("[data-seshat-log] img, [data-seshat-log] script"), 0)
        self.assert_no_page_errors(page)
        self.screenshot(page, "widget-xss.png")


if __name__ == "__main__":
    widget_case.main()
