"""A real SMTP server for one test: aiosmtpd (Debian's python3-aiosmtpd) on 127.0.0.1, writing
every message it accepts to a directory.

    mailbox = Mailbox()                  # a free port, nothing listening yet
    mailbox.start()                      # aiosmtpd's Controller, in a thread of its own
    app = Seshat(..., extra=mailbox.config(mail_from="support@shop.example"))
    mail = mailbox.wait_for(1)[0]        # email.message.EmailMessage, parsed from the file
    mailbox.hold()                       # from now on: write the message, then keep the
    mailbox.release()                    #   client waiting for "250" until release()
    mailbox.stop(); mailbox.start()      # down, then up again on the same port

The files are the message bytes exactly as DATA carried them (dot-stuffing already undone by
the server), one per message, named 0001.eml, 0002.eml, ...; `envelopes` keeps each one's
MAIL FROM and RCPT TO.
"""

import asyncio
import email
import email.policy
import os
import shutil
import tempfile
import threading
import time

from aiosmtpd.controller import Controller

from harness.prosody import HOST, free_port


class _Handler:
    def __init__(self, mailbox):
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):
        self.mailbox._store(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        while self.mailbox._holding.is_set():
            await asyncio.sleep(0.01)
        return "250 Message accepted for delivery"


class Mailbox:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="seshat-mailbox-")
        self.envelopes = []  # (mail_from, rcpt_tos) per stored message, in order
        self._lock = threading.Lock()
        self._holding = threading.Event()
        self._controller = None

    def config(self, mail_from="Shop Support <support@shop.example>", **keys):
        """The seshat configuration keys that send mail here."""
        values = {"smtp": f"smtp://{HOST}:{self.port}", "smtp_tls": "off", "mail_from": mail_from}
        values.update(keys)
        return values

    def start(self):
        self._controller = Controller(_Handler(self), hostname=HOST, port=self.port)
        self._controller.start()
        return self

    def stop(self):
        self.release()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def close(self):
        self.stop()
        if not os.environ.get("SESHAT_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def hold(self):
        """Messages still arrive and are written, but the client waits for its "250"."""
        self._holding.set()

    def release(self):
        self._holding.clear()

    def _store(self, mail_from, rcpt_tos, content):
        with self._lock:
            self.envelopes.append((mail_from, rcpt_tos))
            name = os.path.join(self.dir, f"{len(self.envelopes):04d}.eml")
            with open(name + ".part", "wb") as f:
                f.write(content if isinstance(content, bytes) else content.encode())
            os.rename(name + ".part", name)

    def raw(self):
        """The stored messages' bytes, oldest first."""
        names = sorted(n for n in os.listdir(self.dir) if n.endswith(".eml"))
        result = []
        for name in names:
            with open(os.path.join(self.dir, name), "rb") as f:
                result.append(f.read())
        return result

    def messages(self):
        return [email.message_from_bytes(data, policy=email.policy.default) for data in self.raw()]

    def wait_for(self, count, timeout=20.0):
        """Polls the directory until it holds at least `count` messages; returns them all."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages()
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} mails arrived, not {count}")
            time.sleep(0.02)


# --- helpers for the mail scenarios ---

def start_chat(app, name="Ann", message=None, email=None):
    """A visitor who gives an email address (POST /api/chats with "email"); returns the Visitor,
    which has read nothing (so the page counts as gone after visitor_grace)."""
    from harness.visitor import Visitor, request
    body = {"name": name}
    if message is not None:
        body["message"] = message
    if email is not None:
        body["email"] = email
    status, reply = request(app.url("/api/chats"), "POST", body)
    assert status == 201, (status, reply)
    visitor = Visitor(app)
    visitor.id, visitor.token = reply["id"], reply["token"]
    return visitor


def metric(app, name, labels=""):
    """One value of GET /metrics (0 when the metric is not there yet)."""
    import re
    import urllib.request
    with urllib.request.urlopen(app.root_url("/metrics"), timeout=5) as response:
        text = response.read().decode()
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def wait_metric(app, name, value, timeout=20.0, labels=""):
    deadline = time.monotonic() + timeout
    while True:
        current = metric(app, name, labels)
        if current == value:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name}{labels} is {current}, not {value}\n{app.log_tail()}")
        time.sleep(0.02)


def body_text(message):
    """The decoded text/plain body of a parsed mail."""
    return message.get_content().replace("\r\n", "\n")
