"""retention_days: chats that ended longer ago than that are deleted with their messages, mail
and outbox rows, while the service runs; live chats stay. (A decimal number of days makes the
test's retention about two seconds.)"""

import sqlite3
import time

import harness.case as case
from harness.smtp import Mailbox, start_chat, wait_metric
from harness.visitor import ApiError, Visitor, request

RETENTION_DAYS = "0.00002"  # 1.728 s


class Retention(case.ProsodyTestCase):
    def rows(self, app, sql, *args):
        db = sqlite3.connect(f"file:{app.db}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute(sql, args).fetchone()[0]
        finally:
            db.close()

    def test_ended_chats_go_after_retention_days_and_live_ones_stay(self):
        mailbox = Mailbox().start()
        self.addCleanup(mailbox.close)
        joe, app, bot = self.joe_and_seshat(extra=mailbox.config(
            retention_days=RETENTION_DAYS, visitor_grace="1", mail_delay="1"))
        waiting = Visitor(app)
        waiting.start("Bob", message="still waiting")
        joe.expect(lambda text: text.startswith("Remote user 'Bob'"), sender=bot)

        ended = start_chat(app, message="refund?", email="ann@customer.example")
        joe.expect(lambda text: text.startswith("Remote user 'Ann'"), sender=bot)
        joe.send(bot, f"!ACCEPT {ended.id}")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{ended.id}."))
        joe.expect("refund?")
        joe.send(bot, "It is on its way.")
        joe.send(bot, "!FINISH")
        joe.expect("The chat is now closed.")
        mailbox.wait_for(1)  # its mail went out, so nothing holds the chat back
        app.wait_outbox_confirmed()

        # The ended chat disappears (404), with everything that belonged to it.
        deadline = time.monotonic() + 20
        while True:
            try:
                request(app.url(f"/api/chats/{ended.id}/messages"), token=ended.token)
            except ApiError as error:
                self.assertEqual(error.status, 404)
                break
            self.assertLess(time.monotonic(), deadline, app.log_tail())
            time.sleep(0.05)
        self.assertEqual(self.rows(app, "SELECT count(*) FROM messages WHERE chat_id = ?",
                                   ended.id), 0)
        self.assertEqual(self.rows(app, "SELECT count(*) FROM mail WHERE chat_id = ?", ended.id), 0)
        self.assertEqual(self.rows(app, "SELECT count(*) FROM outbox WHERE chat_id = ?",
                                   ended.id), 0)
        wait_metric(app, "seshat_retention_deleted_total", 1, labels='{table="chats"}')

        # The live request is untouched, older as it is.
        status, reply = request(app.url(f"/api/chats/{waiting.id}/messages"), token=waiting.token)
        self.assertEqual(status, 200)
        self.assertEqual([m["text"] for m in reply["messages"]][0], "still waiting")
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
