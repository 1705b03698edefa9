"""Every HTTP response a test sees, checked against the API's one description, docs/openapi.json
(OpenAPI 3.1): the path and method must be documented, the status must be one the operation
lists, and a JSON body must match its schema (JSON Schema 2020-12, python3-jsonschema). So the
document, the code and README cannot drift apart unnoticed.

    from harness import openapi
    openapi.watch(port)          # every http.client/urllib response from 127.0.0.1:port
    openapi.check_event("status", '{"status":"open"}')   # one SSE event's data
    openapi.assert_clean()       # at the end: no mismatch was seen (also on other threads)

A mismatch raises ContractError (an AssertionError) naming the request and what differs, and is
kept for assert_clean(). watch() hooks http.client (which urllib uses too), so every response
a test reads through them is checked, whoever made the request. Used by tests/api/api_test.py
and the integration harness (seshat.py watches each gateway it starts; stream.py checks events).
"""

import http.client
import io
import json
import os
import re
import threading
from urllib.parse import urlsplit

import jsonschema

DOCUMENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "docs",
                        "openapi.json")

# Statuses the gateway may answer before it looked at the path (malformed HTTP, body or
# headers too large, a transfer coding it does not take, a connection cap).
BEFORE_ROUTING = {400, 413, 429, 431, 501, 503}


class ContractError(AssertionError):
    pass


class Contract:
    def __init__(self, path=DOCUMENT):
        with open(path, encoding="utf-8") as f:
            self.doc = json.load(f)
        self.prefix = self.doc["servers"][0]["url"].rstrip("/")
        self.routes = []  # (regex, template, path item, full path outside the prefix?)
        for template, item in self.doc["paths"].items():
            outside = any(server["url"] == "/" for server in item.get("servers", []))
            pattern = re.escape(template).replace(re.escape("{id}"), "[1-9][0-9]*")
            self.routes.append((re.compile(pattern + r"\Z"), template, item, outside))
        self.checked = 0
        self._lock = threading.Lock()
        self._validators = {}

    def _validator(self, schema):
        key = json.dumps(schema, sort_keys=True)
        with self._lock:
            if key not in self._validators:
                root = dict(schema)
                root["components"] = self.doc["components"]  # so "#/components/..." resolves
                self._validators[key] = jsonschema.Draft202012Validator(root)
            return self._validators[key]

    def _route(self, path, prefix):
        if path == prefix:  # the prefix without its slash: documented with "/" (a redirect)
            path += "/"
        for regex, template, item, outside in self.routes:
            if outside:
                if regex.match(path):
                    return template, item
            elif path.startswith(prefix) and regex.match(path[len(prefix):]):
                return template, item
        return None, None

    def _schema_check(self, schema, value, what):
        errors = sorted(self._validator(schema).iter_errors(value), key=lambda e: list(e.path))
        if errors:
            details = "; ".join(f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message}"
                                for e in errors[:5])
            raise ContractError(f"{what} does not match docs/openapi.json: {details}")

    def check(self, method, url, status, content_type, body, prefix=None):
        """`url`: a full URL or a path (with query); `body`: bytes, str or an already parsed
        JSON value (dict/list); `content_type` may be None when the body is empty."""
        prefix = (self.prefix if prefix is None else prefix).rstrip("/")
        path = urlsplit(url).path
        what = f"{method} {path} -> {status}"
        template, item = self._route(path, prefix)
        if item is None:
            if status != 404 and status not in BEFORE_ROUTING:
                raise ContractError(f"{what}: the path is not in docs/openapi.json")
            return self._error_body(what, content_type, body)
        operation = item.get("head" if method == "HEAD" and "head" in item else
                             "get" if method == "HEAD" else method.lower())
        if operation is None:
            if status != 405 and status not in BEFORE_ROUTING:
                raise ContractError(f"{what}: {method} is not documented for {template}")
            return self._error_body(what, content_type, body)
        responses = operation["responses"]
        response = responses.get(str(status)) or responses.get("default")
        if response is None:
            raise ContractError(f"{what}: status {status} is not documented for "
                                f"{method} {template} (documented: {', '.join(responses)})")
        response = self._resolve(response)
        content = response.get("content")
        if method == "HEAD" or not content:
            if method != "HEAD" and content is None and _raw(body):
                raise ContractError(f"{what}: documented without a body, but got {_raw(body)!r:.80}")
            return self._count()
        media = (content_type or "").split(";")[0].strip().lower()
        if media not in content:
            raise ContractError(f"{what}: Content-Type {content_type!r}, documented: "
                                f"{', '.join(content)}")
        if media == "application/json":
            self._schema_check(content[media]["schema"], _parsed(body, what), what)
        return self._count()

    def check_event(self, event, data):
        """One Server-Sent Event: `event` is its name (None or "message" for a message event)
        and `data` its data line (str) or parsed value."""
        schema = {"status": "StatusEvent", "typing": "TypingEvent"}.get(event or "message",
                                                                        "Message")
        if event not in (None, "message", "status", "typing"):
            raise ContractError(f"event {event!r} is not documented")
        self._schema_check({"$ref": f"#/components/schemas/{schema}"}, _parsed(data, event),
                           f"event {event or 'message'}")
        self._count()

    def _error_body(self, what, content_type, body):
        if not _raw(body):
            return self._count()  # a HEAD, or a refusal written without a body
        media = (content_type or "").split(";")[0].strip().lower()
        if media != "application/json":
            raise ContractError(f"{what}: an error must be JSON, got {content_type!r}")
        self._schema_check({"$ref": "#/components/schemas/Error"}, _parsed(body, what), what)
        return self._count()

    def _resolve(self, response):
        while "$ref" in response:
            node = self.doc
            for part in response["$ref"].lstrip("#/").split("/"):
                node = node[part]
            response = node
        return response

    def _count(self):
        with self._lock:
            self.checked += 1


def _raw(body):
    if body is None:
        return b""
    if isinstance(body, (dict, list, bool, int, float)):
        return json.dumps(body).encode()
    return body.encode() if isinstance(body, str) else bytes(body)


def _parsed(body, what):
    if isinstance(body, (dict, list, bool, int, float)) or body is None:
        return body
    try:
        return json.loads(body)
    except ValueError:
        raise ContractError(f"{what}: the body is not JSON: {_raw(body)!r:.80}") from None


CONTRACT = Contract()
_watched = {}  # port -> prefix
_failures = []
_hooked = False


def check(*args, **kwargs):
    try:
        CONTRACT.check(*args, **kwargs)
    except ContractError as error:
        _failures.append(error)
        raise


def check_event(event, data):
    try:
        CONTRACT.check_event(event, data)
    except ContractError as error:
        _failures.append(error)
        raise


def mark():
    """A point to give assert_clean(): mismatches before it are another test's."""
    return len(_failures)


def assert_clean(since=0):
    """Raises the first mismatch seen since `since` (on any thread), if any."""
    failures = _failures[since:]
    if failures:
        raise ContractError(f"{len(failures)} response(s) did not match docs/openapi.json; "
                            f"the first: {failures[0]}")


def checked():
    """How many responses and events were checked."""
    return CONTRACT.checked


def watch(port, prefix=None):
    """Checks every response that http.client (or urllib) reads from 127.0.0.1:`port` from now
    on: status and Content-Type always, the body unless it is an event stream."""
    global _hooked
    _watched[port] = prefix
    if _hooked:
        return
    _hooked = True
    original_putrequest = http.client.HTTPConnection.putrequest
    original_getresponse = http.client.HTTPConnection.getresponse

    def putrequest(self, method, url, *args, **kwargs):
        self._seshat_request = (method, url)
        return original_putrequest(self, method, url, *args, **kwargs)

    def getresponse(self):
        response = original_getresponse(self)
        request = getattr(self, "_seshat_request", None)
        if request is None or self.port not in _watched or self.host not in ("127.0.0.1",
                                                                               "localhost"):
            return response
        method, url = request
        content_type = response.getheader("Content-Type")
        if (content_type or "").startswith("text/event-stream"):
            check(method, url, response.status, content_type, None, prefix=_watched[self.port])
            return response
        body = response.read()
        # Give the caller the body again, as if nobody had read it.
        response.fp = io.BytesIO(body)
        response.length = len(body)
        response.chunked = False
        check(method, url, response.status, content_type, body, prefix=_watched[self.port])
        return response

    http.client.HTTPConnection.putrequest = putrequest
    http.client.HTTPConnection.getresponse = getresponse


def unwatch(port):
    _watched.pop(port, None)
