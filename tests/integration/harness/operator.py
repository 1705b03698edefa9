"""An operator in a test: a real slixmpp client on its own thread and event loop.

    joe = Operator(server, "joe", "pw")       # account must exist (server.register)
    joe.connect("laptop", show="away")        # returns once the session started
    joe.send(server.jid("bot"), "!ACCEPT 1")
    joe.expect("You are now handling chat #1. Send '!FINISH' when you are done.")
    joe.expect(lambda text: text.startswith("Remote user"), timeout=5)
    joe.assert_no_message(within=0.5)
    joe.disconnect()

Every wait is on a queue or an event with a deadline; nothing sleeps. The client trusts the test
server's own certificate (server.ca_file), so TLS is verified as a real client would.

slixmpp approves subscription requests automatically (its default), so a broker that asks to
see an operator's presence gets it, as with Gajim/Dino after the user clicks "allow".
"""

import asyncio
import logging
import queue
import ssl
import threading
import time
import xml.etree.ElementTree as ET

import slixmpp
import slixmpp.exceptions

DEFAULT_TIMEOUT = 10.0


class Operator:
    def __init__(self, server, user, password):
        self.server = server
        self.bare_jid = server.jid(user)
        self.password = password
        self.full_jid = None
        self.messages = queue.Queue()       # (from_jid, body) of chat/normal messages
        self.presences = queue.Queue()      # (from_jid, type, show) of every presence
        self._client = None
        self._loop = None
        self._thread = None
        self._lost = threading.Event()  # the stream dropped (server killed, or disconnect())
        self._listeners = []  # fn(from_jid, body, stanza_id), see add_message_listener
        self.nicks = {}  # bare JID -> the XEP-0172 nickname its last message with one carried

    # --- session ---

    def connect(self, resource, show=None, timeout=DEFAULT_TIMEOUT, announce=True, priority=None):
        """Logs in as bare_jid/resource with the given <show/> (None: available) and
        <priority/> (None: none, which counts as 0). With announce=False no initial presence is
        sent: a resource nobody has seen online."""
        if self._thread is not None:
            raise RuntimeError(f"{self.bare_jid} is already connected")
        started = threading.Event()
        failure = []
        self.full_jid = f"{self.bare_jid}/{resource}"
        self._lost.clear()
        self._loop = asyncio.new_event_loop()

        def run():
            asyncio.set_event_loop(self._loop)
            client = slixmpp.ClientXMPP(self.full_jid, self.password)
            client.ssl_context = ssl.create_default_context(cafile=self.server.ca_file)
            client.add_event_handler("session_start",
                                     lambda _: self._on_start(client, show, started, announce,
                                                              priority))
            client.add_event_handler("failed_auth", lambda _: self._fail(failure, started, "auth failed"))
            client.add_event_handler("connection_failed",
                                     lambda e: self._fail(failure, started, f"connection failed: {e}"))
            client.add_event_handler("disconnected", lambda _: self._lost.set())
            client.add_event_handler("message", self._on_message)
            client.add_event_handler("presence", self._on_presence)
            self._client = client
            client.connect((self.server.host, self.server.port))
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name=f"operator-{resource}", daemon=True)
        self._thread.start()
        if not started.wait(timeout) or failure:
            reason = failure[0] if failure else "timed out"
            self._shutdown()
            raise AssertionError(f"{self.full_jid} could not log in: {reason}")
        return self

    def set_presence(self, show=None):
        """Broadcasts a new <show/> (None: available, or "away", "xa", "dnd", "chat")."""
        self._call(lambda: self._client.send_presence(pshow=show))

    def send(self, to, text):
        """Sends a chat message; messages from one operator arrive in the order sent."""
        self._call(lambda: self._client.send_message(mto=to, mbody=text, mtype="chat"))

    def send_raw(self, xml):
        """Sends a stanza written by hand (odd types, no body, huge bodies, spoofed ids)."""
        self._call(lambda: self._client.send_raw(xml))

    def send_iq(self, payload, type="set", to=None, timeout=DEFAULT_TIMEOUT):
        """Sends an IQ of `type` carrying `payload` (XML written by hand) to `to` (None: the
        account's server) and waits for the answer; returns its type, "result" or "error".
        E.g. send_iq("<enable xmlns='urn:xmpp:carbons:2'/>") enables XEP-0280 carbons."""
        answered = threading.Event()
        answer = []

        async def ask():
            iq = self._client.Iq()
            iq["type"] = type
            if to is not None:
                iq["to"] = to
            iq.append(ET.fromstring(payload))
            try:
                reply = await iq.send(timeout=timeout)
                answer.append(reply["type"])
            except slixmpp.exceptions.IqError as error:
                answer.append(error.iq["type"])
            except slixmpp.exceptions.IqTimeout:
                pass
            answered.set()

        self._call(lambda: asyncio.ensure_future(ask()))
        if not answered.wait(timeout + 1) or not answer:
            raise AssertionError(f"{self.full_jid}: no answer to {payload!r} within {timeout}s")
        return answer[0]

    def subscribe(self, to):
        """Asks `to` for presence subscription; answers arrive in `presences`."""
        self._call(lambda: self._client.send_presence(pto=to, ptype="subscribe"))

    def wait_subscription(self, jid, states=("to", "both"), timeout=DEFAULT_TIMEOUT):
        """Fetches the roster from the server until `jid`'s subscription is one of `states`
        ("to" once `jid` approved our subscription request); returns it."""
        deadline = time.monotonic() + timeout
        while True:
            answer = queue.Queue()

            async def fetch():
                await self._client.get_roster()
                answer.put(self._client.client_roster[jid]["subscription"])

            self._call(lambda: asyncio.ensure_future(fetch()))
            state = answer.get(timeout=max(deadline - time.monotonic(), 1))
            if state in states:
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.full_jid}: subscription to {jid} is {state!r}, "
                                     f"not one of {states}")
            time.sleep(0.01)  # polling interval, not a synchronisation

    def add_message_listener(self, listener):
        """Also calls listener(from_jid, body, stanza_id) for every chat/normal message with a
        body, on the client's thread (for tests that look at stanza ids, e.g. redeliveries)."""
        self._listeners.append(listener)

    def disconnect(self, timeout=DEFAULT_TIMEOUT):
        """Unavailable presence and a clean stream close; returns once the socket is closed."""
        if self._thread is None:
            return
        if self._lost.is_set():
            self._shutdown()
            return
        done = threading.Event()

        async def close():
            self._client.add_event_handler("disconnected", lambda _: done.set())
            await self._client.disconnect(wait=1.0)
            done.set()

        self._call(lambda: asyncio.ensure_future(close()))
        done.wait(timeout)
        self._shutdown()

    def wait_lost(self, timeout=DEFAULT_TIMEOUT):
        """Waits until the client noticed its stream is gone (e.g. the server was killed), then
        drops the client so that connect() may log in again."""
        if not self._lost.wait(timeout):
            raise AssertionError(f"{self.full_jid}: still connected after {timeout}s")
        self._shutdown()

    @property
    def connected(self):
        return self._thread is not None

    # --- expectations ---

    def expect(self, text_or_predicate, timeout=DEFAULT_TIMEOUT, sender=None):
        """The next chat message (optionally: from `sender`'s bare JID) must match: equal to a
        string, or accepted by a predicate on the body. Returns (from_jid, body)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                sender_jid, body = self.messages.get(timeout=max(remaining, 0))
            except queue.Empty:
                raise AssertionError(
                    f"{self.full_jid}: no message within {timeout}s, expected {text_or_predicate!r}")
            if sender is not None and sender_jid.split("/")[0] != sender:
                continue
            matches = (text_or_predicate(body) if callable(text_or_predicate)
                       else body == text_or_predicate)
            if not matches:
                raise AssertionError(
                    f"{self.full_jid}: got {body!r} from {sender_jid}, expected {text_or_predicate!r}")
            return sender_jid, body

    def assert_no_message(self, within=0.5):
        try:
            sender_jid, body = self.messages.get(timeout=within)
        except queue.Empty:
            return
        raise AssertionError(f"{self.full_jid}: unexpected message {body!r} from {sender_jid}")

    def expect_presence(self, predicate, timeout=DEFAULT_TIMEOUT):
        """Skips presences until one (from, type, show) satisfies `predicate`; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                presence = self.presences.get(timeout=max(remaining, 0))
            except queue.Empty:
                raise AssertionError(f"{self.full_jid}: no matching presence within {timeout}s")
            if predicate(*presence):
                return presence

    def assert_no_presence(self, predicate, within=1.0):
        deadline = time.monotonic() + within
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                presence = self.presences.get(timeout=remaining)
            except queue.Empty:
                return
            if predicate(*presence):
                raise AssertionError(f"{self.full_jid}: unexpected presence {presence}")

    # --- internals (on the client's event loop) ---

    def _on_start(self, client, show, started, announce=True, priority=None):
        if announce:
            client.send_presence(pshow=show, ppriority=priority)
        started.set()

    def _fail(self, failure, started, reason):
        failure.append(reason)
        started.set()

    def _on_message(self, msg):
        nick = msg.xml.find("{http://jabber.org/protocol/nick}nick")
        if nick is not None:
            self.nicks[str(msg["from"]).split("/")[0]] = nick.text or ""
        if msg["type"] in ("chat", "normal") and msg["body"]:
            for listener in self._listeners:
                listener(str(msg["from"]), msg["body"], msg["id"])
            self.messages.put((str(msg["from"]), msg["body"]))

    def _on_presence(self, presence):
        # The raw type attribute: slixmpp's presence["type"] folds <show/> into it.
        self.presences.put((str(presence["from"]), presence.xml.get("type", ""), presence["show"]))

    def _call(self, fn):
        if self._loop is None:
            raise RuntimeError(f"{self.bare_jid} is not connected")
        self._loop.call_soon_threadsafe(fn)

    def _shutdown(self):
        loop, thread = self._loop, self._thread
        self._loop = self._thread = self._client = None
        if loop is None:
            return

        async def cancel_tasks():
            # slixmpp leaves reader/filter tasks behind; cancel them so the loop closes quietly.
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            loop.stop()

        loop.call_soon_threadsafe(lambda: asyncio.ensure_future(cancel_tasks()))
        if thread is not None:
            thread.join(5)
        if not loop.is_running():
            loop.close()

logging.getLogger("slixmpp").setLevel(logging.WARNING)
