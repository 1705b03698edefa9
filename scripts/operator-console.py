"""A minimal operator console for the demo: signs in to XMPP with slixmpp, prints what the bot
says, and sends each line you type to the bot. Any real XMPP client does the same job.

    /usr/bin/python3 scripts/operator-console.py --port 5222 --ca CERT alice-demo [alice@localhost]
"""

import argparse
import asyncio
import ssl
import sys
import threading

import slixmpp


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("password")
    parser.add_argument("jid", nargs="?", default="alice@localhost")
    parser.add_argument("--bot", default="webchat@localhost")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5222)
    parser.add_argument("--ca", help="certificate of the server to trust (the demo's self-signed one)")
    args = parser.parse_args()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    client = slixmpp.ClientXMPP(f"{args.jid}/console", args.password)
    client.ssl_context = ssl.create_default_context(cafile=args.ca)

    def on_start(_):
        client.send_presence()
        client.get_roster()
        print(f"signed in as {args.jid}; type a line to send it to {args.bot}, Ctrl-D to quit",
              flush=True)

    def on_message(msg):
        if msg["type"] in ("chat", "normal") and msg["body"]:
            print(f"> {msg['body']}", flush=True)

    client.add_event_handler("session_start", on_start)
    client.add_event_handler("message", on_message)
    client.add_event_handler("failed_auth", lambda _: (print("sign-in failed", file=sys.stderr), loop.stop()))

    def read_stdin():
        for line in sys.stdin:
            text = line.rstrip("\n")
            if text:
                loop.call_soon_threadsafe(lambda t=text: client.send_message(mto=args.bot, mbody=t, mtype="chat"))
        loop.call_soon_threadsafe(lambda: client.disconnect())

    threading.Thread(target=read_stdin, daemon=True).start()
    client.connect((args.host, args.port))
    client.add_event_handler("disconnected", lambda _: loop.stop())
    loop.run_forever()


if __name__ == "__main__":
    main()
