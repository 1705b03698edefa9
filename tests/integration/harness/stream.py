"""Numbered messages both ways through one chat, for the fault tests (fault_*_test.py).

    stream = ChatStream(web, joe, bot_jid)          # web: the Seshat that serves HTTP
    stream.open()                                   # visitor starts, joe accepts, both see it
    stream.start_reader()                           # a visitor long-polling with after=last seq
    stream.visitor_sends(1, 30, pace=0.05)          # "v-1".."v-30" on a thread, retrying
    stream.operator_sends(1, 30)                    # "o-1".."o-30" from joe's XMPP client
    stream.finish()                                 # waits, then checks exactly once, in order

The visitor's client is a careful one: after a connection error or a 503 it waits until the
gateway answers again, reads the transcript to learn whether the message was stored after all,
and sends it again only if it was not. So every "v-N" is stored once, and the checks can demand
that the operator received each stored visitor message exactly once and in order, and that the
visitor read each operator message exactly once and in order (the reader's incremental reads must
equal one full read of the transcript at the end).

Toward the operator, "exactly once" is judged the way an XMPP client can judge it: by stanza id.
When the broker dies between writing a message to its socket and the ping barrier's answer, it
cannot know whether the server got the message, so after the restart it sends it again with the
same stanza id (at least once; see ARCHITECTURE.md). finish(redelivery=Redelivery.after_crash)
accepts such copies only if they repeat an earlier stanza's id and body, and counts them in
`redelivered`; with Redelivery.none any second copy fails the test.

Waiting is on queues and deadlines; the pace between sends is a pace, not a synchronisation.
"""

import enum
import http.client
import json
import queue
import re
import socket
import threading
import time
import urllib.error

from harness import openapi
from harness.prosody import HOST
from harness.visitor import ApiError, request

VISITOR_PREFIX = "v-"
OPERATOR_PREFIX = "o-"
RETRY_PAUSE = 0.05  # between attempts while the gateway is down
NETWORK_ERRORS = (urllib.error.URLError, ConnectionError, http.client.HTTPException,
                  socket.timeout, TimeoutError, OSError)


def visitor_text(n):
    return f"{VISITOR_PREFIX}{n}"


def operator_text(n):
    return f"{OPERATOR_PREFIX}{n}"


def numbered(prefix, texts):
    """The numbers of the texts that look like prefix+N, in order."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)")
    return [int(m.group(1)) for m in (pattern.fullmatch(t) for t in texts) if m]


def bot_online(operator, bot, timeout=30):
    """Waits for the bot's available presence from a full JID (the bare 'unavailable' that
    arrives when the subscription is set up is not it); returns that full JID."""
    sender, _, _ = operator.expect_presence(
        lambda sender, kind, show: sender.startswith(bot + "/") and kind != "unavailable",
        timeout=timeout)
    return sender


def bot_offline(operator, full_jid, timeout=30):
    """Waits until the server tells the operator that this session of the bot ended: from then
    on, messages to the bot wait in offline storage."""
    operator.expect_presence(lambda sender, kind, show: sender == full_jid and kind == "unavailable",
                             timeout=timeout)


class StreamFailure(AssertionError):
    pass


class Reader(enum.Enum):
    long_poll = "long-poll"
    sse = "sse"


def sse_events(response):
    """The events of a text/event-stream response as dicts (id, event, data, comments)."""
    event = {}
    while True:
        line = response.readline()
        if not line:
            return
        line = line.decode().rstrip("\n").rstrip("\r")
        if line == "":
            if event:
                if "data" in event:
                    openapi.check_event(event.get("event"), event["data"])
                yield event
            event = {}
        elif line.startswith(":"):
            event.setdefault("comments", []).append(line)
        else:
            field, _, value = line.partition(":")
            event[field] = value[1:] if value.startswith(" ") else value


class Redelivery(enum.Enum):
    none = "none"                # no process died holding unconfirmed messages: no copies at all
    after_crash = "after_crash"  # copies allowed if they repeat an earlier stanza id and body


class ChatStream:
    def __init__(self, web, operator, bot_jid, name="customer", timeout=30.0, address=None):
        self.web = web                  # a harness.seshat.Seshat answering HTTP (serve or web)
        self.operator = operator        # a harness.operator.Operator, connected
        self.bot = bot_jid              # where joe writes and what writes to him
        self.address = address          # component mode: fn(chat) -> the chat's own address
        self.name = name
        self.timeout = timeout          # for each wait below
        self.chat = None
        self.token = None
        self.accepted = []              # numbers the API answered 202 for, in order
        self.stored_unanswered = []     # numbers found stored after a lost answer
        self.refusals = 0               # sends refused (connection error or 503) and retried
        self.refused = threading.Event()  # set at the first refusal
        self.send_seconds = []          # how long each accepted send took (202 after N s)
        self.operator_sent = []         # numbers joe's client sent
        self.operator_got = []          # bodies joe received from the bot, in order
        self.operator_stanzas = []      # (body, stanza id) of the bot's v-N messages, in order
        self.redelivered = []           # v-N numbers joe got again under the same stanza id
        self.operator_other = []        # other bodies joe received (system texts)
        self.read = []                  # messages the reader got, in order
        self.read_errors = 0            # reads that failed (gateway down) and were retried
        self.drops = 0                  # connections the reader dropped on purpose
        self.sse_connections = 0        # event streams opened (the first and every resumption)
        self._drop_every = 0
        self._read_lock = threading.Condition()
        self._reader = None
        self._reader_stop = threading.Event()
        self._senders = []
        self._errors = []
        operator.add_message_listener(self._on_operator_stanza)

    # --- the chat ---

    def open(self):
        status, reply = request(self.web.url("/api/chats"), "POST", {"name": self.name})
        assert status == 201, (status, reply)
        self.chat, self.token = reply["id"], reply["token"]
        if self.address:
            self.bot = self.address(self.chat)
        self.operator.expect(lambda text: text.startswith(f"Remote user '{self.name}'"),
                             sender=self.bot, timeout=self.timeout)
        self.operator.send(self.bot, f"!ACCEPT {self.chat}")
        self.operator.expect(
            f"You are now handling chat #{self.chat}. Send '!FINISH' when you are done.",
            sender=self.bot, timeout=self.timeout)
        deadline = time.monotonic() + self.timeout
        while not any(m["text"] == "Your chat has started." for m in self.transcript()):
            if time.monotonic() > deadline:
                raise StreamFailure("the visitor never saw 'Your chat has started.'")
            self._get("messages?after=0&wait=1")
        return self.chat

    def transcript(self):
        """The whole transcript (every page), read once; raises on errors."""
        messages, after = [], 0
        while True:
            page = self._get(f"messages?after={after}")["messages"]
            if not page:
                return messages
            messages += page
            after = page[-1]["seq"]

    def _get(self, query, timeout=30):
        _, reply = request(self.web.url(f"/api/chats/{self.chat}/{query}"), token=self.token,
                           timeout=timeout)
        return reply

    # --- visitor -> operator ---

    def send_visitor(self, n, deadline):
        """Sends v-N until the API accepts it or it is found stored; retries while down."""
        text = visitor_text(n)
        lost_answer = False
        while True:
            if time.monotonic() > deadline:
                raise StreamFailure(f"{text}: not accepted before the deadline")
            if lost_answer:
                try:
                    stored = [m for m in self.transcript()
                              if m["from"] == "visitor" and m["text"] == text]
                except (ApiError, *NETWORK_ERRORS):
                    time.sleep(RETRY_PAUSE)  # still down: try again in a moment
                    continue
                if stored:
                    self.stored_unanswered.append(n)
                    return None
                lost_answer = False
            started = time.monotonic()
            try:
                status, reply = request(self.web.url(f"/api/chats/{self.chat}/messages"), "POST",
                                        {"text": text}, token=self.token, timeout=10)
            except ApiError as error:
                if error.status != 503:
                    raise StreamFailure(f"{text}: HTTP {error.status} {error.body}") from None
                self.refusals += 1
                self.refused.set()
                lost_answer = True  # a 503 stores nothing, but checking costs nothing
                time.sleep(RETRY_PAUSE)
                continue
            except NETWORK_ERRORS:
                self.refusals += 1
                self.refused.set()
                lost_answer = True
                time.sleep(RETRY_PAUSE)
                continue
            assert status == 202, (status, reply)
            self.send_seconds.append(time.monotonic() - started)
            self.accepted.append(n)
            return reply["seq"]

    def visitor_sends(self, first, last, pace=0.05, progress=None):
        """Sends v-first..v-last on a thread, one every `pace` seconds. `progress`, if given,
        is a dict {n: threading.Event} set once v-n was sent (accepted or found stored)."""
        def run():
            deadline = time.monotonic() + self.timeout + (last - first + 1) * pace
            try:
                for n in range(first, last + 1):
                    self.send_visitor(n, deadline)
                    if progress and n in progress:
                        progress[n].set()
                    time.sleep(pace)  # the stream's pace
            except BaseException as error:  # reported by wait_senders()
                self._errors.append(error)
                for event in (progress or {}).values():
                    event.set()

        thread = threading.Thread(target=run, name=f"visitor-{first}-{last}", daemon=True)
        self._senders.append(thread)
        thread.start()
        return thread

    def wait_senders(self):
        for thread in self._senders:
            thread.join(self.timeout * 3)
            if thread.is_alive():
                raise StreamFailure(f"{thread.name} did not finish")
        self._senders = []
        if self._errors:
            raise self._errors[0]

    def stored_visitor_numbers(self):
        return sorted(self.accepted + self.stored_unanswered)

    # --- operator -> visitor ---

    def operator_sends(self, first, last, pace=0.0):
        for n in range(first, last + 1):
            self.operator.send(self.bot, operator_text(n))
            self.operator_sent.append(n)
            if pace:
                time.sleep(pace)  # the stream's pace

    # --- the visitor's reader ---

    def start_reader(self, kind=Reader.long_poll, wait=5, drop_every=0):
        """A visitor reading on a thread, resuming where it was after every failure: long-polls
        with after=<last seq>, or an SSE stream reopened with Last-Event-ID: <last seq>.
        drop_every=N drops the connection on purpose: every Nth long-poll is closed while the
        server holds it, an SSE stream is closed after every N message events."""
        self._drop_every = drop_every
        target = self._read_long_polls if kind == Reader.long_poll else self._read_sse
        self._reader = threading.Thread(target=target, args=(wait,), name=f"visitor-{kind.value}",
                                        daemon=True)
        self._reader.start()

    def _take(self, messages, after):
        """Records what was read; returns the new position."""
        with self._read_lock:
            for message in messages:
                if message["seq"] <= after:
                    self._errors.append(StreamFailure(
                        f"seq {message['seq']} read again after {after}"))
                after = max(after, message["seq"])
                self.read.append(message)
            self._read_lock.notify_all()
        return after

    def _connection(self, timeout):
        return http.client.HTTPConnection(HOST, self.web.port, timeout=timeout)

    def _read_long_polls(self, wait):
        after, polls = 0, 0
        path = f"{self.web.prefix}/api/chats/{self.chat}/messages"
        while not self._reader_stop.is_set():
            polls += 1
            connection = self._connection(wait + 10)
            try:
                connection.request("GET", f"{path}?after={after}&wait={wait}",
                                   headers={"Authorization": f"Bearer {self.token}"})
                if self._drop_every and polls % self._drop_every == 0:
                    # Gone mid-wait (a closed laptop, a lost network): whatever the server
                    # answers is never read; the next poll starts again from `after`.
                    connection.sock.shutdown(socket.SHUT_RDWR)
                    self.drops += 1
                    continue
                response = connection.getresponse()
                body = json.loads(response.read())
                if response.status != 200:
                    raise ApiError(response.status, body)
                after = self._take(body["messages"], after)
            except (ApiError, ValueError, *NETWORK_ERRORS):
                self.read_errors += 1
                self._reader_stop.wait(RETRY_PAUSE)
            finally:
                connection.close()

    def _read_sse(self, wait):
        after = 0
        path = f"{self.web.prefix}/api/chats/{self.chat}/events"
        while not self._reader_stop.is_set():
            # A short socket timeout lets the thread notice stop(); a timeout is one more
            # resumption with Last-Event-ID.
            connection = self._connection(1)
            try:
                headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
                if after:
                    headers["Last-Event-ID"] = str(after)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                if response.status != 200:
                    raise ApiError(response.status, response.read())
                self.sse_connections += 1
                events = 0
                for event in sse_events(response):
                    if "id" not in event:
                        continue  # status, retry, comments
                    message = json.loads(event["data"])
                    if message["seq"] != int(event["id"]):
                        self._errors.append(StreamFailure(f"event id {event['id']} != seq"))
                    after = self._take([message], after)
                    events += 1
                    if self._drop_every and events % self._drop_every == 0:
                        self.drops += 1
                        break  # gone; come back with Last-Event-ID
                    if self._reader_stop.is_set():
                        break
            except (ApiError, ValueError, *NETWORK_ERRORS):
                self.read_errors += 1
                self._reader_stop.wait(RETRY_PAUSE)
            finally:
                connection.close()

    def stop_reader(self):
        if self._reader is not None:
            self._reader_stop.set()
            self._reader.join(30)
            self._reader = None

    def wait_read(self, predicate, what):
        """Waits until predicate(list of messages read) holds."""
        deadline = time.monotonic() + self.timeout
        with self._read_lock:
            while not predicate(self.read):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise StreamFailure(f"the visitor did not read {what}; read "
                                        f"{[m['text'] for m in self.read]}")
                self._read_lock.wait(remaining)

    def wait_operator_messages_read(self):
        """Until the reader has every operator message sent so far."""
        wanted = list(self.operator_sent)
        self.wait_read(lambda read: numbered(OPERATOR_PREFIX, [m["text"] for m in read
                                                                if m["from"] == "operator"])
                       [:len(wanted)] == wanted, f"o-1..o-{len(wanted)}")

    # --- what joe received ---

    def _on_operator_stanza(self, sender, body, stanza_id):
        if sender.split("/")[0] == self.bot and re.fullmatch(r"v-\d+", body):
            self.operator_stanzas.append((body, stanza_id))

    def collect_operator(self, count, timeout=None):
        """Takes joe's messages until v-1..v-count all arrived."""
        deadline = time.monotonic() + (timeout or self.timeout)
        wanted = set(range(1, count + 1))
        while not wanted <= set(numbered(VISITOR_PREFIX, self.operator_got)):
            remaining = deadline - time.monotonic()
            try:
                sender, body = self.operator.messages.get(timeout=max(remaining, 0))
            except queue.Empty:
                raise StreamFailure(
                    f"joe got {len(numbered(VISITOR_PREFIX, self.operator_got))} of {count} "
                    f"visitor messages: {self.operator_got}; other: {self.operator_other}")
            if sender.split("/")[0] == self.bot and re.fullmatch(r"v-\d+", body):
                self.operator_got.append(body)
            else:
                self.operator_other.append(body)

    def drain_operator(self, within=0.5):
        """Whatever else reaches joe within `within` seconds (late duplicates, for example)."""
        deadline = time.monotonic() + within
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                sender, body = self.operator.messages.get(timeout=remaining)
            except queue.Empty:
                return
            if sender.split("/")[0] == self.bot and re.fullmatch(r"v-\d+", body):
                self.operator_got.append(body)
            else:
                self.operator_other.append(body)

    # --- the final check ---

    def finish(self, test, redelivery=Redelivery.none):
        """Waits for both directions to arrive, then checks exactly once and in order.
        Returns the number of messages checked."""
        self.wait_senders()
        stored = self.stored_visitor_numbers()
        self.collect_operator(len(stored))
        self.wait_operator_messages_read()
        self.drain_operator()
        self.stop_reader()
        if self._errors:
            raise self._errors[0]
        full = self.transcript()

        # The visitor's client stored v-1..v-N once each, in order.
        visitor_texts = [m["text"] for m in full if m["from"] == "visitor"]
        test.assertEqual(numbered(VISITOR_PREFIX, visitor_texts), list(range(1, len(stored) + 1)),
                         "visitor messages in the store")
        test.assertEqual(stored, list(range(1, len(stored) + 1)))
        # joe got each stored visitor message exactly once, in order (copies under the same
        # stanza id aside, where a crash allows them).
        test.assertEqual(len(self.operator_stanzas), len(self.operator_got))
        first_copies, body_of = [], {}
        for body, stanza_id in self.operator_stanzas:
            if stanza_id and stanza_id in body_of:
                test.assertEqual(body_of[stanza_id], body, f"stanza id {stanza_id} reused")
                self.redelivered.append(numbered(VISITOR_PREFIX, [body])[0])
                continue
            body_of[stanza_id] = body
            first_copies.append(body)
        test.assertEqual(numbered(VISITOR_PREFIX, first_copies), stored,
                         f"what joe received (other texts: {self.operator_other})")
        if redelivery == Redelivery.none:
            test.assertEqual(self.redelivered, [], "copies sent again with no crash")
        # The visitor read each operator message exactly once, in order.
        operator_texts = [m["text"] for m in full if m["from"] == "operator"]
        test.assertEqual(numbered(OPERATOR_PREFIX, operator_texts), self.operator_sent,
                         "operator messages in the store")
        # The incremental reads (after=last seq, across failures) equal one full read.
        test.assertEqual([(m["seq"], m["text"]) for m in self.read],
                         [(m["seq"], m["text"]) for m in full], "the reader's view")
        seqs = [m["seq"] for m in full]
        test.assertEqual(seqs, sorted(set(seqs)), "seqs strictly increasing")
        return len(stored) + len(self.operator_sent)

    def summary(self):
        return (f"chat {self.chat}: {len(self.accepted)} accepted (202), "
                f"{len(self.stored_unanswered)} stored with a lost answer, "
                f"{self.refusals} refusals retried, {len(self.operator_sent)} operator messages, "
                f"{self.read_errors} failed reads retried, {self.drops} dropped on purpose, "
                f"redelivered to joe under the same stanza id: {self.redelivered}")
