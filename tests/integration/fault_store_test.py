"""The SQLite file in trouble while a two-way stream runs.

- Locked: another process holds an exclusive transaction on the database for about a second.
  Writers wait (busy timeout), so every send is accepted late rather than refused; nothing is lost
  or doubled, and the file passes integrity_check.
- Disk full: the database lives on a 2 MB tmpfs that is then filled. Sends fail with a clear 503
  JSON error, the process keeps running, a refused text is not half-stored, and once space
  returns the chat goes on: every accepted message arrives exactly once, integrity_check is ok.
  Needs `mount -t tmpfs` (root, as in CI); skipped with the reason otherwise.
"""

import errno
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402
from harness.stream import ChatStream, Redelivery, visitor_text  # noqa: E402
from harness.visitor import ApiError, request  # noqa: E402

TIMEOUT = 30
LOCK_SECONDS = 1.0
TMPFS_SIZE = "2m"
BIG = "x" * 3900  # near the 4096-byte message limit: each send grows the WAL
WHILE_FULL = "sent while the disk is full"


def wait_log(app, needles, timeout=TIMEOUT):
    """Until the log holds `needles` in this order (readiness of a log line, polled)."""
    deadline = time.monotonic() + timeout
    while True:
        text, at = app.log_text(), 0
        for needle in needles:
            at = text.find(needle, at)
            if at < 0:
                break
        if at >= 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"no {needles} in the log\n{app.log_tail()}")
        time.sleep(0.01)


def integrity(db):
    with sqlite3.connect(db, timeout=10) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


class LockedDatabase(case.ProsodyTestCase):
    def test_exclusive_lock_for_a_second_makes_writers_wait(self):
        joe, app, bot = self.joe_and_seshat()
        stream = ChatStream(app, joe, bot, timeout=TIMEOUT)
        stream.open()
        stream.start_reader()
        tenth = threading.Event()
        stream.visitor_sends(1, 30, pace=0.05, progress={10: tenth})
        stream.operator_sends(1, 10, pace=0.05)
        self.assertTrue(tenth.wait(TIMEOUT))

        locker = sqlite3.connect(app.db, timeout=10, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        locked_at = time.monotonic()
        stream.operator_sends(11, 20, pace=0.05)  # the broker must wait to store these
        time.sleep(max(0.0, LOCK_SECONDS - (time.monotonic() - locked_at)))  # the fault lasts 1 s
        locker.execute("COMMIT")
        locker.close()

        stream.operator_sends(21, 30, pace=0.05)
        checked = stream.finish(self)
        self.assertEqual(stream.refusals, 0, "a send failed instead of waiting for the lock")
        self.assertGreater(max(stream.send_seconds), LOCK_SECONDS / 2,
                           "no send waited for the lock: was it taken?")
        self.assertEqual(integrity(app.db), "ok")
        print(f"\nlocked db: {checked} messages checked; slowest send "
              f"{max(stream.send_seconds):.2f} s; {stream.summary()}")
        self.assertEqual(app.stop(), 0)


class FullDisk(case.ProsodyTestCase):
    def mount_small_tmpfs(self):
        mount_point = tempfile.mkdtemp(prefix="seshat-tmpfs-")
        self.addCleanup(os.rmdir, mount_point)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs",
                                 mount_point], capture_output=True, text=True, timeout=10)
        if result.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs for the disk-full test (needs root): "
                          f"{result.stderr.strip()}")
        self.addCleanup(subprocess.run, ["umount", "-l", mount_point], timeout=10)
        return mount_point

    def fill(self, mount_point):
        path = os.path.join(mount_point, "filler")
        chunk = b"\0" * 65536
        with open(path, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(chunk)
            except OSError as error:
                self.assertEqual(error.errno, errno.ENOSPC)
        # The last few bytes too, so that not even one page fits.
        with open(path, "ab", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 512)
            except OSError:
                pass
        return path

    def chat_on_a_small_disk(self):
        """A chat with v-1..v-5 and o-1..o-5 through, its database on a 2 MB tmpfs."""
        mount_point = self.mount_small_tmpfs()
        # min_free_disk_mb off: this test fills the disk on purpose (the guard has its own tests).
        joe, app, bot = self.joe_and_seshat(db=os.path.join(mount_point, "seshat.db"),
                                            extra={"min_free_disk_mb": 0})
        stream = ChatStream(app, joe, bot, timeout=TIMEOUT)
        stream.open()
        stream.start_reader()
        for n in range(1, 6):
            stream.send_visitor(n, time.monotonic() + TIMEOUT)
        stream.operator_sends(1, 5)
        stream.collect_operator(5)
        stream.wait_operator_messages_read()
        return mount_point, app, stream

    def send_until_refused(self, stream, first):
        """Numbered texts and big fillers in turn until one is refused (the WAL may still have
        room for a few); numbered ones accepted count like any other. Returns (text, ApiError,
        next number)."""
        url = stream.web.url(f"/api/chats/{stream.chat}/messages")
        n = first
        for attempt in range(40):
            text = visitor_text(n) if attempt % 2 == 0 else BIG
            try:
                request(url, "POST", {"text": text}, token=stream.token, timeout=10)
            except ApiError as error:
                return text, error, n
            if text != BIG:
                stream.accepted.append(n)
                n += 1
        self.fail("the disk never filled up")

    def test_visitor_gets_clear_503_nothing_half_written_then_recovery(self):
        mount_point, app, stream = self.chat_on_a_small_disk()
        filler = self.fill(mount_point)
        refused_text, error, n = self.send_until_refused(stream, 6)
        self.assertEqual(error.status, 503, error.body)
        self.assertEqual(error.body, {
            "error": "The chat service is unavailable at the moment; please try again."})
        with self.assertRaises(ApiError) as start:
            request(app.url("/api/chats"), "POST", {"name": "second", "message": BIG})
        self.assertEqual(start.exception.status, 503)
        self.assertTrue(app.running, "seshat died of a full disk")

        os.remove(filler)
        # Space is back. Nothing of the refused send was stored; the client sends it again and
        # the chat goes on both ways.
        self.assertNotIn(refused_text, [m["text"] for m in stream.transcript()],
                         "a refused text was (half-)stored")
        deadline = time.monotonic() + TIMEOUT
        for k in range(n, n + 8):
            stream.send_visitor(k, deadline)
        stream.operator_sends(6, 10)
        # Redelivery allowed: a delivery mark that could not be written means joe may get a
        # message again, under the same stanza id.
        checked = stream.finish(self, Redelivery.after_crash)
        self.assertEqual(integrity(app.db), "ok")
        self.assertTrue(app.running)
        print(f"\ndisk full: first refusal {error.status} {error.body}; {checked} messages "
              f"checked; {stream.summary()}")
        self.assertEqual(app.stop(), 0)

    # A message an operator sends while the database cannot be written is not lost silently:
    # the operator is told, with the text, that it was not delivered (found by this test).
    def test_operator_message_while_disk_full_is_not_dropped_silently(self):
        mount_point, app, stream = self.chat_on_a_small_disk()
        joe, bot = stream.operator, stream.bot
        filler = self.fill(mount_point)
        self.send_until_refused(stream, 6)  # the disk is really full now
        # joe's next stanza (a presence) is handled after his message on the broker's one XMPP
        # thread: once the broker logged receiving it, it has dealt with the message.
        joe.send(bot, WHILE_FULL)
        joe.set_presence("chat")
        wait_log(app, [f"<body>{WHILE_FULL}</body>", "<show>chat</show>"])
        errors = app.log_text().split(f"<body>{WHILE_FULL}</body>")[1].count("store:")
        os.remove(filler)
        stream.operator_sends(6, 6)  # space is back: a later message does go through
        stream.wait_operator_messages_read()
        stream.drain_operator(within=1.0)
        operator_texts = [m["text"] for m in stream.transcript() if m["from"] == "operator"]
        told = [t for t in stream.operator_other if WHILE_FULL in t or "not delivered" in t]
        self.assertTrue(WHILE_FULL in operator_texts or told,
                        f"joe's {WHILE_FULL!r}, sent while the disk was full, was dropped "
                        f"silently ({errors} store errors in the log; joe was told only "
                        f"{stream.operator_other}; the visitor has {operator_texts})")


if __name__ == "__main__":
    case.main()
