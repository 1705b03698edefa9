#!/usr/bin/env python3
"""The visitors' HTTP API over a real socket, against a real Gateway (gateway_test_server) on a
temporary SQLite database. The test server stands in for the broker through commands on its
stdin ("operator ID TEXT", "accept ID", ...). Every response read through http.client and every
event is also checked against docs/openapi.json (tests/integration/harness/openapi.py, which needs
python3-jsonschema); the run fails if one does not match.

    api_test.py --server build/tests/api/gateway_test_server --web-root web [unittest args]
"""

import argparse
import http.client
import json
import os
import re
import resource
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import openapi  # noqa: E402

SERVER = None
WEB_ROOT = None
ALLOWED_ORIGIN = "http://allowed.example"



def without_position(reply):
    """A waiting chat's reply without its "position" (which depends on the other tests' chats
    in the shared database), once checked to be a place in the queue."""
    reply = dict(reply)
    position = reply.pop("position")
    assert isinstance(position, int) and position >= 1, position
    return reply

class GatewayProcess:
    """One gateway_test_server process; commands go to its stdin, answers come from stdout."""

    def __init__(self, *options, max_files=None, stderr=None):
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (max_files, max_files))) \
            if max_files else None
        self.process = subprocess.Popen(
            [SERVER, "--web-root", WEB_ROOT, *options],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, preexec_fn=limit,
            stderr=stderr)
        line = self.process.stdout.readline()
        match = re.fullmatch(r"port (\d+)\n", line)
        if not match:
            raise RuntimeError(f"test server did not start: {line!r}")
        self.port = int(match.group(1))
        openapi.watch(self.port)

    def command(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if not answer.startswith("ok"):
            raise AssertionError(f"command {line!r} failed: {answer!r}")
        return answer

    def cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, timeout=10):
        if self.process.poll() is None:
            self.process.stdin.write("stop\n")
            self.process.stdin.flush()
            self.process.stdin.close()
        code = self.process.wait(timeout=timeout)
        self.process.stdout.close()
        return code


class Reply:
    def __init__(self, response):
        self.status = response.status
        self.headers = response.headers
        self.raw = response.read()

    def json(self):
        return json.loads(self.raw)


class ApiTestCase(unittest.TestCase):
    options = ("--chats-per-minute", "1000", "--origin", ALLOWED_ORIGIN, "--io-threads", "2")

    @classmethod
    def setUpClass(cls):
        cls.server = GatewayProcess(*cls.options)

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        if code != 0:
            raise AssertionError(f"the test server exited with {code}")

    def connection(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, token=None, timeout=10):
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            return Reply(conn.getresponse())
        finally:
            conn.close()

    def api(self, method, path, body=None, **kwargs):
        return self.request(method, "/seshat/api" + path, body, **kwargs)

    def start_chat(self, name="customer", message=None):
        body = {"name": name}
        if message is not None:
            body["message"] = message
        reply = self.api("POST", "/chats", body)
        self.assertEqual(reply.status, 201, reply.raw)
        ticket = reply.json()
        return ticket["id"], ticket["token"]

    def assert_error(self, reply, status, sentence=None):
        self.assertEqual(reply.status, status, reply.raw)
        self.assertTrue(reply.headers["Content-Type"].startswith("application/json"))
        body = reply.json()
        self.assertEqual(list(body), ["error"])
        self.assertTrue(body["error"].endswith("."), body)
        if sentence is not None:
            self.assertEqual(body["error"], sentence)

    def metric(self, name):
        text = self.request("GET", "/metrics").raw.decode()
        match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
        return float(match.group(1))

    def await_metric(self, name, value, timeout=5):
        """Waits for a gauge to reach `value` (the server's own account of what it is doing)."""
        deadline = time.monotonic() + timeout
        while self.metric(name) != value:
            if time.monotonic() > deadline:
                self.fail(f"{name} never reached {value}")
            time.sleep(0.02)


class SseStream:
    """A raw event-stream reader: parses events as they arrive."""

    def __init__(self, port, path, headers=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.conn.request("GET", path, headers=headers or {})
        self.response = self.conn.getresponse()

    def next_event(self):
        """The next event as a dict (id, event, data, retry); None at the end of the stream."""
        event = {}
        while True:
            line = self.response.readline()
            if not line:
                return None
            line = line.decode().rstrip("\n")
            if line == "":
                if event:
                    return event
                continue
            if line.startswith(":"):
                event.setdefault("comments", []).append(line)
                continue
            field, _, value = line.partition(":")
            event[field] = value[1:] if value.startswith(" ") else value
            if field == "data":
                openapi.check_event(event.get("event"), event["data"])

    def next_message(self):
        """Skips status/retry events; returns the next message event as (id, data)."""
        while True:
            event = self.next_event()
            if event is None:
                return None
            if "id" in event:
                return int(event["id"]), json.loads(event["data"])

    def close(self):
        self.response.close()  # holds the socket too: without it the connection stays open
        self.conn.close()


class ChatsTest(ApiTestCase):
    def test_start_send_read(self):
        chat, token = self.start_chat("customer", "Hello there")
        self.assertIsInstance(chat, int)
        self.assertGreater(chat, 0)
        self.assertRegex(token, r"^[A-Za-z0-9_-]{43}$")

        reply = self.api("POST", f"/chats/{chat}/messages", {"text": "Hi!"}, token=token)
        self.assertEqual(reply.status, 202, reply.raw)
        self.assertEqual(reply.json(), {"seq": 2})

        reply = self.api("GET", f"/chats/{chat}/messages?after=0", token=token)
        self.assertEqual(reply.status, 200)
        body = reply.json()
        self.assertEqual(body["status"], "waiting")
        self.assertEqual([(m["seq"], m["from"], m["text"]) for m in body["messages"]],
                         [(1, "visitor", "Hello there"), (2, "visitor", "Hi!")])
        for message in body["messages"]:
            self.assertRegex(message["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        after = self.api("GET", f"/chats/{chat}/messages?after=1", token=token).json()
        self.assertEqual([m["seq"] for m in after["messages"]], [2])

    def test_api_headers(self):
        chat, token = self.start_chat()
        reply = self.api("GET", f"/chats/{chat}/messages", token=token)
        self.assertEqual(reply.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(reply.headers["Cache-Control"], "no-store")
        self.assertEqual(reply.headers["Content-Type"], "application/json; charset=utf-8")
        error = self.api("GET", "/chats/999999/messages", token="x")
        self.assertEqual(error.headers["Cache-Control"], "no-store")

    def test_a_retry_with_the_same_client_id_answers_the_same_seq_and_stores_nothing(self):
        chat, token = self.start_chat()
        path = f"/chats/{chat}/messages"
        first = self.api("POST", path, {"text": "first question", "client_id": "k1"}, token=token)
        self.assertEqual((first.status, first.json()), (202, {"seq": 1}), first.raw)
        again = self.api("POST", path, {"text": "first question", "client_id": "k1"}, token=token)
        self.assertEqual((again.status, again.json()), (202, {"seq": 1}), again.raw)
        # Retries racing each other on separate connections: still one message.
        answers = []
        def retry():
            answers.append(self.api("POST", path, {"text": "second", "client_id": "k2"},
                                    token=token).json())
        threads = [threading.Thread(target=retry) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(answers, [{"seq": 2}] * 8)
        self.assertEqual(self.api("POST", path, {"text": "third"}, token=token).json(), {"seq": 3})
        body = self.api("GET", path, token=token).json()
        self.assertEqual([(m["seq"], m["text"]) for m in body["messages"]],
                         [(1, "first question"), (2, "second"), (3, "third")])

    def test_400_for_a_bad_client_id_and_nothing_stored(self):
        chat, token = self.start_chat()
        path = f"/chats/{chat}/messages"
        for bad in ["", "x" * 65, "has space", "caf\u00e9"]:
            with self.subTest(client_id=bad):
                self.assert_error(self.api("POST", path, {"text": "hi", "client_id": bad},
                                           token=token), 400)
        self.assert_error(self.api("POST", path, {"text": "hi", "client_id": 7}, token=token), 400,
                          "The field 'client_id' must be a string.")
        self.assertEqual(self.api("POST", path, {"text": "ok", "client_id": "y" * 64},
                                  token=token).json(), {"seq": 1})
        self.assertEqual(len(self.api("GET", path, token=token).json()["messages"]), 1)

    def test_language_is_checked(self):
        for good in ["de", "pt-BR", "zh-Hant-TW"]:
            with self.subTest(language=good):
                reply = self.api("POST", "/chats", {"name": "c", "language": good})
                self.assertEqual(reply.status, 201, reply.raw)
        for bad in ["d", "de_DE", "-de", "de-", "x" * 40, 5]:
            with self.subTest(language=bad):
                self.assert_error(self.api("POST", "/chats", {"name": "c", "language": bad}), 400)

    def test_html_is_stored_verbatim_and_returned_as_a_json_string(self):
        chat, token = self.start_chat()
        text = "<script>alert('x')</script> & <b>bold</b> \u00e9\u4e2d\U0001F600\nline two"
        self.assertEqual(
            self.api("POST", f"/chats/{chat}/messages", {"text": text}, token=token).status, 202)
        self.server.command(f"operator {chat} <img src=x onerror=alert(1)>")
        reply = self.api("GET", f"/chats/{chat}/messages", token=token)
        texts = [m["text"] for m in reply.json()["messages"]]
        self.assertEqual(texts, [text, "<img src=x onerror=alert(1)>"])
        self.assertIn(b'"<script>alert(\'x\')</script> & <b>bold</b>', reply.raw)
        self.assertNotIn(b"&lt;", reply.raw)

    def test_close(self):
        chat, token = self.start_chat()
        reply = self.api("POST", f"/chats/{chat}/close", token=token)
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(reply.json(), {"status": "closed"})
        body = self.api("GET", f"/chats/{chat}/messages", token=token).json()
        self.assertEqual(body["status"], "closed")
        self.assertEqual(body["messages"][-1]["from"], "system")
        self.assertEqual(body["messages"][-1]["text"], "The chat is now closed.")
        self.assert_error(self.api("POST", f"/chats/{chat}/close", token=token), 409)
        self.assert_error(
            self.api("POST", f"/chats/{chat}/messages", {"text": "still there?"}, token=token), 409)

    def test_availability(self):
        reply = self.api("GET", "/availability")
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.headers["Cache-Control"], "no-store")
        self.assertEqual(reply.json(), {"available": False, "operators": 0, "free": 0, "mail": False})
        self.server.command("online joe@localhost")
        self.assertEqual(self.api("GET", "/availability").json(),
                         {"available": True, "operators": 1, "free": 1, "mail": False})


    def test_position_in_the_queue_while_waiting(self):
        first, first_token = self.start_chat()
        second, second_token = self.start_chat()

        def read(chat, token):
            reply = self.api("GET", f"/chats/{chat}/messages", token=token)
            self.assertEqual(reply.status, 200)
            return reply.json()

        before = read(first, first_token)["position"]
        self.assertEqual(read(second, second_token)["position"], before + 1)
        self.server.command(f"accept {first}")
        opened = read(first, first_token)
        self.assertEqual(opened["status"], "open")
        self.assertNotIn("position", opened)
        self.assertEqual(read(second, second_token)["position"], before)

class ErrorsTest(ApiTestCase):
    def test_400_bad_json_and_fields(self):
        cases = [
            (b"{not json", "The request body is not valid JSON."),
            (b"", "The request body is empty; a JSON object is expected."),
            (b"[]", "The request body must be a JSON object."),
            (b"{}", "The field 'name' is required."),
            (b'{"name": 42}', "The field 'name' must be a string."),
            (b'{"name": "   "}', None),
            (b'{"name": "a\\nb"}', None),
            (b'{"name": "\xff\xfe"}', "The request body is not valid UTF-8."),
            (b'{"name": "a", "email": 5}', "The field 'email' must be a string."),
            (b'{"name": "a", "email": "a@b.example, c@d.example"}',
             "The email address must not contain spaces."),
            (b'{"name": "a", "email": "a@b.example\\r\\nBcc: c@d.example"}',
             "The email address must be a single line without control characters."),
            (b'{"name": "a", "email": "nobody"}',
             "The email address must be one address (like name@example.com)."),
        ]
        for body, sentence in cases:
            with self.subTest(body=body):
                self.assert_error(self.api("POST", "/chats", body), 400, sentence)

    def test_400_messages(self):
        chat, token = self.start_chat()
        path = f"/chats/{chat}/messages"
        self.assert_error(self.api("POST", path, {"text": 5}, token=token), 400,
                          "The field 'text' must be a string.")
        self.assert_error(self.api("POST", path, {"text": "  "}, token=token), 400)
        self.assert_error(self.api("POST", path, b'{"text":"\xc3\x28"}', token=token), 400,
                          "The request body is not valid UTF-8.")
        self.assert_error(self.api("POST", path, b'{"text":"\xed\xa0\x80"}', token=token), 400,
                          "The request body is not valid UTF-8.")
        self.assert_error(self.api("POST", path, {"text": "bell \u0007"}, token=token), 400)
        self.assert_error(self.api("GET", path + "?after=-1", token=token), 400)
        self.assert_error(self.api("GET", path + "?wait=soon", token=token), 400,
                          "The parameter 'wait' must be a whole number, 0 or more.")
        self.assertEqual(self.api("GET", path, token=token).json()["messages"], [])

    def test_401_403_404(self):
        chat, token = self.start_chat()
        path = f"/chats/{chat}/messages"
        self.assert_error(self.api("GET", path), 401, "A chat token is required.")
        self.assert_error(self.api("POST", path, {"text": "x"}), 401)
        self.assert_error(self.api("GET", path, headers={"Authorization": f"Basic {token}"}), 401)
        self.assert_error(self.api("GET", path, token=token[:-1] + ("A" if token[-1] != "A" else "B")),
                          403, "The chat token is not valid for this chat.")
        self.assert_error(self.api("GET", "/chats/987654321/messages", token=token), 404,
                          "There is no such chat.")
        for bad in ["/chats/0/messages", "/chats/-1/messages", "/chats/abc/messages",
                    "/chats/1.5/messages", "/chats/1/nothing", "/nothing"]:
            with self.subTest(path=bad):
                self.assert_error(self.api("GET", bad, token=token), 404)
        self.assert_error(self.request("GET", "/elsewhere"), 404)

    def test_one_visitor_cannot_touch_another_chat(self):
        chat_a, token_a = self.start_chat("alice")
        chat_b, token_b = self.start_chat("bob", "private to bob")
        self.assert_error(self.api("GET", f"/chats/{chat_b}/messages", token=token_a), 403)
        self.assert_error(
            self.api("POST", f"/chats/{chat_b}/messages", {"text": "hi"}, token=token_a), 403)
        self.assert_error(self.api("POST", f"/chats/{chat_b}/close", token=token_a), 403)
        self.assert_error(
            self.api("GET", f"/chats/{chat_b}/events?token={token_a}"), 403)
        body = self.api("GET", f"/chats/{chat_b}/messages", token=token_b).json()
        self.assertEqual([m["text"] for m in body["messages"]], ["private to bob"])
        self.assertEqual(body["status"], "waiting")

    def test_405(self):
        reply = self.api("GET", "/chats")
        self.assert_error(reply, 405)
        self.assertEqual(reply.headers["Allow"], "POST, OPTIONS")
        reply = self.api("DELETE", "/chats/1/messages")
        self.assert_error(reply, 405)
        self.assertEqual(reply.headers["Allow"], "GET, POST, OPTIONS")
        self.assert_error(self.request("POST", "/seshat/widget.js", b"x"), 405)

    def test_413_for_a_10_mb_body_without_reading_it(self):
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as sock:
            sock.sendall(b"POST /seshat/api/chats HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\n"
                         b"Content-Length: 10485760\r\n\r\n")
            chunk = b"x" * 65536
            sent = 0
            sock.setblocking(False)
            # Keep sending until the answer comes (or the server stops reading).
            while not select.select([sock], [], [], 0)[0] and sent < 10485760:
                if select.select([], [sock], [], 0.05)[1]:
                    try:
                        sent += sock.send(chunk)
                    except (BlockingIOError, ConnectionError):
                        break
            sock.setblocking(True)
            data = b""
            while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
                part = sock.recv(65536)
                if not part:
                    break
                data += part
        elapsed = time.monotonic() - started
        self.assertTrue(data.startswith(b"HTTP/1.1 413 "), data[:100])
        self.assertIn(b'{"error":"The request body is too large."}', data)
        self.assertLess(sent, 10485760, "the server read the whole body")
        self.assertLess(elapsed, 3)

    def test_413_for_a_long_text(self):
        chat, token = self.start_chat()
        reply = self.api("POST", f"/chats/{chat}/messages", {"text": "y" * 5000}, token=token)
        self.assertIn(reply.status, (413, 400))
        self.assert_error(reply, reply.status)
        self.assert_error(self.api("POST", "/chats", {"name": "n", "message": "z" * 20000}), 413)

    def test_400_malformed_http(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as sock:
            sock.sendall(b"GARBAGE\r\n\r\n")
            data = sock.recv(4096)
        self.assertTrue(data.startswith(b"HTTP/1.1 400 "), data)

    def test_http_1_0_is_answered_in_1_0_and_closed(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as sock:
            sock.sendall(b"GET /seshat/api/availability HTTP/1.0\r\n\r\n")
            data = b""
            while chunk := sock.recv(4096):  # the server closes after the answer
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        self.assertEqual(lines[0], b"HTTP/1.0 200 OK")
        fields = dict(line.split(b": ", 1) for line in lines[1:])
        self.assertEqual(int(fields[b"Content-Length"]), len(body))
        self.assertIn(b'"available"', body)


class OriginTest(ApiTestCase):
    def test_preflight_from_an_allowed_origin(self):
        reply = self.api("OPTIONS", "/chats", headers={
            "Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        self.assertEqual(reply.status, 204)
        self.assertEqual(reply.headers["Access-Control-Allow-Origin"], ALLOWED_ORIGIN)
        self.assertIn("POST", reply.headers["Access-Control-Allow-Methods"])
        self.assertIn("Authorization", reply.headers["Access-Control-Allow-Headers"])
        reply = self.api("POST", "/chats", {"name": "cors"}, headers={"Origin": ALLOWED_ORIGIN})
        self.assertEqual(reply.status, 201)
        self.assertEqual(reply.headers["Access-Control-Allow-Origin"], ALLOWED_ORIGIN)
        self.assertEqual(reply.headers["Vary"], "Origin")

    def test_other_origins_are_refused(self):
        evil = {"Origin": "http://evil.example"}
        self.assert_error(self.api("OPTIONS", "/chats", headers=evil), 403)
        self.assert_error(self.api("POST", "/chats", {"name": "x"}, headers=evil), 403,
                          "This website may not use the chat service.")
        self.assert_error(self.api("GET", "/availability", headers=evil), 403)
        self.assertIsNone(self.api("GET", "/availability", headers=evil)
                          .headers["Access-Control-Allow-Origin"])

    def test_same_origin_is_allowed_without_cors_headers(self):
        same = {"Origin": f"http://127.0.0.1:{self.server.port}"}
        reply = self.api("POST", "/chats", {"name": "same"}, headers=same)
        self.assertEqual(reply.status, 201)
        self.assertIsNone(reply.headers["Access-Control-Allow-Origin"])


class ContractTest(ApiTestCase):
    """docs/openapi.json itself: served as it is, with sound schemas, and strict enough that the
    checks every other test runs through it can fail."""

    def test_the_document_is_served_with_the_prefix(self):
        reply = self.api("GET", "/openapi.json")
        self.assertEqual(reply.status, 200)
        served = reply.json()
        self.assertEqual(served["openapi"], "3.1.0")
        self.assertEqual(served["servers"][0]["url"], "/seshat")
        self.assertEqual(served["paths"], openapi.CONTRACT.doc["paths"])

    def test_every_schema_is_valid_json_schema(self):
        import jsonschema
        for name, schema in openapi.CONTRACT.doc["components"]["schemas"].items():
            with self.subTest(name):
                jsonschema.Draft202012Validator.check_schema(schema)

    def test_wrong_statuses_and_shapes_are_caught(self):
        check = openapi.CONTRACT.check
        json_type = "application/json; charset=utf-8"
        check("POST", "/seshat/api/chats", 201, json_type, {"id": 1, "token": "A" * 43})
        wrong = [
            ("POST", "/seshat/api/chats", 201, json_type, {"id": 1}),             # no token
            ("POST", "/seshat/api/chats", 200, json_type, {"id": 1, "token": "A" * 43}),
            ("GET", "/seshat/api/chats/1/messages", 200, json_type,
             {"status": "ended", "messages": []}),                                # unknown status
            ("GET", "/seshat/api/chats/1/messages", 200, json_type,
             {"status": "open", "messages": [{"seq": 1, "from": "visitor", "text": "x"}]}),
            ("POST", "/seshat/api/chats/1/close", 409, json_type, {"message": "closed."}),
            ("POST", "/seshat/api/chats/1/typing", 204, json_type, {"typing": True}),
            ("GET", "/seshat/api/nothing", 200, json_type, {}),
            ("DELETE", "/seshat/api/chats", 204, None, b""),
            ("GET", "/seshat/api/availability", 200, "text/plain", b"yes"),
        ]
        for method, path, status, content_type, body in wrong:
            with self.subTest(f"{method} {path} {status}"):
                with self.assertRaises(openapi.ContractError):
                    check(method, path, status, content_type, body)
        with self.assertRaises(openapi.ContractError):
            openapi.CONTRACT.check_event("status", '{"status":"open","extra":1}')


class FilesTest(ApiTestCase):
    def test_widget_files(self):
        for path, content_type in [("/seshat/widget.js", "text/javascript; charset=utf-8"),
                                   ("/seshat/widget.css", "text/css; charset=utf-8")]:
            with self.subTest(path=path):
                reply = self.request("GET", path)
                self.assertEqual(reply.status, 200)
                self.assertEqual(reply.headers["Content-Type"], content_type)
                self.assertEqual(reply.headers["X-Content-Type-Options"], "nosniff")
                self.assertIn("max-age", reply.headers["Cache-Control"])
                with open(os.path.join(WEB_ROOT, path.rsplit("/", 1)[1]), "rb") as f:
                    self.assertEqual(reply.raw, f.read())
                etag = reply.headers["ETag"]
                again = self.request("GET", path, headers={"If-None-Match": etag})
                self.assertEqual(again.status, 304)
                self.assertEqual(again.raw, b"")
                head = self.request("HEAD", path)
                self.assertEqual(head.status, 200)
                self.assertEqual(int(head.headers["Content-Length"]), len(reply.raw))

    def test_demo_page(self):
        reply = self.request("GET", "/seshat/")
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.headers["Content-Type"], "text/html; charset=utf-8")
        csp = reply.headers["Content-Security-Policy"]
        self.assertIn("default-src 'none'", csp)
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertIn(b'<script src="/seshat/widget.js" defer>', reply.raw)
        redirect = self.request("GET", "/seshat")
        self.assertEqual(redirect.status, 308)
        self.assertEqual(redirect.headers["Location"], "/seshat/")

    def test_healthz_and_metrics(self):
        reply = self.request("GET", "/healthz")
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json(), {"status": "ok", "store": "ok", "xmpp": "not used"})
        text = self.request("GET", "/metrics").raw.decode()
        self.assertRegex(text, r"(?m)^seshat_http_requests_total \d+$")
        self.assertIn("# TYPE seshat_http_request_duration_seconds histogram", text)
        self.assertIn("seshat_test_extra 1\n", text)


class LongPollTest(ApiTestCase):
    def test_woken_by_an_operator_message(self):
        chat, token = self.start_chat()
        result = {}

        def poll():
            started = time.monotonic()
            reply = self.api("GET", f"/chats/{chat}/messages?after=0&wait=30", token=token,
                             timeout=40)
            result["elapsed"] = time.monotonic() - started
            result["reply"] = reply

        thread = threading.Thread(target=poll)
        thread.start()
        self.await_metric("seshat_http_long_polls", 1)
        self.server.command(f"operator {chat} Hello, customer.")
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.assertEqual(result["reply"].status, 200)
        messages = result["reply"].json()["messages"]
        self.assertEqual([(m["from"], m["text"]) for m in messages],
                         [("operator", "Hello, customer.")])
        self.assertLess(result["elapsed"], 5)

    def test_woken_by_a_commit_of_another_process(self):
        chat, token = self.start_chat()
        other, _ = self.start_chat()
        result = {}
        thread = threading.Thread(target=lambda: result.setdefault("reply", self.api(
            "GET", f"/chats/{chat}/messages?after=0&wait=30", token=token, timeout=40)))
        thread.start()
        self.await_metric("seshat_http_long_polls", 1)
        self.server.command(f"remote {other} not for this chat")  # a sweep wakes nobody
        self.server.command(f"remote {chat} from afar")
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.assertEqual([m["text"] for m in result["reply"].json()["messages"]], ["from afar"])

    def test_returns_empty_when_the_wait_ends(self):
        chat, token = self.start_chat()
        started = time.monotonic()
        reply = self.api("GET", f"/chats/{chat}/messages?after=0&wait=1", token=token)
        elapsed = time.monotonic() - started
        self.assertEqual(without_position(reply.json()), {"status": "waiting", "messages": []})
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 3)

    def test_returns_at_once_when_messages_are_there(self):
        chat, token = self.start_chat("c", "first")
        started = time.monotonic()
        reply = self.api("GET", f"/chats/{chat}/messages?after=0&wait=30", token=token)
        self.assertLess(time.monotonic() - started, 2)
        self.assertEqual([m["text"] for m in reply.json()["messages"]], ["first"])

    def test_errors_are_not_held(self):
        chat, token = self.start_chat()
        self.assert_error(self.api("GET", f"/chats/{chat}/messages?wait=30", token="wrong"), 403)


class EventStreamTest(ApiTestCase):
    def stream(self, chat, token, after=None, last_event_id=None, use_header=False):
        path = f"/seshat/api/chats/{chat}/events"
        headers = {}
        if use_header:
            headers["Authorization"] = f"Bearer {token}"
        else:
            path += f"?token={token}"
        if after is not None:
            path += ("&" if "?" in path else "?") + f"after={after}"
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        return SseStream(self.server.port, path, headers)

    def test_delivers_in_order_and_resumes_without_loss_or_doubles(self):
        chat, token = self.start_chat("c", "one")
        stream = self.stream(chat, token)
        self.assertEqual(stream.response.status, 200)
        self.assertEqual(stream.response.headers["Content-Type"],
                         "text/event-stream; charset=utf-8")
        self.assertEqual(stream.response.headers["Cache-Control"], "no-store")
        first = stream.next_event()
        self.assertEqual(first.get("retry"), "3000")
        status = stream.next_event()
        self.assertEqual((status["event"], without_position(json.loads(status["data"]))),
                         ("status", {"status": "waiting"}))
        self.assertEqual(stream.next_message()[0], 1)
        self.api("POST", f"/chats/{chat}/messages", {"text": "two"}, token=token)
        self.server.command(f"operator {chat} three")
        self.api("POST", f"/chats/{chat}/messages", {"text": "four"}, token=token)
        received = [stream.next_message() for _ in range(3)]
        self.assertEqual([(seq, data["seq"], data["text"]) for seq, data in received],
                         [(2, 2, "two"), (3, 3, "three"), (4, 4, "four")])
        self.assertEqual(received[1][1]["from"], "operator")
        stream.close()  # the connection drops

        self.server.command(f"operator {chat} five")
        self.api("POST", f"/chats/{chat}/messages", {"text": "six"}, token=token)
        resumed = self.stream(chat, token, after=0, last_event_id=4)  # Last-Event-ID wins
        self.assertEqual([resumed.next_message()[1]["text"] for _ in range(2)], ["five", "six"])
        self.server.command(f"operator {chat} seven")
        self.assertEqual(resumed.next_message()[0], 7)
        resumed.close()

        from_query = self.stream(chat, token, after=6, use_header=True)
        self.assertEqual(from_query.next_message()[1]["text"], "seven")
        from_query.close()

    def test_status_events_and_end_of_stream(self):
        chat, token = self.start_chat()
        stream = self.stream(chat, token)
        stream.next_event()  # retry
        self.assertEqual(without_position(json.loads(stream.next_event()["data"])),
                         {"status": "waiting"})
        self.server.command(f"accept {chat}")
        events = [stream.next_event(), stream.next_event()]
        self.assertEqual(json.loads(events[0]["data"])["text"], "Your chat has started.")
        self.assertEqual((events[1]["event"], json.loads(events[1]["data"])),
                         ("status", {"status": "open"}))
        self.server.command(f"finish {chat}")
        self.assertEqual(stream.next_message()[1]["text"], "The chat is now closed.")
        closed = stream.next_event()
        self.assertEqual(json.loads(closed["data"]), {"status": "closed"})
        self.assertIsNone(stream.next_event(), "the stream ends once the chat is closed")
        stream.close()
        # Nothing more will come: 204 tells EventSource to stop reconnecting.
        again = self.stream(chat, token, last_event_id=3)
        self.assertEqual(again.response.status, 204)
        again.close()
        replay = self.stream(chat, token, after=0)
        self.assertEqual(replay.response.status, 200)
        self.assertEqual(replay.next_message()[0], 1)
        replay.close()

    def test_a_stream_echoes_the_visitors_own_lines_without_reading_them_back(self):
        chat, token = self.start_chat()
        self.server.command(f"accept {chat}")
        stream = self.stream(chat, token)
        self.assertEqual(stream.next_message()[1]["text"], "Your chat has started.")
        reads = int(self.server.command("reads").split()[1])
        echoed = []
        for text in ["one", "two", "three"]:
            self.assertEqual(self.api("POST", f"/chats/{chat}/messages", {"text": text},
                                      token=token).status, 202)
            echoed.append(stream.next_message())
            self.assertEqual((echoed[-1][1]["from"], echoed[-1][1]["text"]), ("visitor", text))
        self.assertEqual(int(self.server.command("reads").split()[1]), reads,
                         "each line went to the stream from its own commit, not read back")
        # A line of another writer between two of the visitor's: each once, in order.
        self.server.command(f"operator {chat} Hello!")
        self.assertEqual(self.api("POST", f"/chats/{chat}/messages", {"text": "four"},
                                  token=token).status, 202)
        echoed += [stream.next_message(), stream.next_message()]
        self.assertEqual([data["text"] for _, data in echoed[3:]], ["Hello!", "four"])
        seqs = [seq for seq, _ in echoed]
        self.assertEqual(seqs, sorted(set(seqs)))
        stream.close()
        # What was echoed is what is stored, field for field.
        replay = self.stream(chat, token, after=echoed[0][0] - 1)
        self.assertEqual([replay.next_message() for _ in echoed], echoed)
        replay.close()

    def test_a_stream_passes_over_the_lines_its_own_page_sent(self):
        chat, token = self.start_chat()
        self.server.command(f"accept {chat}")
        path = f"/seshat/api/chats/{chat}/events?token={token}&stream=tab-1"
        stream = SseStream(self.server.port, path)
        self.assertEqual(stream.next_message()[1]["text"], "Your chat has started.")
        reads = int(self.server.command("reads").split()[1])

        def send(text, **fields):
            reply = self.api("POST", f"/chats/{chat}/messages", {"text": text, **fields},
                             token=token)
            self.assertEqual(reply.status, 202, reply.raw)
            return reply.json()["seq"]

        # This page's own lines are in its answers; another tab's, the operator's and those of a
        # page that names no stream come.
        mine = [send("one", stream="tab-1")]
        theirs = send("two", stream="tab-2")
        self.assertEqual(stream.next_message()[:1], (theirs,))
        mine.append(send("three", stream="tab-1"))
        plain = send("four")
        self.assertEqual(stream.next_message()[:1], (plain,))
        self.assertEqual(int(self.server.command("reads").split()[1]), reads,
                         "the lines passed over cost the stream no read")
        self.server.command(f"operator {chat} Hello!")
        self.assertEqual(stream.next_message()[1]["text"], "Hello!")
        stream.close()
        # Stored all the same: a stream that resumes before them has them.
        replay = SseStream(self.server.port,
                           f"/seshat/api/chats/{chat}/events?token={token}&after={mine[0] - 1}")
        texts = [replay.next_message()[1]["text"] for _ in range(5)]
        self.assertEqual(texts, ["one", "two", "three", "four", "Hello!"])
        replay.close()

    def test_400_for_a_bad_stream_name_and_nothing_stored(self):
        chat, token = self.start_chat()
        for bad in ["", "x" * 65, "has space", "a/b"]:
            with self.subTest(stream=bad):
                self.assert_error(self.api("POST", f"/chats/{chat}/messages",
                                           {"text": "hi", "stream": bad}, token=token), 400,
                                  "The field 'stream' must be 1 to 64 letters, digits, '-' or '_'.")
                refused = SseStream(self.server.port, f"/seshat/api/chats/{chat}/events"
                                    f"?token={token}&stream={urllib.parse.quote(bad)}")
                self.assertEqual(refused.response.status, 400)
                self.assertEqual(json.loads(refused.response.read()),
                                 {"error": "The parameter 'stream' must be 1 to 64 letters, "
                                           "digits, '-' or '_'."})
                refused.close()
        self.assertEqual(self.api("GET", f"/chats/{chat}/messages", token=token).json()["messages"],
                         [])

    def test_an_operators_line_goes_out_from_its_commit_and_is_handed_over_after(self):
        chat, token = self.start_chat()
        self.server.command(f"accept {chat}")
        stream = self.stream(chat, token)
        self.assertEqual(stream.next_message()[1]["text"], "Your chat has started.")
        reads = int(self.server.command("reads").split()[1])
        seq = int(self.server.command(f"line {chat} Hello, Ann.").split()[1])
        got, data = stream.next_message()
        self.assertEqual((got, data["from"], data["text"], data["name"]),
                         (seq, "operator", "Hello, Ann.", "Joe"))
        self.assertEqual(int(self.server.command("reads").split()[1]), reads,
                         "the line went to the stream from its commit, not read back")
        # The read after its write hands it over: the receipt joe's client asked for is queued.
        deadline = time.monotonic() + 5
        while self.server.command(f"receipts {chat}") != "ok 1":
            self.assertLess(time.monotonic(), deadline, "no receipt queued for an echoed line")
            time.sleep(0.01)
        stream.close()
        replay = self.stream(chat, token, after=seq - 1)
        self.assertEqual(replay.next_message(), (got, data), "echoed as stored, field for field")
        replay.close()

    def test_refused_streams_answer_json(self):
        chat, token = self.start_chat()
        for path, status in [(f"/chats/{chat}/events", 401),
                             (f"/chats/{chat}/events?token=nope", 403),
                             (f"/chats/424242/events?token={token}", 404),
                             (f"/chats/{chat}/events?token={token}&after=x", 400)]:
            with self.subTest(path=path):
                self.assert_error(self.api("GET", path), status)
        reply = self.api("GET", f"/chats/{chat}/events?token={token}",
                         headers={"Last-Event-ID": "banana"})
        self.assert_error(reply, 400)

    def test_a_stream_ends_as_soon_as_its_visitor_goes(self):
        # Not at the next heartbeat (25 s): thousands of closed pages would hold their sockets.
        chat, token = self.start_chat("g", "hi")
        stream = self.stream(chat, token)
        self.assertEqual(stream.response.status, 200)
        self.assertIsNotNone(stream.next_message())
        # The earlier tests' streams end when the server notices their close: wait until this
        # one is the only one open, so that the gauge falling to 0 can only be this stream.
        self.await_metric("seshat_http_event_streams", 1)
        stream.close()
        self.await_metric("seshat_http_event_streams", 0)

    def test_heartbeat_comments(self):
        server = GatewayProcess("--heartbeat", "1")
        try:
            chat, token = None, None
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request("POST", "/seshat/api/chats", body=json.dumps({"name": "h"}))
            ticket = json.loads(conn.getresponse().read())
            conn.close()
            chat, token = ticket["id"], ticket["token"]
            stream = SseStream(server.port, f"/seshat/api/chats/{chat}/events?token={token}")
            stream.next_event()
            stream.next_event()
            started = time.monotonic()
            ping = stream.next_event()
            self.assertEqual(ping, {"comments": [": ping"]})
            self.assertLess(time.monotonic() - started, 3)
            stream.close()
        finally:
            server.stop()


class RateLimitTest(ApiTestCase):
    options = ("--chats-per-minute", "3")

    def test_429_after_the_per_address_limit(self):
        for _ in range(3):
            self.start_chat()
        reply = self.api("POST", "/chats", {"name": "one too many"})
        self.assert_error(reply, 429)
        self.assertEqual(reply.headers["Retry-After"], "60")


class PipelinedReader:
    """HTTP/1.1 answers read one by one from a socket that pipelined its requests."""

    def __init__(self, sock):
        self.sock = sock
        self.data = b""

    def answer(self):
        """(status, headers, body) of the next answer; AssertionError if the socket timed out."""
        while True:
            head, sep, rest = self.data.partition(b"\r\n\r\n")
            if sep:
                lines = head.split(b"\r\n")
                fields = {k.lower(): v for k, v in (line.split(b": ", 1) for line in lines[1:])}
                length = int(fields.get(b"content-length", b"0"))
                if len(rest) >= length:
                    self.data = rest[length:]
                    return int(lines[0].split(b" ", 2)[1]), fields, rest[:length]
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise AssertionError("no answer came in time") from None
            if not chunk:
                raise AssertionError("the server closed the connection")
            self.data += chunk


class PipeliningTest(ApiTestCase):
    """HTTP/1.1 pipelining: answers in order, and the ones held back (to go out in one write
    with those after them) never wait for a request that is not all there, or that waits."""

    def post_message(self, chat, token, text):
        body = json.dumps({"text": text}).encode()
        return (f"POST /seshat/api/chats/{chat}/messages HTTP/1.1\r\nHost: x\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    def pipelined(self, timeout=3):
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=timeout)
        self.addCleanup(sock.close)
        return sock, PipelinedReader(sock)

    def test_answers_come_in_order_and_every_message_is_stored_once(self):
        chat, token = self.start_chat()
        sock, reader = self.pipelined()
        sock.sendall(b"".join(self.post_message(chat, token, f"m{i}") for i in range(30)))
        seqs = []
        for _ in range(30):
            status, _, body = reader.answer()
            self.assertEqual(status, 202, body)
            seqs.append(json.loads(body)["seq"])
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + 30)))
        reply = self.api("GET", f"/chats/{chat}/messages?after=0", token=token)
        self.assertEqual([m["text"] for m in reply.json()["messages"]],
                         [f"m{i}" for i in range(30)])

    def test_a_run_of_pipelined_requests_is_read_and_answered_in_a_few_writes(self):
        chat, token = self.start_chat()
        sock, reader = self.pipelined()
        sock.sendall(b"".join(self.post_message(chat, token, f"m{i}") for i in range(30)))
        self.assertEqual([reader.answer()[0] for _ in range(30)], [202] * 30)
        # Segments with data that reached this socket: one per write of the gateway on
        # loopback. Its first read takes 512 bytes (two requests), the next the rest, so two
        # writes; with reads of a kilobyte or so it was one write for every few requests.
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 192)
        data_segments_in = struct.unpack_from("I", info, 152)[0]  # tcpi_data_segs_in
        self.assertLessEqual(data_segments_in, 3)

    def test_held_answers_go_out_before_a_request_that_is_not_all_there(self):
        chat, token = self.start_chat()
        sock, reader = self.pipelined()
        third = self.post_message(chat, token, "three")
        sock.sendall(self.post_message(chat, token, "one") + self.post_message(chat, token, "two")
                     + third[:20])
        # Within the socket's 3 s, not when the header times out.
        self.assertEqual([reader.answer()[0] for _ in range(2)], [202, 202])
        sock.sendall(third[20:])
        self.assertEqual(reader.answer()[0], 202)

    def test_held_answers_go_out_before_a_long_poll_waits(self):
        chat, token = self.start_chat()
        sock, reader = self.pipelined()
        poll = (f"GET /seshat/api/chats/{chat}/messages?after=1&wait=30 HTTP/1.1\r\n"
                f"Host: x\r\nAuthorization: Bearer {token}\r\n\r\n").encode()
        # Short enough to be read at once (Beast's first read takes 512 bytes).
        sock.sendall(self.post_message(chat, token, "one") + poll)
        self.assertEqual(reader.answer()[0], 202)
        self.server.command(f"operator {chat} Answered.")
        status, _, body = reader.answer()
        self.assertEqual(status, 200)
        self.assertEqual([m["text"] for m in json.loads(body)["messages"]], ["Answered."])

    def test_held_answers_go_out_before_an_event_stream(self):
        chat, token = self.start_chat()
        sock, reader = self.pipelined()
        stream = (f"GET /seshat/api/chats/{chat}/events?token={token}&after=0 HTTP/1.1\r\n"
                  f"Host: x\r\n\r\n").encode()
        sock.sendall(self.post_message(chat, token, "one") + stream)
        self.assertEqual(reader.answer()[0], 202)
        while b"one" not in reader.data:  # then the stream, with the message in it
            reader.data += sock.recv(65536)
        self.assertTrue(reader.data.startswith(b"HTTP/1.1 200 "), reader.data[:100])

    def test_a_bad_request_after_good_ones_is_answered_after_theirs(self):
        chat, token = self.start_chat()
        sock, reader = self.pipelined()
        sock.sendall(self.post_message(chat, token, "one") + self.post_message(chat, token, "two")
                     + b"GARBAGE\r\n\r\n")
        self.assertEqual([reader.answer()[0] for _ in range(3)], [202, 202, 400])


class OutOfDescriptorsTest(unittest.TestCase):
    def test_accepting_pauses_instead_of_spinning_and_resumes(self):
        log = tempfile.TemporaryFile(mode="w+")
        self.addCleanup(log.close)
        server = GatewayProcess(max_files=64, stderr=log)
        held = []
        try:
            # More connections than descriptors: the kernel completes the handshakes, the
            # gateway cannot accept them all.
            for _ in range(80):
                held.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
            before = server.cpu_seconds()
            time.sleep(1)  # an interval to measure CPU over, not a synchronisation
            self.assertLess(server.cpu_seconds() - before, 0.3, "the accept loop spins")
            # About ten failed accepts a second: logged once per 10 s, with a count.
            deadline = time.monotonic() + 5
            while True:
                log.seek(0)
                failures = [line for line in log if "http accept failed" in line]
                if failures or time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            self.assertEqual(len(failures), 1, failures)
            self.assertIn("Too many open files", failures[0])
            for sock in held:
                sock.close()
            held = []
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("GET", "/healthz")
            self.assertEqual(conn.getresponse().status, 200, "accepts again once others closed")
            conn.close()
        finally:
            for sock in held:
                sock.close()
            self.assertEqual(server.stop(), 0)


def raw_exchange(port, request, timeout=5, source="127.0.0.1"):
    """Sends raw bytes, returns (status, body) of the answer (status None: closed unanswered)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    try:
        sock.sendall(request)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                match = re.search(rb"Content-Length: (\d+)", head, re.I)
                if match and len(body) >= int(match.group(1)):
                    break
    finally:
        sock.close()
    if not data:
        return None, b""
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def get_healthz(port, source="127.0.0.1"):
    return raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", source=source)


class ConnectionCapsTest(unittest.TestCase):
    """max_connections, max_connections_per_address, the reserve for /healthz."""

    def hold(self, port, count, source="127.0.0.1"):
        held = []
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((source, 0))
            sock.connect(("127.0.0.1", port))
            held.append(sock)
        self.addCleanup(lambda: [sock.close() for sock in held])
        return held

    def await_connections(self, server, count):
        probe = ApiTestCase()
        probe.server = server
        deadline = time.monotonic() + 5
        # /metrics itself is one connection more while it is being answered.
        while probe.metric("seshat_http_connections") < count + 1:
            if time.monotonic() > deadline:
                self.fail(f"the gateway never held {count} connections")
            time.sleep(0.02)

    def test_full_gateway_answers_503_at_once_and_healthz_from_the_reserve(self):
        server = GatewayProcess("--max-connections", "40", "--reserve", "4",
                                "--max-per-address", "0")
        self.addCleanup(server.stop)
        self.hold(server.port, 36)  # every normal slot, idle (a slowloris holds them so)
        self.await_connections(server, 36)
        started = time.monotonic()
        status, body = raw_exchange(
            server.port, b"POST /seshat/api/chats HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Length: 12\r\n\r\n{\"name\":\"x\"}")
        self.assertEqual(status, 503, body)
        self.assertIn("full", json.loads(body)["error"])
        self.assertLess(time.monotonic() - started, 3, "answered at once, not after a timeout")
        status, body = get_healthz(server.port)
        self.assertEqual(status, 200, "the health check answers from the reserve")
        # The reserve full too (idle connections in it until its 5 s header timeout): even
        # /healthz gets the fast 503, written without reading the request.
        self.hold(server.port, 4)
        deadline = time.monotonic() + 3
        while True:
            status, body = get_healthz(server.port)
            if status == 503 or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        self.assertEqual(status, 503, body)
        self.assertEqual(json.loads(body)["error"],
                         "The chat service is full at the moment; please try again in a minute.")

    def test_per_address_cap_leaves_other_addresses_and_healthz(self):
        server = GatewayProcess("--max-per-address", "10", "--reserve", "4")
        self.addCleanup(server.stop)
        self.hold(server.port, 10, source="127.0.0.2")
        self.await_connections(server, 10)
        status, body = raw_exchange(server.port, b"GET /seshat/api/availability HTTP/1.1\r\n\r\n",
                                    source="127.0.0.2")
        self.assertEqual(status, 429, body)
        self.assertIn("Too many connections from your address", json.loads(body)["error"])
        status, _ = get_healthz(server.port, source="127.0.0.2")
        self.assertEqual(status, 200, "the monitor on the same address still gets an answer")
        status, _ = raw_exchange(server.port, b"GET /seshat/api/availability HTTP/1.1\r\n\r\n",
                                 source="127.0.0.3")
        self.assertEqual(status, 200, "another address is not affected")

    def test_streams_per_chat(self):
        server = GatewayProcess("--max-streams-per-chat", "3")
        self.addCleanup(server.stop)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("POST", "/seshat/api/chats", body=json.dumps({"name": "s"}))
        ticket = json.loads(conn.getresponse().read())
        conn.close()
        chat, token = ticket["id"], ticket["token"]
        streams = []
        self.addCleanup(lambda: [stream.close() for stream in streams])
        for _ in range(3):
            stream = SseStream(server.port, f"/seshat/api/chats/{chat}/events?token={token}")
            self.assertEqual(stream.response.status, 200)
            streams.append(stream)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", f"/seshat/api/chats/{chat}/events?token={token}")
        reply = Reply(conn.getresponse())
        conn.close()
        self.assertEqual(reply.status, 429, reply.raw)
        self.assertEqual(reply.json()["error"],
                         "Too many event streams and long-polls are open on this chat; "
                         "please close some.")
        # A long-poll counts as well; a wrong token never takes a slot.
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", f"/seshat/api/chats/{chat}/messages?wait=5",
                     headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(conn.getresponse().status, 429)
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", f"/seshat/api/chats/{chat}/events?token=wrong")
        self.assertEqual(conn.getresponse().status, 403)
        conn.close()
        streams.pop().close()
        probe = ApiTestCase()
        probe.server = server
        probe.await_metric("seshat_http_event_streams", 2)
        stream = SseStream(server.port, f"/seshat/api/chats/{chat}/events?token={token}")
        streams.append(stream)
        self.assertEqual(stream.response.status, 200, "a closed stream frees its slot")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


class HttpHardeningTest(ApiTestCase):
    """Transfer-Encoding, over-long pages (issue 18)."""

    def test_501_for_any_transfer_encoding_but_chunked(self):
        body = b'{"name":"te"}'
        for coding in (b"xchunked", b"gzip, chunked", b"chunked, gzip", b"identity",
                       b"chunked, chunked", b""):
            with self.subTest(coding=coding):
                # With "chunked" last the body is chunked (with Content-Length as well, the
                # request is refused as 400 before anything else looks at it).
                framed = (b"\r\n\r\n" + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
                          if coding.endswith(b"chunked") else
                          b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                status, answer = raw_exchange(
                    self.server.port,
                    b"POST /seshat/api/chats HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " +
                    coding + framed)
                self.assertEqual(status, 501, answer)
                self.assertEqual(json.loads(answer),
                                 {"error": "Only the chunked transfer coding is supported."})
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        status, answer = raw_exchange(
            self.server.port, b"POST /seshat/api/chats HTTP/1.1\r\nHost: x\r\n"
                              b"Transfer-Encoding: Chunked\r\n\r\n" + chunked)
        self.assertEqual(status, 201, answer)

    def test_an_over_long_page_is_cut_never_refused(self):
        db_dir = tempfile.mkdtemp(prefix="seshat-api-page-")
        self.addCleanup(shutil.rmtree, db_dir, True)
        db = os.path.join(db_dir, "seshat.db")
        server = GatewayProcess("--db", db)
        self.addCleanup(server.stop)
        page = "https://shop.example/" + "é" * 2000
        probe = ApiTestCase()
        probe.server = server
        reply = probe.api("POST", "/chats", {"name": "long", "page": page})
        self.assertEqual(reply.status, 201, reply.raw)
        reply = probe.api("POST", "/chats", {"name": "referer"},
                          headers={"Referer": "https://shop.example/reset?token=SECRET#f"})
        self.assertEqual(reply.status, 201, reply.raw)
        import sqlite3
        with sqlite3.connect(db) as conn:
            pages = [row[0] for row in conn.execute("SELECT page FROM chats ORDER BY id")]
        self.assertLessEqual(len(pages[0].encode()), 2000)
        self.assertGreater(len(pages[0].encode()), 1990)
        self.assertTrue(page.startswith(pages[0]), "cut on a character boundary")
        self.assertEqual(pages[1], "https://shop.example/reset",
                         "the Referer fallback loses its query and fragment")


class FloodTest(unittest.TestCase):
    """Per-network and total limits, from several source addresses of 127.0.0.0/8."""

    def post_chat(self, port, source, name="flood"):
        body = json.dumps({"name": name}).encode()
        return raw_exchange(port, b"POST /seshat/api/chats HTTP/1.1\r\nHost: x\r\n"
                                  b"Content-Length: " + str(len(body)).encode() +
                            b"\r\n\r\n" + body, source=source)

    def test_new_chats_per_network_and_in_total(self):
        server = GatewayProcess("--chats-per-minute", "3", "--chats-per-minute-total", "7")
        self.addCleanup(server.stop)
        # Three addresses of one /24 share its three chats a minute.
        for source in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
            status, body = self.post_chat(server.port, source)
            self.assertEqual(status, 201, body)
        status, body = self.post_chat(server.port, "127.0.0.5")
        self.assertEqual(status, 429, body)
        self.assertEqual(json.loads(body)["error"],
                         "Too many chats were started from your network; please try again in a "
                         "minute.")
        # Other networks go on, until the total is reached.
        for source in ("127.0.1.2", "127.0.1.3", "127.0.2.2", "127.0.2.3"):
            status, body = self.post_chat(server.port, source)
            self.assertEqual(status, 201, body)
        status, body = self.post_chat(server.port, "127.0.3.2")
        self.assertEqual(status, 429, body)
        self.assertEqual(json.loads(body)["error"],
                         "Too many chats are being started right now; please try again in a "
                         "minute.")

    def test_messages_per_network_and_per_chat(self):
        server = GatewayProcess("--chats-per-minute", "100", "--messages-per-minute-per-network",
                                "5", "--max-messages-per-chat", "4")
        self.addCleanup(server.stop)
        tickets = [json.loads(self.post_chat(server.port, "127.0.5.2")[1]) for _ in range(2)]

        def send(ticket, source):
            body = json.dumps({"text": "hi"}).encode()
            return raw_exchange(
                server.port,
                b"POST /seshat/api/chats/%d/messages HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s"
                % (ticket["id"], ticket["token"].encode(), len(body), body), source=source)

        for i in range(4):
            self.assertEqual(send(tickets[0], "127.0.5.2")[0], 202, i)
        status, body = send(tickets[0], "127.0.6.2")
        self.assertEqual(status, 429, body)
        self.assertEqual(json.loads(body)["error"],
                         "This chat holds as many messages as it may; please start a new chat.")
        self.assertEqual(send(tickets[1], "127.0.5.3")[0], 202)
        status, body = send(tickets[1], "127.0.5.4")
        self.assertEqual(status, 429, body)
        self.assertIn("from your network", json.loads(body)["error"])
        self.assertEqual(send(tickets[1], "127.0.6.2")[0], 202, "another network goes on")

    def test_low_disk_refuses_new_chats_with_503(self):
        server = GatewayProcess("--min-free-disk-mb", str(1 << 40))
        self.addCleanup(server.stop)
        status, body = self.post_chat(server.port, "127.0.0.1")
        self.assertEqual(status, 503, body)
        self.assertIn("short of disk space", json.loads(body)["error"])


class SlowReaderTest(unittest.TestCase):
    """Memory per event stream (issue 18): streams that do not read are paged and cut."""

    def test_non_reading_streams_stay_small_and_are_cut(self):
        server = GatewayProcess("--max-streams-per-chat", "40", "--heartbeat", "1")
        self.addCleanup(server.stop)
        probe = ApiTestCase()
        probe.server = server
        ticket = probe.start_chat("slow")
        chat, token = ticket
        text = "x" * 8192
        for _ in range(300):  # 2.4 MB that each new stream must catch up on
            server.command(f"operator {chat} {text}")
        before = rss_kib(server.process.pid)
        held = []
        self.addCleanup(lambda: [sock.close() for sock in held])
        for _ in range(30):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", server.port))
            sock.sendall(f"GET /seshat/api/chats/{chat}/events?token={token} HTTP/1.1\r\n"
                         f"Host: x\r\n\r\n".encode())
            held.append(sock)  # and never read
        deadline = time.monotonic() + 40
        peak = 0
        while probe.metric("seshat_http_streams_cut_total") < 30:
            peak = max(peak, rss_kib(server.process.pid) - before)
            server.command(f"operator {chat} {text}")  # the operator keeps writing
            if time.monotonic() > deadline:
                self.fail(f"{probe.metric('seshat_http_streams_cut_total')} of 30 streams cut")
            time.sleep(0.05)
        peak = max(peak, rss_kib(server.process.pid) - before)
        print(f"\n30 non-reading streams, 2.4 MB each to catch up: RSS grew at most {peak} KiB")
        self.assertLess(peak, 30 * 1024, "about 1 MB a stream at most, not the whole backlog")
        self.assertEqual(probe.metric("seshat_http_event_streams"), 0)


class IdleStreamMemoryTest(unittest.TestCase):
    """An idle event stream gives back what its catch-up took (issue 18)."""

    def test_idle_streams_after_a_catch_up_keep_little(self):
        server = GatewayProcess("--max-streams-per-chat", "0", "--max-per-address", "0")
        self.addCleanup(server.stop)
        probe = ApiTestCase()
        probe.server = server
        chat, token = probe.start_chat("idle")
        for _ in range(64):  # 512 KB that every new stream catches up on
            server.command(f"operator {chat} " + "x" * 8192)

        def open_and_catch_up(count):
            socks = []
            for _ in range(count):
                sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
                sock.sendall(f"GET /seshat/api/chats/{chat}/events?token={token} HTTP/1.1\r\n"
                             f"Host: x\r\n\r\n".encode())
                socks.append(sock)
            for sock in socks:
                received = 0
                while received < 64 * 8200:  # every message event read: the stream is idle
                    received += len(sock.recv(1 << 20))
            self.addCleanup(lambda: [sock.close() for sock in socks])

        # The first batch warms the allocator up (what it frees is reused, not returned); the
        # second shows what an idle stream keeps.
        open_and_catch_up(150)
        probe.await_metric("seshat_http_event_streams", 150)
        middle = rss_kib(server.process.pid)
        open_and_catch_up(150)
        probe.await_metric("seshat_http_event_streams", 300)
        each = (rss_kib(server.process.pid) - middle) / 150
        print(f"\nan idle stream after a 512 KB catch-up keeps about {each:.0f} KiB")
        self.assertLess(each, 128, "the catch-up's buffers (512 KB a stream) are given back")


class GracefulStopTest(unittest.TestCase):
    @staticmethod
    def open_chat(server):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("POST", "/seshat/api/chats", body=json.dumps({"name": "s"}))
        ticket = json.loads(conn.getresponse().read())
        conn.close()
        return ticket["id"], ticket["token"]

    @staticmethod
    def long_poll(server, chat, token):
        """A long-poll of 60 s on a thread; its status and body land in the dict returned."""
        result = {}

        def poll():
            c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            c.request("GET", f"/seshat/api/chats/{chat}/messages?wait=60",
                      headers={"Authorization": f"Bearer {token}"})
            response = c.getresponse()
            result["status"] = response.status
            result["body"] = json.loads(response.read())
            c.close()

        thread = threading.Thread(target=poll)
        thread.start()
        return thread, result

    def stop_answers(self, server, thread, result):
        started = time.monotonic()
        self.assertEqual(server.stop(), 0)
        self.assertLess(time.monotonic() - started, 3, "the stop waited out its grace period")
        thread.join(5)
        self.assertEqual(result.get("status"), 200, "the long-poll was cut, not answered")
        self.assertEqual(without_position(result["body"]), {"status": "waiting", "messages": []})

    def test_stop_answers_long_polls_and_ends_streams(self):
        server = GatewayProcess()
        chat, token = self.open_chat(server)
        stream = SseStream(server.port, f"/seshat/api/chats/{chat}/events?token={token}")
        stream.next_event()
        stream.next_event()
        thread, result = self.long_poll(server, chat, token)
        probe = ApiTestCase()
        probe.server = server
        probe.await_metric("seshat_http_long_polls", 1)
        self.stop_answers(server, thread, result)
        self.assertIsNone(stream.next_event())
        stream.close()

    def test_stop_answers_a_long_poll_whose_read_is_out(self):
        # The long-poll is all the gateway has: while its first read is on the database thread,
        # no socket or timer of it waits on the io threads. The stop must still answer it.
        server = GatewayProcess()
        chat, token = self.open_chat(server)
        server.command("slow-lookup 1000")
        thread, result = self.long_poll(server, chat, token)
        deadline = time.monotonic() + 5
        while server.command("slowed") == "ok 0":  # its read has begun
            self.assertLess(time.monotonic(), deadline, "the long-poll never read")
            time.sleep(0.01)
        self.stop_answers(server, thread, result)

def main():
    global SERVER, WEB_ROOT
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--web-root", required=True)
    args, rest = parser.parse_known_args()
    SERVER = os.path.abspath(args.server)
    WEB_ROOT = os.path.abspath(args.web_root)
    result = unittest.main(argv=[sys.argv[0], *rest], verbosity=2, exit=False).result
    print(f"checked {openapi.checked()} responses and events against docs/openapi.json")
    openapi.assert_clean()
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
