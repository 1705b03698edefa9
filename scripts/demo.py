"""Runs the Seshat demo: a local Prosody with accounts, `seshat serve`, until Ctrl-C.
Called by scripts/demo.sh (which installs and builds first)."""

import argparse
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))

from harness.prosody import HOST, Prosody, free_port  # noqa: E402
from harness.seshat import Seshat  # noqa: E402

OPERATORS = [("alice", "alice-demo"), ("bob", "bob-demo")]
BOT = ("webchat", "webchat-demo")


def port_is_free(port):
    import socket
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
            return True
        except OSError:
            return False


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seshat", required=True, help="path of the seshat binary")
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--xmpp-port", type=int, default=5222)
    parser.add_argument("--check", action="store_true", help="start, check readiness, stop")
    args = parser.parse_args()

    # A busy (or 0) port is replaced by a free one: the printed instructions say which.
    xmpp_port = args.xmpp_port if args.xmpp_port and port_is_free(args.xmpp_port) else free_port()
    http_port = args.http_port if args.http_port and port_is_free(args.http_port) else free_port()
    server = Prosody(port=xmpp_port)
    app = None
    try:
        server.start()
        for user, password in OPERATORS + [BOT]:
            server.register(user, password)
        app = Seshat(args.seshat, server, [server.jid(user) for user, _ in OPERATORS],
                     bot=BOT[0], password=BOT[1], http_port=http_port)
        app.start("serve")
        print(f"""
Seshat is running.

  Visitor:   open http://{HOST}:{http_port}/seshat/ and click "Chat with us".
  Operators: sign in with any XMPP client (Gajim, Dino, Profanity, ...):
               server {HOST}, port {xmpp_port} (self-signed certificate: accept it)
               {server.jid(OPERATORS[0][0])}  password {OPERATORS[0][1]}
               {server.jid(OPERATORS[1][0])}    password {OPERATORS[1][1]}
             or in this terminal, with the console client:
               /usr/bin/python3 scripts/operator-console.py --port {xmpp_port} --ca {server.ca_file} alice-demo
             The bot is {server.jid(BOT[0])}: reply '!ACCEPT n' to its notification, '!HELP' for more.

  Files:     {app.dir} (config, database, log)
Ctrl-C stops everything.""", flush=True)
        if args.check:
            print("demo: ready", flush=True)
            return 0 if app.stop() == 0 else 1
        stop = threading.Event()
        # Ctrl-C, kill, or the terminal closed: the servers are stopped either way.
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, lambda *_: stop.set())
        while not stop.wait(0.5):
            if not app.running:
                print(app.log_tail(), file=sys.stderr)
                return 1
        print("\nstopping", flush=True)
        return 0 if app.stop() == 0 else 1
    finally:
        if app is not None:
            app.close()
        server.close()


if __name__ == "__main__":
    sys.exit(main())
