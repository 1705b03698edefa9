#!/usr/bin/python3
"""What a request to seshat costs by how long the machine was idle before it (bench/README.md,
"What an idle machine costs a hop"):

    python3 bench/idle_cost.py --seshat build/src/app/seshat [--requests 200]

Starts a real Prosody and `seshat serve` on 127.0.0.1 (as bench/run.py does), opens a chat for every 50 messages,
then on one keep-alive connection alternates a visitor's message (POST -> 202: the HTTP thread,
the database thread's commit, the answer) and a request that touches no thread but the HTTP
one (GET of an unknown path -> 404), with a pause of each given length before every request.
Prints p50 and p90 of both by pause. The client is a plain socket (no HTTP library).
"""

import argparse
import json
import os
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run  # noqa: E402  (bench/run.py: the same servers and settings as the benchmark)
from legs import percentile  # noqa: E402

PER_CHAT = 50  # a chat may send 60 messages a minute: the messages go round robin over chats


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.data = b""

    def exchange(self, request):
        """Sends one request; returns (seconds to its whole answer, status, body)."""
        started = time.perf_counter()
        self.sock.sendall(request)
        while True:
            head, sep, rest = self.data.partition(b"\r\n\r\n")
            if sep:
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if len(rest) >= length:
                    self.data = rest[length:]
                    return (time.perf_counter() - started, int(head.split(b" ")[1]),
                            rest[:length])
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("seshat closed the connection")
            self.data += chunk


def request(method, path, body=b"", headers=()):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"] + list(headers)
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seshat", required=True)
    parser.add_argument("--requests", type=int, default=200, help="of each kind, per pause")
    parser.add_argument("--pauses-ms", default="0.5,2,10,50")
    args = parser.parse_args()

    server = run.Prosody(log_level="warn")
    app = None
    try:
        server.start()
        server.register(run.BOT, run.BOT_PASSWORD)
        run.add_account(server, "op0", "op0-secret")
        app = run.Seshat(args.seshat, server, [server.jid("op0")], extra=dict(run.SESHAT_EXTRA),
                         log_level="warn")
        app.start("serve")
        client = Client(app.port)
        pauses = [float(p) for p in args.pauses_ms.split(",")]
        chats = max(1, -(-args.requests * len(pauses) // PER_CHAT))
        posts = []
        for _ in range(chats):
            _, status, body = client.exchange(
                request("POST", "/seshat/api/chats", json.dumps({"name": "idle"}).encode()))
            if status != 201:
                raise RuntimeError(f"opening a chat answered {status}")
            chat = json.loads(body)
            message = json.dumps({"text": "Hello"}).encode()
            posts.append(request("POST", f"/seshat/api/chats/{chat['id']}/messages", message,
                                 [f"Authorization: Bearer {chat['token']}"]))
        unknown = request("GET", "/seshat/api/none")

        print(f"{'pause':>8} | {'GET -> 404 p50 / p90':>22} | {'POST -> 202 p50 / p90':>22}")
        for turn, pause_ms in enumerate(pauses):
            gets, accepted = [], []
            for i in range(args.requests):
                time.sleep(pause_ms / 1000)
                seconds, status, _ = client.exchange(posts[(i + turn * args.requests) % chats])
                if status != 202:
                    raise RuntimeError(f"a message answered {status}")
                accepted.append(seconds * 1000)
                time.sleep(pause_ms / 1000)
                seconds, status, _ = client.exchange(unknown)
                if status != 404:
                    raise RuntimeError(f"the unknown path answered {status}")
                gets.append(seconds * 1000)
            print(f"{pause_ms:>6g}ms | {percentile(gets, 50):>9.3f} / {percentile(gets, 90):.3f} ms"
                  f" | {percentile(accepted, 50):>9.3f} / {percentile(accepted, 90):.3f} ms",
                  flush=True)
    finally:
        if app:
            app.close()
        server.close()


if __name__ == "__main__":
    main()
