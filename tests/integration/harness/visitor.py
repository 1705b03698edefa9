"""A visitor in a test: the HTTP API of design.md, through urllib only.

    visitor = Visitor(app)                    # app: a harness.seshat.Seshat
    visitor.start("customer")                 # POST /api/chats -> id, token
    visitor.send("Hi!")                       # POST /api/chats/{id}/messages
    visitor.expect("Your chat has started.")  # long-polls until that text arrives (or fails)
    visitor.close()
"""

import json
import time
import urllib.error
import urllib.request

DEFAULT_TIMEOUT = 10.0


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def request(url, method="GET", body=None, token=None, headers=None, timeout=30):
    """Returns (status, parsed JSON body); raises ApiError for 4xx/5xx."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode(errors="replace")
        raise ApiError(error.code, parsed) from None


class Visitor:
    def __init__(self, app):
        self.app = app
        self.id = None
        self.token = None
        self.after = 0
        self.status = None
        self.seen = []  # every message read, in order: dicts with seq, from, text, at

    def start(self, name="customer", message=None, page=None, email=None):
        body = {"name": name}
        if email is not None:
            body["email"] = email
        if message is not None:
            body["message"] = message
        if page is not None:
            body["page"] = page
        status, reply = request(self.app.url("/api/chats"), "POST", body)
        assert status == 201, (status, reply)
        self.id, self.token = reply["id"], reply["token"]
        return self.id

    def send(self, text):
        status, reply = request(self.app.url(f"/api/chats/{self.id}/messages"), "POST",
                                {"text": text}, token=self.token)
        assert status == 202, (status, reply)
        return reply["seq"]

    def close(self):
        return request(self.app.url(f"/api/chats/{self.id}/close"), "POST", {}, token=self.token)

    def poll(self, wait=0):
        """One long-poll: returns the new messages (and records them in `seen`)."""
        _, reply = request(self.app.url(f"/api/chats/{self.id}/messages?after={self.after}&wait={wait}"),
                           token=self.token, timeout=wait + 10)
        self.status = reply["status"]
        for message in reply["messages"]:
            assert message["seq"] > self.after, f"seq {message['seq']} after {self.after}: shown twice"
            self.after = message["seq"]
            self.seen.append(message)
        return reply["messages"]

    def expect(self, text_or_predicate, timeout=DEFAULT_TIMEOUT, sender=None):
        """Waits (long-polling) for the next message matching; returns it. Messages before it
        that do not match are skipped but kept in `seen`."""
        match = text_or_predicate if callable(text_or_predicate) else (lambda t: t == text_or_predicate)
        deadline = time.monotonic() + timeout
        pending = list(getattr(self, "_unread", []))
        while True:
            while pending:
                message = pending.pop(0)
                if (sender is None or message["from"] == sender) and match(message["text"]):
                    self._unread = pending
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"visitor of chat {self.id} did not get {text_or_predicate!r}; "
                                     f"saw {[m['text'] for m in self.seen]}")
            pending = self.poll(wait=max(1, min(int(remaining), 20)))

    def texts(self):
        return [(m["from"], m["text"]) for m in self.seen]
