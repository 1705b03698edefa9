"""Raw XMPP for interoperability scenarios: what real clients send, stanza by stanza, and every
message stanza the operator receives (also those without a body: receipts, markers, chat states).

    stanzas = RawStanzas(joe)                      # joe: a connected harness.operator.Operator
    joe.send_raw("<message ...>...</message>")     # a stanza exactly as a client sends it
    element = stanzas.expect(lambda m: child(m, "received", NS_RECEIPTS) is not None)
    stanzas.assert_none(lambda m: ..., within=0.5)
    result = iq(joe, "<iq type='get' to='bot@localhost/seshat' id='x'>...</iq>")  # the answer

Elements are xml.etree.ElementTree elements as slixmpp renders them (its stream's default
namespace, jabber:client, may be left out: use body() and child()).
"""

import asyncio
import queue
import time
import xml.etree.ElementTree as ET

NS_CLIENT = "jabber:client"
NS_RECEIPTS = "urn:xmpp:receipts"
NS_MARKERS = "urn:xmpp:chat-markers:0"
NS_CHATSTATES = "http://jabber.org/protocol/chatstates"
NS_SID = "urn:xmpp:sid:0"
NS_DISCO_INFO = "http://jabber.org/protocol/disco#info"
NS_VERSION = "jabber:iq:version"


def child(element, name, ns):
    return element.find(f"{{{ns}}}{name}")


def body(element):
    """The text of <body/> (slixmpp renders the stream's default namespace, or leaves it out)."""
    found = element.find(f"{{{NS_CLIENT}}}body")
    if found is None:
        found = element.find("body")
    return None if found is None else found.text


class RawStanzas:
    """Every <message/> `op` receives from now on, as XML elements, in order."""

    _count = 0

    def __init__(self, op):
        self.op = op
        self.queue = queue.Queue()
        RawStanzas._count += 1
        name = f"raw-messages-{RawStanzas._count}"

        def register():
            # Not slixmpp's "message" event: that one only fires for messages with a body.
            from slixmpp.xmlstream.handler import Callback
            from slixmpp.xmlstream.matcher import MatchXPath
            op._client.register_handler(Callback(
                name, MatchXPath(f"{{{NS_CLIENT}}}message"),
                lambda msg: self.queue.put(ET.fromstring(str(msg)))))

        op._call(register)

    def expect(self, predicate, timeout=10.0):
        """Skips messages until one satisfies `predicate`; returns it."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            try:
                element = self.queue.get(timeout=max(remaining, 0))
            except queue.Empty:
                raise AssertionError(f"{self.op.full_jid}: no matching stanza within {timeout}s; "
                                     f"saw {[ET.tostring(e).decode() for e in seen]}")
            if predicate(element):
                return element
            seen.append(element)

    def assert_none(self, predicate, within=0.5):
        deadline = time.monotonic() + within
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                element = self.queue.get(timeout=remaining)
            except queue.Empty:
                return
            if predicate(element):
                raise AssertionError(f"unexpected stanza {ET.tostring(element).decode()}")


def iq(op, xml, timeout=10.0):
    """Sends the IQ `xml` (it must carry an id) and returns the answer with that id."""
    request = ET.fromstring(xml)
    stanza_id = request.get("id")
    answers = queue.Queue()

    def register():
        from slixmpp.xmlstream.handler import Callback
        from slixmpp.xmlstream.matcher import MatchXPath
        op._client.register_handler(Callback(
            f"answer-{stanza_id}", MatchXPath(f"{{{NS_CLIENT}}}iq"),
            lambda stanza: answers.put(ET.fromstring(str(stanza)))
            if stanza["id"] == stanza_id else None))
        op._client.send_raw(xml)

    op._call(register)
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            answer = answers.get(timeout=max(remaining, 0))
        except queue.Empty:
            raise AssertionError(f"no answer to {xml} within {timeout}s")
        if answer.get("type") in ("result", "error"):
            op._call(lambda: op._client.remove_handler(f"answer-{stanza_id}"))
            return answer


class EventStream:
    """The visitor's page as an EventSource: GET .../events on a thread, every event (dicts with
    event, id, data, and `at`: time.monotonic() when it was read) into a queue.

        events = EventStream(app, visitor)        # visitor: a started harness.visitor.Visitor
        events.expect(lambda e: e.get("event") == "typing")
        events.close()

    delayed_acks=True reads like a client whose TCP delays its ACKs (Windows always, 200 ms;
    Linux in its "ping-pong" mode, 40 ms): TCP_QUICKACK off after every event read.
    """

    def __init__(self, app, visitor, after=0, delayed_acks=False):
        import http.client
        import json
        import socket
        import threading
        from harness.prosody import HOST
        from harness.stream import sse_events

        self.queue = queue.Queue()
        self._connection = http.client.HTTPConnection(HOST, app.port, timeout=60)
        self._connection.request(
            "GET", f"{app.prefix}/api/chats/{visitor.id}/events?after={after}",
            headers={"Authorization": f"Bearer {visitor.token}", "Accept": "text/event-stream"})
        self._socket = self._connection.sock  # http.client forgets it for a closing response
        response = self._connection.getresponse()
        assert response.status == 200, response.status

        def read():
            try:
                for event in sse_events(response):
                    event["at"] = time.monotonic()
                    if delayed_acks:  # Linux leaves the mode after each delayed ACK it sends
                        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 0)
                    if "data" in event:
                        event["json"] = json.loads(event["data"])
                    self.queue.put(event)
            except (OSError, ValueError):
                pass
            self.queue.put(None)

        self._thread = threading.Thread(target=read, daemon=True)
        self._thread.start()

    def expect(self, predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            try:
                event = self.queue.get(timeout=max(remaining, 0))
            except queue.Empty:
                raise AssertionError(f"no matching event within {timeout}s; saw {seen}")
            if event is None:
                raise AssertionError(f"the stream ended; saw {seen}")
            if predicate(event):
                return event
            seen.append(event)

    def close(self):
        try:
            self._socket.shutdown(2)
        except OSError:
            pass
        self._connection.close()
        self._thread.join(5)
