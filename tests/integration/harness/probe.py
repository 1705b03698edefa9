"""Drives tests/integration/xmpp_probe (seshat::xmpp::Connection in a process of its own).

    probe = Probe(path, server, "bot", "pw", contacts=[server.jid("joe")])
    probe.expect("connected")
    probe.send(7, "joe@localhost", "hello")
    probe.expect("delivered", lambda e: 7 in e["delivered"])
    probe.close()

Events are the probe's JSON lines; each expect() waits on a queue with a deadline.
"""

import json
import os
import queue
import subprocess
import threading
import time

DEFAULT_TIMEOUT = 10.0


class Probe:
    def __init__(self, path, server, user, password, tls="verify", ca_file="server",
                 contacts=(), min_backoff_ms=100, max_backoff_ms=2000, log_level="info"):
        ca = server.ca_file if ca_file == "server" else ca_file
        args = [path, "--jid", server.jid(user), "--password", password,
                "--host", server.host, "--port", str(server.port), "--tls", tls,
                "--min-backoff", str(min_backoff_ms), "--max-backoff", str(max_backoff_ms),
                "--log-level", log_level]
        if ca:
            args += ["--ca", ca]
        for contact in contacts:
            args += ["--contact", contact]
        self.stderr_path = os.path.join(server.dir, f"probe-{user}-{time.monotonic_ns()}.log")
        self._stderr = open(self.stderr_path, "wb")
        self._process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self._stderr, text=True, bufsize=1)
        self.events = queue.Queue()
        self._replies = queue.Queue()  # answers to status/latency, apart from the event stream
        self.shows = {}  # full JID -> last show reported by on_presence
        self._shows_changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self._process.stdout:
            line = line.strip()
            if line:
                event = json.loads(line)
                if event["event"] in ("status", "latency"):
                    self._replies.put(event)
                    continue
                if event["event"] == "presence":
                    with self._shows_changed:
                        self.shows[event["from"]] = event["show"]
                        self._shows_changed.notify_all()
                self.events.put(event)
        self.events.put({"event": "exited"})

    def command(self, line):
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()

    def send(self, message_id, to, body):
        self.command(f"send {message_id} {to} {body}")

    def status(self, timeout=DEFAULT_TIMEOUT):
        """{"connected": bool, "reconnects": n}, asked on the XMPP thread; other events stay
        queued for expect()."""
        self.command("status")
        return self._reply("status", timeout)

    def latency(self, samples=1000, timeout=60):
        """post() wake-up latency percentiles (microseconds) measured inside the probe."""
        self.command(f"latency {samples}")
        return self._reply("latency", timeout)

    def _reply(self, name, timeout):
        try:
            reply = self._replies.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"probe: no '{name}' reply within {timeout}s\n{self.log_tail()}")
        assert reply["event"] == name, reply
        return reply

    def expect(self, name, predicate=None, timeout=DEFAULT_TIMEOUT, skip=()):
        """Waits for the next event called `name` (matching `predicate`). Events named in `skip`
        are passed over; any other event first is a failure."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                event = self.events.get(timeout=max(remaining, 0))
            except queue.Empty:
                raise AssertionError(f"probe: no '{name}' event within {timeout}s\n{self.log_tail()}")
            if event["event"] == name and (predicate is None or predicate(event)):
                return event
            if event["event"] in skip or skip == "*":
                continue
            raise AssertionError(f"probe: got {event}, expected '{name}'\n{self.log_tail()}")

    def wait_show(self, full_jid, show, timeout=DEFAULT_TIMEOUT):
        """Waits until the last presence reported for `full_jid` is `show` (whatever order
        the presence events of several resources arrive in)."""
        with self._shows_changed:
            if not self._shows_changed.wait_for(lambda: self.shows.get(full_jid) == show, timeout):
                raise AssertionError(f"probe: {full_jid} is {self.shows.get(full_jid)!r}, "
                                     f"expected {show!r}\n{self.log_tail()}")

    def assert_no_event(self, name, within):
        deadline = time.monotonic() + within
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                return
            if event["event"] == name:
                raise AssertionError(f"probe: unexpected {event}\n{self.log_tail()}")

    def log_tail(self, lines=30):
        with open(self.stderr_path, errors="replace") as f:
            return "--- probe stderr\n" + "".join(f.readlines()[-lines:])

    def close(self, timeout=10.0):
        """quit, then wait for a clean exit (returns its exit code)."""
        if self._process.poll() is None:
            try:
                self.command("quit")
                self._process.stdin.close()
            except BrokenPipeError:
                pass
        try:
            code = self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            raise AssertionError(f"probe did not stop within {timeout}s")
        finally:
            self._reader.join(timeout)
            self._process.stdout.close()
            self._stderr.close()
        return code
