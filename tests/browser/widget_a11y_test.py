"""axe-core finds nothing serious or critical in any state of the widget (closed, start form,
leave-a-message form, waiting, open, ended), on a desktop (1280x800) and on a phone (390x844);
a keyboard-only visitor can do the whole chat; focus never falls to <body>; buttons are 44 px
targets on the phone. Screenshots of every state are kept."""

import re

import widget_case
from widget_case import CLOSED, ROOT, STARTED

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
FOCUS = ("(() => { const a = document.activeElement; return a === document.body || !a ? 'body' :"
         " (a.getAttribute('data-seshat-new') !== null ? 'new' : a.tagName + ' ' + a.className); })()")


class WidgetAccessibility(widget_case.WidgetTestCase):
    def check(self, page, viewport, state):
        violations = page.axe()
        self.assertEqual(violations, [], f"axe, {viewport}, {state}")
        self.screenshot(page, f"widget-{viewport}-{state}.png")

    def test_every_state_on_desktop_and_phone(self):
        joe, app = self.serve()
        page = self.browser()
        for viewport, (width, height) in VIEWPORTS.items():
            with self.subTest(viewport=viewport):
                page.viewport(width, height)
                self.assertEqual(page.goto(app.url("/")), 200)
                page.wait_for(f"{ROOT}[data-seshat-mounted]")
                self.check(page, viewport, "closed")
                page.click("[data-seshat-open]")
                page.wait_for("[data-seshat-name]:focus")
                self.check(page, viewport, "start")

                # The leave-a-message form while nobody is available.
                joe.set_presence("away")
                app.wait_operators(0)
                page.click("[data-seshat-hide]")
                page.click("[data-seshat-open]")
                page.wait_for("[data-seshat-email]:not([hidden])")
                page.wait_function("return !document.querySelector('[data-seshat-email]').closest('[hidden]');")
                self.check(page, viewport, "leave-a-message")
                # No smtp here: the form promises an answer on the page, not by mail.
                self.assertIn("we will answer here when you come back",
                              page.eval("document.querySelector('.seshat-panel').innerText"))
                joe.set_presence(None)
                app.wait_operators(1)
                page.click("[data-seshat-hide]")
                page.click("[data-seshat-open]")
                page.wait_function("return !!document.querySelector('[data-seshat-email]').closest('[hidden]');")

                chat = self.start_from_page(page, app, joe, "customer")
                self.check(page, viewport, "waiting")
                self.accept(page, joe, chat)
                self.visitor_says(page, "Hi! Where is https://example.com/help?")
                joe.expect("Hi! Where is https://example.com/help?")
                self.operator_says(joe, "Right here: https://example.com/help, and /me waves")
                self.wait_message(page, "operator", "Right here: https://example.com/help, and /me waves")
                self.check(page, viewport, "open")

                page.click("[data-seshat-close]")
                joe.expect(CLOSED)
                self.wait_message(page, "system", CLOSED)
                page.wait_for(f'{ROOT}[data-seshat-status="closed"]')
                # Focus lands on "Start a new chat", not on <body>; the input is gone.
                page.wait_function(f"return {FOCUS} === 'new';")
                self.assertEqual(page.eval("getComputedStyle(document.querySelector('[data-seshat-compose]')).display"), "none")
                self.check(page, viewport, "ended")

                if viewport == "phone":
                    small = page.eval(
                        "Array.from(document.querySelectorAll('.seshat button')).filter(b => b.offsetParent)"
                        ".map(b => b.getBoundingClientRect()).filter(r => r.width < 44 || r.height < 44).length")
                    self.assertEqual(small, 0, "buttons smaller than 44 px on the phone")
                page.click("[data-seshat-new]")
                page.wait_for("[data-seshat-name]:focus")
        self.assert_no_page_errors(page)
        # Nothing on the console either (a missing favicon would be a 404 there).
        self.assertEqual([e for e in page.journal() if e["kind"] == "console.error"], [])

    def test_a_keyboard_only_session(self):
        joe, app = self.serve()
        page = self.browser()
        page.viewport(1280, 800)
        self.assertEqual(page.goto(app.url("/")), 200)
        page.wait_for(f"{ROOT}[data-seshat-mounted]")
        # Tab to the chat button (the demo page has no other control) and open it with Enter.
        page.keyboard(key="Tab")
        page.wait_for("[data-seshat-open]:focus")
        page.keyboard(key="Enter")
        page.wait_for("[data-seshat-name]:focus")
        page.keyboard(text="keyboard user")
        page.keyboard(key="Tab")
        page.wait_for("[data-seshat-first]:focus")
        page.keyboard(key="Tab")
        page.wait_for("[data-seshat-begin]:focus")
        # The focus ring: a visible outline, 3 px, not transparent.
        ring = page.eval("(() => { const s = getComputedStyle(document.activeElement);"
                         " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; })()")
        self.assertEqual(ring[:2], ["solid", "3px"])
        self.assertNotIn("0)", ring[2])
        page.keyboard(key="Enter")
        _, notice = joe.expect(lambda text: text.startswith("Remote user 'keyboard user'"), sender=self.bot)
        chat = int(re.search(r"'!ACCEPT (\d+)'", notice).group(1))
        page.wait_for("[data-seshat-input]:focus")
        self.accept(page, joe, chat)
        page.keyboard(text="Typed without a mouse")
        page.keyboard(key="Enter")
        joe.expect("Typed without a mouse")
        # Escape hides the box and gives the focus back to the button.
        page.keyboard(key="Escape")
        page.wait_for("[data-seshat-open]:focus")
        page.keyboard(key="Enter")
        page.wait_for("[data-seshat-input]:focus")
        # Shift+Tab from the box reaches the message log (scrollable, focusable).
        page.keyboard(key="Shift+Tab")
        page.wait_for("[data-seshat-log]:focus")
        self.assertEqual(self.log(page), [("system", STARTED), ("visitor", "Typed without a mouse")])
        self.assert_no_page_errors(page)


if __name__ == "__main__":
    widget_case.main()
