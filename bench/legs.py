"""Where a message's time goes on the wire: seshat's leg or the XMPP server's.

    python3 bench/legs.py a.pcap --http-port 8080 --xmpp-port 5222

Reads a capture of scenario a's steady phase on loopback (`bench/run.py --pcap DIR` writes one
per XMPP server) and splits each visitor->operator message into:

- seshat: the POST arriving -> seshat's first write to the XMPP server after it (the message,
  with its delivery ping, in one TLS record);
- server: that write -> the server's next write to another client (the operator);
- 202: the POST arriving -> its answer.

The XMPP stream is encrypted, so a POST is matched to the next write in time: at a's steady pace
(100 chats, one message a second each way) two messages rarely overlap, and the few pings and
answers in between only ever make a leg look shorter. The burst that follows the steady phase
(50 POSTs within 50 ms: the steady phase sends 100 a second) ends the analysis. Prints
p50/p90/p99 of each leg and, for the slowest 1% end to end, which leg held most of the time."""

import argparse
import bisect
import re
import subprocess
import sys

PACKET = re.compile(r"(\d+)\.(\d+) IP [\d.]+?\.(\d+) > [\d.]+?\.(\d+):.* length (\d+)")


def packets(pcap):
    """(time ns, source port, destination port, start of the payload as text), with payload."""
    # A capture cut short (its writer killed) is read up to where it ends.
    text = subprocess.run(["tcpdump", "-r", pcap, "-n", "-tt", "--time-stamp-precision=nano", "-A"],
                          capture_output=True, text=True).stdout
    found, current = [], None
    for line in text.splitlines():
        match = PACKET.match(line)
        if match:
            current = None
            if int(match.group(5)) > 0:
                current = [int(match.group(1)) * 10**9 + int(match.group(2)),
                           int(match.group(3)), int(match.group(4)), ""]
                found.append(current)
        elif current is not None and len(current[3]) < 400:
            current[3] += line
    return found


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")


def steady(posts, many=50, within_ns=50_000_000):
    """The POSTs before e's burst begins."""
    for i in range(len(posts) - many):
        if posts[i + many][0] - posts[i][0] < within_ns:
            return posts[:i]
    return posts


def legs(found, http_port, xmpp_port):
    posts, answers, seshat_out, server_out = [], {}, [], []
    for t, source, destination, payload in found:
        if destination == http_port and "/messages HTTP" in payload:
            posts.append((t, source))
        elif source == http_port and "202 Accepted" in payload:
            answers.setdefault(destination, []).append(t)
        elif destination == xmpp_port:
            seshat_out.append((t, source))
        elif source == xmpp_port:
            server_out.append((t, destination))
    posts = steady(posts)
    # seshat's connection is the one that writes to the server after most POSTs.
    counts = {}
    for t, _ in posts:
        i = bisect.bisect_left(seshat_out, (t, 0))
        if i < len(seshat_out):
            counts[seshat_out[i][1]] = counts.get(seshat_out[i][1], 0) + 1
    if not counts:
        raise SystemExit("legs: no visitor message was followed by a write to the XMPP server")
    seshat_port = max(counts, key=counts.get)
    seshat_times = [t for t, port in seshat_out if port == seshat_port]
    to_others = [t for t, port in server_out if port != seshat_port]
    rows = []
    for t, client in posts:
        i = bisect.bisect_left(seshat_times, t)
        if i == len(seshat_times):
            continue
        j = bisect.bisect_left(to_others, seshat_times[i])
        if j == len(to_others):
            continue
        replies = answers.get(client, [])
        k = bisect.bisect_left(replies, t)
        answered = replies[k] - t if k < len(replies) else None
        rows.append({"seshat": seshat_times[i] - t, "server": to_others[j] - seshat_times[i],
                     "202": answered})
    return rows


def report(rows, out=sys.stdout):
    if not rows:
        print("legs: no message to split", file=out)
        return {}
    summary = {}
    for leg in ("seshat", "server", "202"):
        values = [row[leg] / 1e3 for row in rows if row[leg] is not None]
        summary[leg] = {f"p{p}": percentile(values, p) for p in (50, 90, 99)}
        print(f"  {leg:7s} p50 {summary[leg]['p50']:6.0f} us  p90 {summary[leg]['p90']:6.0f} us"
              f"  p99 {summary[leg]['p99']:6.0f} us", file=out)
    totals = sorted(rows, key=lambda row: row["seshat"] + row["server"])
    slow = totals[-max(1, len(totals) // 100):]
    server_held = sum(1 for row in slow if row["server"] > row["seshat"])
    summary["slowest"] = {"count": len(slow), "server_held_most": server_held}
    print(f"  slowest 1% ({len(slow)} of {len(rows)}): the server held most of the time in "
          f"{server_held}, seshat in {len(slow) - server_held}", file=out)
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pcap")
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--xmpp-port", type=int, required=True)
    args = parser.parse_args()
    report(legs(packets(args.pcap), args.http_port, args.xmpp_port))


if __name__ == "__main__":
    main()
