"""A real headless Chromium for one test, driven by driver.mjs (playwright-core) over JSON lines.

    browser = Browser()                      # fails clearly if chromium or playwright-core is missing
    browser.start()
    browser.goto(app.url("/"))
    browser.click("[data-seshat-open]")
    browser.wait_for("[data-seshat-log] [data-from=system]", text="Your chat has started.")
    browser.texts("[data-seshat-log] [data-from]")   # [{"from": "system", "text": "..."}, ...]
    browser.close()

Every command returns the driver's result or raises BrowserError with the driver's message.
Waits happen inside the browser (Playwright's waitForFunction); this side only reads answers,
each with a deadline a little past the command's own timeout.
"""

import copy
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = "/usr/bin/chromium"
NODE = shutil.which("node") or "/usr/bin/node"
DEFAULT_TIMEOUT = 10.0
# The widget's message text inside each [data-from] element (the rest is author and time).
MESSAGE_TEXT = ".seshat-text"


class BrowserError(AssertionError):
    pass


def missing_dependencies():
    """A one-line reason why the browser cannot run here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing: run scripts/install-deps.sh (apt package chromium)"
    if not os.path.isfile(NODE):
        return "node is missing: run scripts/install-deps.sh (apt package nodejs)"
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        return (f"{HERE}/node_modules/playwright-core is missing: "
                f"run scripts/install-deps.sh (or `cd tests/browser && npm install`)")
    return None


class Browser:
    def __init__(self, locale=None):
        self._process = None
        self._answers = queue.Queue()
        self._ids = [0]  # shared by every tab's view of this browser
        self._page = 0
        self._locale = locale
        self._dir = None
        self._stderr = None
        self.version = None

    # --- life cycle ---

    def start(self, timeout=30.0):
        reason = missing_dependencies()
        if reason:
            raise BrowserError(f"cannot run browser tests: {reason}")
        self._dir = tempfile.mkdtemp(prefix="seshat-browser-")
        self._stderr = open(os.path.join(self._dir, "driver.log"), "wb")
        self._process = subprocess.Popen(
            [NODE, os.path.join(HERE, "driver.mjs"), "--executable", CHROMIUM,
             "--user-data-dir", os.path.join(self._dir, "profile")]
            + (["--locale", self._locale] if self._locale else []),
            cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            text=True, bufsize=1)
        threading.Thread(target=self._read, name="browser-driver", daemon=True).start()
        ready = self._next_answer(timeout, "start")
        if not ready.get("ready"):
            raise BrowserError(f"driver did not start: {ready}\n{self.driver_log()}")
        self.version = ready.get("version")
        return self

    def close(self):
        if self._process is None:
            return
        if self._process.poll() is None:
            try:
                self._command("close", timeout=10)
            except BrowserError:
                pass
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process.stdin.close()
        self._process.stdout.close()
        self._process = None
        self._stderr.close()
        if not os.environ.get("SESHAT_KEEP_TMP"):
            shutil.rmtree(self._dir, ignore_errors=True)

    def driver_log(self):
        path = os.path.join(self._dir or "", "driver.log")
        if not os.path.exists(path):
            return ""
        with open(path, errors="replace") as f:
            return "--- browser driver log\n" + f.read()[-4000:]

    # --- commands (one method each; timeouts in seconds) ---

    def goto(self, url, timeout=DEFAULT_TIMEOUT):
        """Loads `url` and waits for its load event; returns the HTTP status."""
        return self._command("goto", url=url, timeout=timeout)

    def init_script(self, script):
        """Runs `script` in every page before the page's own scripts (from the next load on)."""
        return self._command("init_script", script=script)

    def click(self, selector, timeout=DEFAULT_TIMEOUT):
        return self._command("click", selector=selector, timeout=timeout)

    def fill(self, selector, value, timeout=DEFAULT_TIMEOUT):
        return self._command("fill", selector=selector, value=value, timeout=timeout)

    def press(self, selector, key, timeout=DEFAULT_TIMEOUT):
        return self._command("press", selector=selector, key=key, timeout=timeout)

    def wait_for(self, selector, text=None, contains=False, text_selector=MESSAGE_TEXT,
                 timeout=DEFAULT_TIMEOUT):
        """Waits until an element matches `selector`; with `text`, one whose message text equals
        it (or contains it)."""
        return self._command("wait_for", selector=selector, text=text, contains=contains,
                             text_selector=text_selector, timeout=timeout)

    def wait_function(self, expression, arg=None, timeout=DEFAULT_TIMEOUT):
        """Waits until the function body `expression` (of `arg`) returns truthy; returns that."""
        return self._command("wait_function", expression=expression, arg=arg, timeout=timeout)

    def texts(self, selector, text_selector=MESSAGE_TEXT):
        """[{"from": data-from, "text": message text}] of every element matching, in DOM order."""
        return self._command("texts", selector=selector, text_selector=text_selector)

    def count(self, selector):
        return self._command("count", selector=selector)

    def attr(self, selector, name):
        """The attribute of the first element matching (None if absent or no element)."""
        return self._command("attr", selector=selector, name=name)

    def eval(self, expression):
        """The JSON value of a JavaScript expression evaluated in the page."""
        return self._command("eval", expression=expression)

    def reload(self, wait=True, timeout=DEFAULT_TIMEOUT):
        """Reloads the page; with wait=False returns at once (finish with wait_load)."""
        return self._command("reload", wait=wait, timeout=timeout)

    def wait_load(self, timeout=DEFAULT_TIMEOUT):
        """Waits for the load event of a reload(wait=False); returns the HTTP status."""
        return self._command("wait_load", timeout=timeout)

    def hold(self, url_glob):
        """From now on, requests whose URL matches the glob wait until release(url_glob)."""
        return self._command("hold", url=url_glob)

    def wait_held(self, url_glob, timeout=DEFAULT_TIMEOUT):
        """Waits until a request for url_glob is being held; returns how many are."""
        return self._command("wait_held", url=url_glob, timeout=timeout)

    def release(self, url_glob):
        """Lets the held requests go on and stops holding; returns how many were held."""
        return self._command("release", url=url_glob)

    def new_page(self):
        """Another tab of the same browser (same storage); returns a Browser acting on it."""
        view = copy.copy(self)
        view._page = self._command("new_page")
        return view

    def close_page(self):
        return self._command("close_page")

    def viewport(self, width, height):
        return self._command("viewport", width=width, height=height)

    def color_scheme(self, scheme):
        """Emulates prefers-color-scheme: "dark", "light" or None."""
        return self._command("color_scheme", scheme=scheme)

    def keyboard(self, key=None, text=None, delay=0):
        """Presses `key` (e.g. "Tab", "Enter") or types `text` where the focus is."""
        return self._command("keyboard", key=key, text=text, delay=delay)

    def delay_requests(self, url_glob, ms):
        """From now on, requests matching the glob reach the network `ms` milliseconds later."""
        return self._command("delay_requests", url=url_glob, ms=ms)

    def lose_answers(self, url_glob, count, method="POST"):
        """The next `count` matching requests reach the server; their answers never arrive."""
        return self._command("lose_answers", url=url_glob, count=count, method=method)

    def fail_requests(self, url_glob, count, method="POST"):
        """The next `count` matching requests fail as if the network were down."""
        return self._command("fail_requests", url=url_glob, count=count, method=method)

    def axe(self, timeout=30):
        """axe-core's serious and critical violations on the page: [{"id", "impact", "help", "nodes"}]."""
        return self._command("axe", timeout=timeout)

    def requests(self):
        """[{"method", "url"}] of every request the page made so far."""
        return self._command("requests")

    def screenshot(self, path, full_page=False):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return self._command("screenshot", path=os.path.abspath(path), full_page=full_page)

    def journal(self):
        """What the page logged on its own: [{"kind": "console.error"|"pageerror"|..., "text"}]."""
        return self._command("journal")

    # --- internals ---

    def _command(self, cmd, timeout=DEFAULT_TIMEOUT, **args):
        if self._process is None or self._process.poll() is not None:
            raise BrowserError(f"browser driver is not running ({cmd})\n{self.driver_log()}")
        self._ids[0] += 1
        request = {"id": self._ids[0], "cmd": cmd, "timeout": timeout, "page": self._page, **args}
        try:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise BrowserError(f"browser driver is gone ({cmd}): {error}\n{self.driver_log()}")
        reply = self._next_answer(timeout + 10, cmd)
        if reply.get("id") != self._ids[0]:
            raise BrowserError(f"answer out of order for {cmd}: {reply}")
        if not reply.get("ok"):
            raise BrowserError(f"{cmd} {args}: {reply.get('error')}")
        return reply.get("result")

    def _next_answer(self, timeout, what):
        try:
            reply = self._answers.get(timeout=timeout)
        except queue.Empty:
            raise BrowserError(f"no answer from the browser driver to {what} within {timeout}s\n"
                               f"{self.driver_log()}")
        if reply is None:
            raise BrowserError(f"browser driver exited during {what}\n{self.driver_log()}")
        return reply

    def _read(self):
        for line in self._process.stdout:
            line = line.strip()
            if line:
                try:
                    self._answers.put(json.loads(line))
                except ValueError:
                    self._answers.put({"ok": False, "error": f"driver wrote {line!r}"})
        self._answers.put(None)
