"""What the visitor sees: dark mode from the system (and forced light), a German browser gets
German, links are real links and safe, an operator's correction replaces the earlier text in
place, /me is an action, the operator's name and typing show, the queue position while waiting.
The parts the server of this branch cannot send yet (replaces, name, typing, position) are given
to the widget's own rendering, as its event stream would."""

import widget_case
from widget_case import ROOT

PANEL_BACKGROUND = "getComputedStyle(document.querySelector('.seshat-panel')).backgroundColor"
WIDGET = "document.querySelector('[data-seshat]').seshat"


class WidgetLooks(widget_case.WidgetTestCase):
    def test_dark_mode_follows_the_system_unless_forced(self):
        joe, app = self.serve()
        page = self.browser()
        page.color_scheme("dark")
        self.assertEqual(page.goto(app.url("/")), 200)
        page.click("[data-seshat-open]")
        self.assertEqual(page.eval(PANEL_BACKGROUND), "rgb(23, 26, 33)")
        self.assertEqual(page.axe(), [])
        self.screenshot(page, "widget-dark-start.png")
        page.eval("document.querySelector('[data-seshat]').setAttribute('data-seshat-theme', 'light')")
        self.assertEqual(page.eval(PANEL_BACKGROUND), "rgb(255, 255, 255)")
        page.color_scheme("light")
        page.eval("document.querySelector('[data-seshat]').setAttribute('data-seshat-theme', 'dark')")
        self.assertEqual(page.eval(PANEL_BACKGROUND), "rgb(23, 26, 33)")
        self.assert_no_page_errors(page)

    def test_a_german_browser_gets_german(self):
        joe, app = self.serve()
        page = self.browser(locale="de-DE")
        self.assertEqual(page.goto(app.url("/")), 200)
        page.click("[data-seshat-open]")
        self.assertEqual(page.eval("document.querySelector('[data-seshat-begin]').textContent"), "Chat starten")
        self.assertEqual(page.attr(".seshat-panel", "lang"), "de-DE")  # the page's button keeps its own
        chat = self.start_from_page(page, app, joe, "Kunde")
        # Waiting, in German: the place in the queue when the server gives it, else the plain line.
        self.assertIn(page.eval("document.querySelector('[data-seshat-state-text]').textContent"),
                      ("Sie sind Nummer 1 in der Warteschlange.", "Wir warten auf eine Antwort\u2026"))
        self.assertEqual(page.eval("document.querySelector('[data-seshat-send]').textContent"), "Senden")
        # The bot's words to the visitor in German too (the chat's language); the operator's
        # side stays as it was.
        joe.send(self.bot, f"!ACCEPT {chat}")
        joe.expect(f"You are now handling chat #{chat}. Send '!FINISH' when you are done.")
        self.wait_message(page, "system", "Ihr Chat hat begonnen.")
        page.wait_for(f'{ROOT}[data-seshat-status="open"]')
        self.assertEqual(page.axe(), [])
        self.visitor_says(page, "Hallo!")
        joe.expect("Hallo!")
        joe.send(self.bot, "!FINISH")
        joe.expect(widget_case.CLOSED)
        self.wait_message(page, "system", "Der Chat ist jetzt beendet.")
        self.screenshot(page, "widget-german-ended.png")

        # "Email me the transcript": a bad address is caught here; a good one goes to the server
        # (POST .../transcript), whose answer (sent, or not available here) is shown.
        notice = "document.querySelector('.seshat-after .seshat-notice').textContent"
        page.click("[data-seshat-transcript]")
        self.assertEqual(page.eval(notice), "Bitte geben Sie eine g\u00fcltige E-Mail-Adresse ein.")
        page.fill("[data-seshat-email]", "kunde@example.com")
        page.click("[data-seshat-transcript]")
        page.wait_function(f"const t = {notice}; return t && !t.startsWith('Bitte') && t;")
        self.assertIn(f"/api/chats/{chat}/transcript",
                      [r["url"].split("/seshat", 1)[1] for r in page.requests() if r["method"] == "POST"])
        self.assert_no_page_errors(page)

    def test_the_page_is_sent_as_origin_and_path_only(self):
        joe, app = self.serve()
        page = self.browser()
        self.assertEqual(page.goto(app.url("/?session=s3cr3t#private")), 200)
        page.click("[data-seshat-open]")
        page.fill("[data-seshat-name]", "customer")
        page.click("[data-seshat-begin]")
        _, notice = joe.expect(lambda text: text.startswith("Remote user 'customer'"), sender=self.bot)
        self.assertIn(app.url("/"), notice)
        self.assertNotIn("s3cr3t", notice)
        self.assertNotIn("private", notice)

    def test_links_corrections_actions_names_typing_and_position(self):
        joe, app = self.serve()
        page = self.browser()
        chat = self.start_from_page(page, app, joe, "customer")
        # Queue position while waiting (the status event's `position`).
        page.eval(f"{WIDGET}.apply({{status: 'waiting', position: 2}})")
        self.assertEqual(page.eval("document.querySelector('[data-seshat-state-text]').textContent"),
                         "You are number 2 in the queue.")
        self.accept(page, joe, chat)

        text = ("See https://example.com/a?b=1. Not javascript:alert(1) nor <b>bold</b> "
                "nor ftp://example.com/file")
        self.operator_says(joe, text)
        self.wait_message(page, "operator", text)
        links = page.eval("Array.from(document.querySelectorAll('[data-seshat-log] a'))"
                          ".map(a => [a.getAttribute('href'), a.textContent, a.target, a.rel])")
        self.assertEqual(links, [["https://example.com/a?b=1", "https://example.com/a?b=1", "_blank",
                                  "noopener noreferrer"]])
        self.assertEqual(page.count("[data-seshat-log] b"), 0)
        self.assertEqual(page.attr('[data-seshat-log] > [data-from="operator"]', "data-seq"), "2")
        # Who answers: the operator's display name (here the JID's local part, no nick or vCard).
        self.assertIn("joe", page.eval("document.querySelector('[data-from=operator] .seshat-meta').textContent"))

        # A correction (replaces), with the operator's name; then /me; then typing.
        page.eval(f"{WIDGET}.apply({{messages: [{{seq: 90, from: 'operator', name: 'Anna',"
                  f" text: 'Fixed text', replaces: 2, at: new Date().toISOString()}}]}})")
        edited = page.eval("(() => { const n = document.querySelector('[data-seq=\"2\"]');"
                           " return [n.querySelector('.seshat-text').textContent, n.hasAttribute('data-edited'),"
                           " n.querySelector('.seshat-meta').textContent]; })()")
        self.assertEqual(edited[:2], ["Fixed text", True])
        self.assertIn("Anna", edited[2])
        self.assertIn("edited", edited[2])
        self.assertEqual(page.count('[data-seshat-log] > [data-from="operator"]'), 1)
        page.eval(f"{WIDGET}.apply({{messages: [{{seq: 91, from: 'operator', name: 'Anna', text: '/me waves'}}]}})")
        self.wait_message(page, "operator", "Anna waves")
        self.assertEqual(page.count(".seshat-action"), 1)
        page.eval(f"{WIDGET}.showTyping({{typing: true, name: 'Anna'}})")
        self.assertEqual(page.eval("document.querySelector('[data-seshat-typing]').textContent"),
                         "Anna is typing\u2026")
        self.assertEqual(page.eval("document.querySelector('[data-seshat-typing]').hidden"), False)
        self.screenshot(page, "widget-open-typing.png")
        page.eval(f"{WIDGET}.showTyping({{typing: false}})")
        self.assertEqual(page.eval("document.querySelector('[data-seshat-typing]').hidden"), True)
        self.assert_no_page_errors(page)


if __name__ == "__main__":
    widget_case.main()
