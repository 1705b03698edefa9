"""A real `seshat` process for one test: its own config file, database and free HTTP port.

    app = Seshat(paths.seshat, server, operators=["joe@localhost"])   # writes seshat.ini
    app.start("serve")                     # returns once /healthz says the XMPP link is up
    app.url("/api/chats")                  # http://127.0.0.1:PORT/seshat/api/chats
    app.kill(); app.start("serve")         # SIGKILL by PID, then again on the same database
    app.stop()                             # SIGTERM, and the exit code is checked

Split mode: start two Seshat objects on the same `db` with modes "web" and "broker".
On PostgreSQL (harness/postgres.py): `database=URI` instead of a SQLite file; any number of
"web" and "broker" processes share it; a broker that stands by is started with
start("broker", wait_xmpp=False) (it returns once the process says it stands by or leads).
"""

import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from harness import openapi
from harness.prosody import HOST, free_port

BOT = "bot"
BOT_PASSWORD = "bot-secret"


class Seshat:
    def __init__(self, binary, server, operators, db=None, extra=None, bot=BOT,
                 password=BOT_PASSWORD, section="Seshat", http_port=None, log_level="debug",
                 database=None):
        self.binary = binary
        self.log_level = log_level
        self.server = server
        self.dir = tempfile.mkdtemp(prefix="seshat-app-")
        self.db = db or os.path.join(self.dir, "seshat.db")
        self.port = http_port or free_port()
        self.prefix = "/seshat"
        self.section = section
        self.config = os.path.join(self.dir, "seshat.ini")
        self.log_file = os.path.join(self.dir, "seshat.log")
        self._process = None
        self.database = database
        keys = {
            **({"database": database} if database else {"sqlitedb": self.db}),
            "localusers": ", ".join(operators),
            "username": server.jid(bot),
            "password": password,
            "xmppserver": f"{HOST}:{server.port}",
            "tls_ca": server.ca_file,
            "listen": f"{HOST}:{self.port}",
        }
        keys.update(extra or {})
        with open(self.config, "w") as f:
            f.write(f"[{section}]\n")
            for key, value in keys.items():
                f.write(f"{key} = {value}\n")

    # --- life cycle ---

    def start(self, mode="serve", timeout=15.0, wait_xmpp=True):
        if self.running:
            raise RuntimeError("seshat is already running")
        self.mode = mode
        log = open(self.log_file, "ab")
        self._process = subprocess.Popen(
            [self.binary, mode, self.config, self.section, "--log-level", self.log_level],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        if mode != "broker":
            openapi.watch(self.port, self.prefix)  # every response read is checked
        deadline = time.monotonic() + timeout
        try:
            if mode == "broker" and not wait_xmpp:
                self.wait_log("leadership: ", deadline)
            elif mode == "broker":
                self.wait_log("xmpp connected", deadline)
            else:
                self._wait_healthy(deadline, wait_xmpp and mode == "serve")
        except Exception:
            self.kill()
            raise
        return self

    def stop(self, timeout=10.0):
        """SIGTERM; returns the exit code (0 for a clean shutdown)."""
        if self._process is None:
            return None
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise RuntimeError(f"seshat did not stop within {timeout}s\n{self.log_tail()}")
        return self._process.returncode

    def kill(self):
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait()

    def close(self):
        self.kill()
        if not os.environ.get("SESHAT_KEEP_TMP"):
            import shutil
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print(f"seshat temp dir kept: {self.dir}")

    @property
    def running(self):
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self):
        return self._process.pid if self._process else None

    # --- HTTP ---

    def url(self, path=""):
        return f"http://{HOST}:{self.port}{self.prefix}{path}"

    def root_url(self, path):
        return f"http://{HOST}:{self.port}{path}"

    def wait_operators(self, count, timeout=10.0):
        """Polls GET /api/availability until `count` operators are available (readiness: the
        bot learns presence asynchronously after it connects)."""
        deadline = time.monotonic() + timeout
        while True:
            with urllib.request.urlopen(self.url("/api/availability"), timeout=2) as response:
                reply = json.loads(response.read())
            if reply["operators"] == count:
                return reply
            if time.monotonic() > deadline:
                raise TimeoutError(f"{reply['operators']} operators available, not {count}\n"
                                   f"{self.log_tail()}")
            time.sleep(0.01)

    # --- diagnostics ---

    def log_text(self):
        if not os.path.exists(self.log_file):
            return ""
        with open(self.log_file, errors="replace") as f:
            return f.read()

    def log_tail(self, lines=60):
        return "--- seshat log\n" + "".join(self.log_text().splitlines(True)[-lines:])

    def wait_log(self, needle, deadline):
        """Polls the log file until `needle` appears (readiness, not synchronisation)."""
        while needle not in self.log_text():
            if not self.running:
                raise RuntimeError(f"seshat exited with {self._process.returncode}\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"no '{needle}' in the seshat log\n{self.log_tail()}")
            time.sleep(0.01)

    def wait_log_count(self, needle, count, timeout=10.0):
        """Polls the log file until `needle` appears at least `count` times; returns the text."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.log_text()
            if text.count(needle) >= count:
                return text
            if time.monotonic() > deadline:
                raise TimeoutError(f"'{needle}' not {count} times in the seshat log\n"
                                   f"{self.log_tail()}")
            time.sleep(0.01)

    def wait_outbox_confirmed(self, timeout=10.0):
        """Polls the database until the XMPP server confirmed every message the bot sent to
        operators (no outbox row left undelivered). A test that kills the XMPP server waits for
        this first: a message in flight at the kill is sent again after the reconnect, with the
        same id (at least once), so only confirmed traffic can be asserted to arrive exactly once."""
        import sqlite3
        deadline = time.monotonic() + timeout
        while True:
            db = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
            try:
                (left,) = db.execute("SELECT count(*) FROM outbox WHERE delivered = 0").fetchone()
            finally:
                db.close()
            if left == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{left} outbox messages still unconfirmed\n{self.log_tail()}")
            time.sleep(0.01)

    def _wait_healthy(self, deadline, wait_xmpp):
        while True:
            if not self.running:
                raise RuntimeError(f"seshat exited with {self._process.returncode}\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.root_url("/healthz"), timeout=1) as response:
                    body = json.loads(response.read())
                    if not wait_xmpp or response.status == 200:
                        return body
            except urllib.error.HTTPError as error:
                if not wait_xmpp:  # answering, if failing (503): the XMPP link is not up
                    return json.loads(error.read() or b"null")
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"seshat did not become healthy\n{self.log_tail()}")
            time.sleep(0.01)
