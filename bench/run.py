#!/usr/bin/python3
"""The whole Seshat benchmark in one command (bench/README.md):

    python3 bench/run.py --seshat build/src/app/seshat --loadgen build/bench/seshat_loadgen \
        --sqlite-floor build/bench/seshat_sqlite_floor [--idle 2000] [--transport sse] \
        [--runs 5] [--servers prosody,ejabberd,prosody-defaults] [--out DIR]

Starts a real Prosody (tests/integration/harness) and `seshat serve`, measures the floors in the
same run (direct XMPP hop and rate, nginx static under wrk, SQLite commits), runs the scenarios
and prints: scenario | figure | floor | ratio | target. With --runs N it does that N times (the
idle visitors of c at full count in the first run only) and prints each row's spread and how
many runs met its target. --smoke: a few seconds, asserts that messages were measured both
ways, the first message after each accept included, with seshat on the bot's account and in
component mode (the ctest bench.smoke).
"""

import argparse
import copy
import hashlib
import hmac
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

from harness.ejabberd import Ejabberd  # noqa: E402
from harness.prosody import Prosody, free_port, wait_for_port  # noqa: E402
from harness.postgres import PostgresCluster  # noqa: E402
from harness.seshat import Seshat  # noqa: E402

import legs  # noqa: E402  (bench/legs.py)
import pictures  # noqa: E402  (bench/pictures.py)

BOT, BOT_PASSWORD = "bot", "bot-secret"


def add_account(server, user, password, iterations=10000):
    """Writes a SCRAM-SHA-1 account as Prosody's internal_hashed storage keeps it: prosodyctl
    takes 0.8 s per account, and a benchmark needs a hundred."""
    salt = str(uuid.uuid4())
    salted = hashlib.pbkdf2_hmac("sha1", password.encode(), salt.encode(), iterations)
    client_key = hmac.new(salted, b"Client Key", "sha1").digest()
    stored_key = hashlib.sha1(client_key).hexdigest()
    server_key = hmac.new(salted, b"Server Key", "sha1").hexdigest()
    folder = os.path.join(server.dir, "data", server.domain, "accounts")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"{user}.dat"), "w") as f:
        f.write(f'return {{\n\t["stored_key"] = "{stored_key}";\n\t["salt"] = "{salt}";\n'
                f'\t["iteration_count"] = {iterations};\n\t["server_key"] = "{server_key}";\n}};\n')


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_kb(pid, file, field):
    """One "Field:   N kB" line of /proc/PID/FILE."""
    with open(f"/proc/{pid}/{file}") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def rss_kb(pid):
    return proc_kb(pid, "status", "VmRSS")


def pss_kb(pid):
    """Proportional set size: pages shared with other processes (the binary, its libraries)
    count a share each, so a sum over processes is the memory they take together."""
    return proc_kb(pid, "smaps_rollup", "Pss")


def metric(process, prefix):
    """The sum of a seshat process's /metrics samples whose line starts with `prefix`."""
    import urllib.request
    with urllib.request.urlopen(process.root_url("/metrics"), timeout=5) as response:
        return sum(int(float(line.split()[1])) for line in response.read().decode().splitlines()
                   if line.startswith(prefix))


def live_chats(app):
    """The chats the broker holds (waiting, notified, open)."""
    return metric(app, "seshat_chats{")


def event_streams(gateway):
    """The gateway's open event streams."""
    return metric(gateway, "seshat_http_event_streams ")


def spread_idle(args, app, server, operators, database, idle, per_process, common, tokens):
    """c with more idle visitors than one process may hold descriptors for (the hard limit,
    ulimit -Hn, which only a process with CAP_SYS_RESOURCE may raise): they go to `seshat web`
    gateways on the same database, at most `per_process` each, as to several gateways behind a
    load balancer, each held by a load generator of its own (`--mode hold`); a's chats run on
    the serve process meanwhile. The memory is every seshat process's PSS together (and RSS,
    for context), the gateways' own start included. Returns what the relay load generator
    returns, with c's memory and count and the direct XMPP hop measured among the held visitors
    (hop_among)."""
    count = -(-idle // per_process)
    shares = [idle // count + (1 if i < idle % count else 0) for i in range(count)]
    print(f"--- c: {idle} idle SSE visitors over {count} `seshat web` gateways "
          f"({', '.join(map(str, shares))}) and as many holding load generators", flush=True)
    gateways, holders = [], []
    rss_before = rss_kb(app.pid)
    pss_before = pss_kb(app.pid)
    try:
        for share in shares:
            gateway = Seshat(args.seshat, server, operators, db=app.db, database=database,
                             extra={**SESHAT_EXTRA, "max_connections": share + 1000},
                             log_level="info")
            gateways.append(gateway)
            gateway.start("web")
        pids = [app.pid] + [g.pid for g in gateways]
        started_kb = sum(rss_kb(pid) for pid in pids)
        started_pss_kb = sum(pss_kb(pid) for pid in pids)
        curve = [[0, pss_before], [0, started_pss_kb]]  # PSS: what c's row judges
        for index, (gateway, share) in enumerate(zip(gateways, shares)):
            command = [args.loadgen, "--mode", "hold", "--xmpp-port", str(server.port),
                       "--http-port", str(gateway.port),
                       "--transport", args.transport, "--idle", str(share),
                       "--address-base", str(50 + 3 * index)] + idle_reads(args)
            if index == 0:
                command += ["--tokens-out", tokens]
            holders.append(subprocess.Popen(command, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, text=True))
        held = []
        for holder in holders:  # each prints HELD once its share settled
            while True:
                line = holder.stdout.readline()
                if not line:
                    raise RuntimeError("c: a holding load generator ended before it held")
                if line.startswith("HELD "):
                    held.append(json.loads(line[len("HELD "):]))
                    break
            curve.append([sum(event_streams(g) for g in gateways),
                          sum(pss_kb(pid) for pid in pids)])
        # `serve` watches no other process (it is meant to be alone): its broker takes the
        # gateways' chats in at its next pump, which one chat opened on it brings now rather
        # than in the middle of a; it takes them in by rounds (store::k_pending_chats). Settled
        # once it holds every chat the load generators opened (at most 10 minutes), then quiet:
        # under 20% of a core over half a second, at most 60 s.
        import urllib.request
        request = urllib.request.Request(app.url("/api/chats"), data=b'{"name":"nudge"}',
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).read()
        opened = sum(h["idle"] for h in held) + 1
        intake_started = time.monotonic()
        while live_chats(app) < opened and time.monotonic() < intake_started + 600:
            time.sleep(0.5)  # polling the broker's gauges
        intake_s = time.monotonic() - intake_started
        taken_in = live_chats(app)
        deadline = time.monotonic() + 60
        before = sum(cpu_seconds(pid) for pid in pids)
        while time.monotonic() < deadline:
            time.sleep(0.5)  # sampling CPU use
            now = sum(cpu_seconds(pid) for pid in pids)
            if now - before < 0.1:
                break
            before = now
        streams = sum(event_streams(g) for g in gateways)
        rss_idle = sum(rss_kb(pid) for pid in pids)
        pss_idle = sum(pss_kb(pid) for pid in pids)
        curve.append([streams, pss_idle])
        print(f"idle visitors: {streams} streams on {count} gateways; the broker took {taken_in} "
              f"chats in within {intake_s:.0f} s; seshat RSS summed {rss_before} -> {rss_idle} kB "
              f"(the gateways' start {started_kb - rss_before} kB of it), PSS summed {pss_before} "
              f"-> {pss_idle} kB (the gateways' start {started_pss_kb - pss_before} kB)", flush=True)
        # The floor of c's latency rows: the direct hop on the same machine, among the same held
        # visitors (paired with c's steady phase, or right after it with --hop-apart). Their
        # heartbeats and the load generators' reads take the two cores for every process, XMPP
        # clients included; the quiet hop of a's floors is printed beside it.
        result = run_loadgen(args, common + [
            "--mode", "relay", "--visitors", str(args.chats), "--idle", "0",
            "--duration", str(args.duration), "--burst", "0", "--address-base", "40"]
            + paired_hop(args), f"c: open chats among {streams} idle SSE visitors",
            allow_failure=True)
        if "hop" in result:
            result["hop_among"] = result.pop("hop")
        elif not result.get("active_failed"):
            result["hop_among"] = steady_hop(
                args, common, f"c: direct XMPP hop among {streams} idle SSE visitors")
        result.update({"idle": streams, "rss_before_kb": rss_before, "rss_idle_kb": rss_idle,
                       "rss_curve": curve, "curve_measure": "PSS summed", "gateways": count,
                       "gateways_started_kb": started_kb - rss_before,
                       "pss_before_kb": pss_before, "pss_idle_kb": pss_idle,
                       "gateways_started_pss_kb": started_pss_kb - pss_before,
                       "broker_chats": taken_in, "intake_s": intake_s,
                       "held_failed": sum(h["failed"] for h in held)})
        return result
    finally:
        for holder in holders:
            holder.stdin.close()
        for holder in holders:
            try:
                holder.wait(60)
            except subprocess.TimeoutExpired:
                holder.kill()
        for gateway in gateways:
            gateway.close()


def steady_hop(args, common, label):
    """a's and c's floor run apart (--hop-apart), the direct XMPP hop in a's shape: the relay
    without the broker; paired with the relay by default (paired_hop). Client A
    writes to 100 receivers in turn, 100 messages a second in all, as the broker does with a's
    visitors' lines; each receiver writes to A once a second, as each operator does. So the
    server and the load generator do per message what they do in a (a connection that is busy
    one way, each message on another of 100 the other way; one libstrophe loop over all 100
    receivers), and the difference is seshat's (bench/rounds.md, "a's hop in a's shape")."""
    return run_loadgen(args, common + [
        "--mode", "direct", "--op-prefix", "f", "--receivers", str(args.chats), "--a-shape",
        "--duration", str(args.duration), "--direct-rate", str(args.chats), "--burst", "0"], label)


def relay_run(args, common, label, idle=0, base=30, duration=None, paired=False, burst=None,
              fanout=False):
    """a's steady phase (`duration` s, a's by default), then one burst of e (`burst` messages a
    chat, e's by default; 0: none): the relay's open chats (and `idle` idle visitors). `paired`:
    with a's floor, the hop in a's shape, in the same phase (its result under "hop"), unless
    --hop-apart. `fanout`: with e's floor, a burst of the fan-out right before the relay's and
    one right after (its result under "fanout"). A chat takes 60 messages a minute (README): a's
    phase and a burst of 40 in the same chats fit only while the phase is under 20 s."""
    return run_loadgen(args, common + [
        "--mode", "relay", "--visitors", str(args.chats), "--idle", str(idle),
        "--duration", str(duration or args.duration),
        "--burst", str(args.burst if burst is None else burst),
        "--address-base", str(base)] + paired_hop(args, paired)
        + (["--paired-fanout", "f"] if fanout else []), label)


def paired_hop(args, paired=True):
    """The load generator's options for a's floor paired with the relay's steady phase: the hop's
    clients (accounts f<i>) send in the 100 ms blocks between the relay's, so that the relay and
    its floor meet the same minutes of the host and of the server. Run apart (--hop-apart), one
    run's floor could meet a quiet minute and the relay a loud one, or the reverse; paired, a
    single long pause still falls in one side's block (bench/rounds.md, "a's and c's floor
    paired with the relay")."""
    return ["--paired-hop", "f"] if paired and not args.hop_apart else []


def idle_reads(args):
    """The load generator's option for its idle streams: by default it is not woken for their
    heartbeats (a browser reads them on a machine of its own; here each wake-up took a turn on
    the two cores under test, behind the thread that sent it: bench/rounds.md, "the held
    streams' readers"); --idle-reads-beats reads every one, as until 2026-12-07."""
    return ["--idle-low-water", "0"] if getattr(args, "idle_reads_beats", False) else []


def run_loadgen(args, extra, label, allow_failure=False):
    # From a burst on the load generator yields the cores to the servers it measures (floors and
    # relay alike): it stands in for the clients' own machines (bench/rounds.md).
    command = ([args.loadgen] + extra + ["--burst-nice", str(getattr(args, "burst_nice", 0))]
               + idle_reads(args))
    print(f"--- {label}: {' '.join(os.path.basename(c) if c == args.loadgen else c for c in command)}",
          flush=True)
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    result = None
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
    if allow_failure and result is not None and result.get("active_failed"):
        print(f"--- {label}: the active chats did not open among the idle ones (see above); "
              "c's latency rows are marked failed", flush=True)
        return result
    if done.returncode != 0 or result is None:
        raise RuntimeError(f"{label}: loadgen failed ({done.returncode})")
    return result


def wrk(url, seconds, script=None, env=None):
    command = ["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency"] + (["-s", script] if script else []) + [url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr}")
    return done.stdout


def requests_per_second(wrk_output):
    for line in wrk_output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return 0.0


def nginx_floor(workdir, seconds):
    root = os.path.join(workdir, "nginx")
    os.makedirs(os.path.join(root, "html"))
    with open(os.path.join(root, "html", "seq.json"), "w") as f:
        f.write('{"seq":12345}')  # about the size of a 202 answer
    port = free_port()
    with open(os.path.join(root, "nginx.conf"), "w") as f:
        f.write(f"""daemon off;
worker_processes auto;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
  uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
  server {{ listen 127.0.0.1:{port}; root {root}/html; }}
}}
""")
    process = subprocess.Popen(["nginx", "-c", os.path.join(root, "nginx.conf"), "-p", root],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port("127.0.0.1", port, time.monotonic() + 10, process)
        return requests_per_second(wrk(f"http://127.0.0.1:{port}/seq.json", seconds))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)


def pin_apart(pid, cpu):
    """Puts every thread of pid on cpu alone, and this process (and so what it starts) on the rest."""
    for task in os.listdir(f"/proc/{pid}/task"):
        os.sched_setaffinity(int(task), {cpu})
    others = os.sched_getaffinity(0) - {cpu}
    if not others:
        raise SystemExit(f"--prosody-cpu {cpu}: no other CPU is left for seshat and the load")
    os.sched_setaffinity(0, others)


def ratio(value, floor):
    return value / floor if floor else float("nan")


# The load comes from a few loopback networks, by design: the caps against abuse (SECURITY.md)
# are off for it. visitor_timeout and accept_timeout keep idle chats open for the whole run.
SESHAT_EXTRA = {"visitor_timeout": 3600, "accept_timeout": 3600,
                "max_connections_per_address": 0, "chats_per_minute": 0,
                "chats_per_minute_per_network": 0,
                "messages_per_minute_per_network": 0, "max_messages_per_chat": 0,
                "min_free_disk_mb": 0}


def raise_descriptor_limit(needed):
    """Every process started from here inherits the limit: seshat and the load generator each hold
    one descriptor per idle visitor. As root the hard limit can go up to fs.nr_open."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with open("/proc/sys/fs/nr_open") as f:
        ceiling = int(f.read())
    want = min(max(hard, needed), ceiling)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seshat", required=True)
    parser.add_argument("--loadgen", required=True)
    parser.add_argument("--sqlite-floor", required=True)
    parser.add_argument("--chats", type=int, default=100, help="open chats (and operators)")
    parser.add_argument("--idle", type=int, default=100000,
                        help="idle SSE visitors in scenario c (in the first run)")
    parser.add_argument("--idle-again", type=int, default=10000,
                        help="idle visitors in c in the runs after the first (d ingests into "
                             "their chats); 100,000 once is enough to show the memory")
    parser.add_argument("--runs", type=int, default=1,
                        help="run everything this many times; prints the spread and how many "
                             "runs met each target")
    parser.add_argument("--servers", default="prosody,ejabberd,prosody-defaults",
                        help="XMPP servers, comma-separated: the full table against the first "
                             "(Prosody as the harness sets it up), a and e (with their own "
                             "floors) against the others: ejabberd, and prosody-defaults (Prosody "
                             "as Debian ships it: Nagle on, the incremental collector); also "
                             "component: seshat in component mode on the harness's Prosody")
    parser.add_argument("--out", help="write table.md, results.json and the SVG pictures here")
    parser.add_argument("--duration", type=float, default=30,
                        help="a's and c's steady phase, seconds of sending each side (paired with the "
                             "floor: twice as long); 30 s holds about 3,100 lines a direction, so "
                             "that a few long pauses do not decide a p99")
    parser.add_argument("--burst", type=int, default=40, help="messages per chat in scenario e (<= 50)")
    parser.add_argument("--transport", default="sse", choices=["sse", "long-poll"])
    parser.add_argument("--wrk-seconds", type=int, default=5)
    parser.add_argument("--prosody-nagle", action="store_true",
                        help="keep Prosody's default (Nagle on) instead of network_settings nagle=false")
    parser.add_argument("--prosody-incremental-gc", action="store_true",
                        help="keep Prosody's default garbage collector (Lua's incremental mode) "
                             "instead of gc = { mode = \"generational\" }: what it does to the tails")
    parser.add_argument("--hop-apart", action="store_true",
                        help="measure a's and c's floor (the hop in a's shape) in a run of its own "
                             "before a (after c) instead of paired with the relay's steady phase, "
                             "as until 2026-12-07")
    parser.add_argument("--prosody-cpu", type=int, metavar="CPU",
                        help="pin Prosody to this CPU and the rest of the run to the others: "
                             "the figures with the XMPP server on a core of its own (context)")
    parser.add_argument("--smoke", action="store_true", help="a few seconds; asserts both directions")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--pcap", metavar="DIR",
                        help="capture a's steady phase on loopback with tcpdump into DIR (one file "
                             "per run and XMPP server) and print where its messages spent their "
                             "time: seshat's leg or the server's (bench/legs.py). tcpdump "
                             "costs CPU on the same cores: a's figures of such a run are not "
                             "comparable with others")
    parser.add_argument("--postgres", action="store_true",
                        help="the store on a throwaway PostgreSQL cluster (durable settings) "
                             "instead of SQLite; its floor is PostgreSQL's single-row commits")
    parser.add_argument("--compare-chats", type=int, default=1000,
                        help="--store-compare: chats that scenario d posts into (a gateway "
                             "takes 60 messages a minute per chat; SQLite reaches that bound)")
    parser.add_argument("--spread-idle", action="store_true",
                        help="c: more idle visitors than one process may hold descriptors for go "
                             "to `seshat web` gateways on the same database, each held by a load "
                             "generator of its own; memory is every seshat process's together")
    parser.add_argument("--idle-per-process", type=int, default=None,
                        help="with --spread-idle: idle visitors per process at most (default: "
                             "what the descriptor limit allows)")
    parser.add_argument("--message-limit", type=int, default=0, metavar="N",
                        help="seshat's messages_per_minute_per_network (README's default 600); "
                             "0, the default here, leaves it off as the other caps against abuse. "
                             "The load's visitors share a /24, so each line pays for the count")
    parser.add_argument("--burst-nice", type=int, default=19, metavar="N",
                        help="the load generator's nice value in e's bursts, the floors' and the "
                             "relay's (default 19: it yields the two cores to the servers, as the "
                             "clients' own machines would; 0 leaves it as it was before "
                             "2026-12-06, night)")
    parser.add_argument("--idle-reads-beats", action="store_true",
                        help="the load generator reads every heartbeat of c's idle streams (as "
                             "until 2026-12-07): each wakes it on the cores under test. By "
                             "default a held stream is read only once 4 KB wait or it ends")
    parser.add_argument("--store-compare", action="store_true",
                        help="ingest (d) and relay (e, and a's latencies) on SQLite, on PostgreSQL "
                             "with one gateway and with two gateways and a broker, in one run")
    args = parser.parse_args()
    SESHAT_EXTRA["messages_per_minute_per_network"] = args.message_limit
    if args.store_compare:
        return store_compare(args)
    if args.smoke:
        args.chats, args.idle, args.duration, args.burst = 3, 10, 2, 5
        args.runs, args.servers = 1, "prosody"
    args.servers = [name.strip() for name in args.servers.split(",") if name.strip()]
    if not args.servers or args.servers[0] != "prosody" or \
            any(name not in OTHER_SERVERS for name in args.servers[1:]):
        parser.error("--servers: prosody first, then any of " + ", ".join(OTHER_SERVERS))
    args.idle_again = min(args.idle_again, args.idle)

    limit = raise_descriptor_limit(2 * args.idle + 20000)
    # seshat and the load generator each hold one descriptor per idle visitor, plus about a
    # thousand of their own (operators, active visitors, listeners, store, XMPP).
    room = limit - 1500
    args.idle_per_process = min(args.idle_per_process or room, room)
    if args.idle > room and args.spread_idle:
        print(f"note: the descriptor limit is {limit} and cannot be raised here (that needs root "
              f"with CAP_SYS_RESOURCE, or a higher hard limit: ulimit -Hn, LimitNOFILE): c's "
              f"{args.idle} idle visitors go to several `seshat web` gateways on the same "
              f"database, at most {args.idle_per_process} each", flush=True)
    elif args.idle > room:
        print(f"warning: the descriptor limit is {limit} and cannot be raised here (that needs "
              f"root with CAP_SYS_RESOURCE, or a higher hard limit: ulimit -Hn, LimitNOFILE): c "
              f"opens {room} idle visitors instead of {args.idle}; its RSS row is scaled to 100k "
              f"(--spread-idle: all of them, over several processes)", flush=True)
        args.idle = room
    started = time.monotonic()
    runs = []
    for index in range(args.runs):
        idle = args.idle if index == 0 else args.idle_again
        if args.runs > 1:
            print(f"\n=== run {index + 1} of {args.runs} ({idle} idle visitors in c)", flush=True)
        results = run_once(args, idle, full=index == 0)
        if args.smoke:
            return 0
        results["idle_count"] = idle
        rows = table_rows(args, results)
        print_rows(rows)
        print_notes(args, results)
        runs.append({"results": results, "rows": rows})
    wall = time.monotonic() - started
    spread = spread_rows(runs) if len(runs) > 1 else None
    if spread:
        print(f"\n=== {len(runs)} runs in {wall / 60:.1f} min: spread (min - max) and targets met")
        print_spread(spread)
    print(widget_size())
    if args.out:
        write_out(args, runs, spread, wall)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(runs[0]["results"] if len(runs) == 1 else [r["results"] for r in runs], f,
                      indent=2)
    return 0


def run_once(args, idle, full=True):
    """One run: fresh servers, the floors and scenarios; returns the results. A run after the
    first (full=False) repeats what the targets judge over several runs (a, c's latency, d, e and
    f, each of e and f from three bursts), with c at --idle-again, and leaves out b and the other
    servers."""
    workdir = tempfile.mkdtemp(prefix="seshat-bench-")
    # The harness sets what a chat server should (README, "Deployment notes"); these bring back
    # Prosody's defaults, to measure what each costs.
    server = Prosody(log_level="warn", nagle=args.prosody_nagle,
                     incremental_gc=args.prosody_incremental_gc)
    app = None
    cluster = None
    results = {}
    try:
        database = None
        if args.postgres:
            cluster = PostgresCluster(durable=True).start()
            database = cluster.create_database("seshat")
        server.start()
        if args.prosody_cpu is not None:
            pin_apart(server._process.pid, args.prosody_cpu)
        server.register(BOT, BOT_PASSWORD)
        operators = [f"op{i}" for i in range(args.chats)] + [f"n{i}" for i in range(3)]
        fanout = [f"f{i}" for i in range(args.chats + 1)]  # the fan-out floor: f0 -> f1..f<chats>
        for user in operators + ["d0", "d1"] + fanout:
            add_account(server, user, f"{user}-secret")
        # Logging at info: debug logging would be measured too. Seshat's own cap on connections
        # (default 20,000) is raised for c's idle visitors.
        app = Seshat(args.seshat, server, [server.jid(u) for u in operators],
                     extra={**SESHAT_EXTRA, "max_connections": idle + 5000},
                     log_level="info", database=database)
        app.start("serve")
        common = ["--xmpp-port", str(server.port), "--ca", server.ca_file, "--domain", server.domain,
                  "--bot", server.jid(BOT), "--http-port", str(app.port), "--transport", args.transport,
                  "--seshat-pid", str(app.pid), "--watch-pid", str(app.pid),
                  "--watch-pid", str(server._process.pid)]
        results["pids"] = {"seshat": app.pid, "xmpp": server._process.pid}

        if args.smoke:
            relay = relay_run(args, common, "smoke", idle=args.idle, paired=True)
            check_smoke_relay(args, relay, app.pid, args.idle)
            # a's floor paired with the relay: every message of the hop measured, in its blocks.
            if not args.hop_apart:
                hop = relay["hop"]
                assert hop["paired"] and hop["errors"] == 0, hop
                assert hop["a_to_b"]["count"] >= args.chats * args.duration, hop
                assert hop["b_to_a"]["count"] >= args.chats * args.duration, hop
            # b's floor: every round reached all three receivers.
            floor = run_loadgen(args, common + ["--mode", "notify-floor", "--op-prefix", "f",
                                                "--operators", "3", "--notify-chats", "2",
                                                "--notify-gap-ms", "100"], "smoke: b's floor")
            assert floor["errors"] == 0 and floor["every"]["count"] == 2, floor
            component = other_server_section(args, "component", smoke=True)
            check_smoke_relay(args, component["relay"], component["pids"]["seshat"], 0)
            print("bench smoke: ok")
            return results

        if cluster is not None:
            results["sqlite"] = postgres_floor(cluster, workdir)
        else:
            sqlite = subprocess.run([args.sqlite_floor, os.path.join(workdir, "floor.db"), "3"],
                                    capture_output=True, text=True, check=True).stdout
            results["sqlite"] = json.loads(sqlite.split("RESULT ", 1)[1])
        print(f"--- sqlite floor: {results['sqlite']}", flush=True)

        # More than 3 requests to one operator within 10 s become one summary (README, "Who is
        # notified"): b spaces its chats so that each is notified on its own, as it measures.
        if full:
            results["notify"] = run_loadgen(args, common + [
                "--mode", "notify", "--op-prefix", "n", "--operators", "3",
                "--notify-chats", "9", "--notify-gap-ms", "3500",
                "--address-base", "20"], "b: new chat notification")
            # b's floor in b's shape: one client -> the same number of receivers in one write,
            # as far apart, so the XMPP server and the machine are as idle as b finds them.
            results["notify_floor"] = run_loadgen(args, common + [
                "--mode", "notify-floor", "--op-prefix", "f", "--operators", "3",
                "--notify-chats", "9", "--notify-gap-ms", "3500"], "b's floor: direct 1->3, cold")
        cpu_before = cpu_seconds(app.pid)
        started = time.monotonic()
        floors_and_relay(args, common, results)
        results["relay"]["seshat_cpu_s"] = cpu_seconds(app.pid) - cpu_before
        results["relay"]["wall_s"] = time.monotonic() - started
        tokens = os.path.join(workdir, "tokens.txt")
        if args.spread_idle and idle > args.idle_per_process:
            results["idle"] = spread_idle(args, app, server, [server.jid(u) for u in operators],
                                          database, idle, args.idle_per_process, common, tokens)
        else:
            # c's latency rows are judged against the hop paired with c's own steady phase,
            # among the same held visitors, on the XMPP server as a and e left it (after e's
            # bursts Prosody spends more CPU per message: bench/rounds.md, "c against the hop
            # after it"). Run apart (--hop-apart), the hop right after c.
            results["idle"] = run_loadgen(args, common + [
                "--mode", "relay", "--visitors", str(args.chats), "--idle", str(idle),
                "--duration", str(args.duration), "--burst", "0", "--address-base", "40",
                "--tokens-out", tokens] + paired_hop(args),
                f"c: {idle} idle SSE visitors + open chats", allow_failure=True)
            if "hop" in results["idle"]:
                results["idle"]["hop_among"] = results["idle"].pop("hop")
            elif not results["idle"].get("active_failed"):
                results["idle"]["hop_after"] = steady_hop(
                    args, common, "c's floor: the direct XMPP hop after c")

        print("--- d: ingest under wrk", flush=True)
        ingest_out = wrk(app.url("/api/chats/0/messages"), args.wrk_seconds,
                         os.path.join(HERE, "ingest.lua"), {"SESHAT_TOKENS": tokens})
        print(ingest_out)
        line = next(l for l in ingest_out.splitlines() if l.startswith("INGEST "))
        results["ingest"] = json.loads(line[len("INGEST "):])
        # The idle streams go before nginx is measured on the same cores.
        app.close()
        app = None
        results["nginx_rps"] = nginx_floor(workdir, args.wrk_seconds)
        print(f"--- nginx static: {results['nginx_rps']:.0f} req/s", flush=True)
    finally:
        if app is not None:
            app.close()
        server.close()
        if cluster is not None:
            cluster.close()
        if not os.environ.get("SESHAT_KEEP_TMP"):
            shutil.rmtree(workdir, ignore_errors=True)
    if full:
        for name in args.servers[1:]:
            results[OTHER_SERVERS[name][0]] = other_server_section(args, name)
    return results


def check_smoke_relay(args, relay, seshat_pid, idle):
    """--smoke: every message measured both ways, the first after each accept included."""
    expected = args.chats * args.duration
    assert relay["errors"] == 0, relay
    assert relay["v2o"]["count"] >= expected - args.chats, relay
    assert relay["o2v"]["count"] >= expected - args.chats, relay
    # The first message after each accept, both ways, is in a's distribution.
    assert relay["v2o_first"]["count"] == args.chats, relay
    assert relay["o2v_first"]["count"] == args.chats, relay
    assert relay["v2o_all"]["count"] == relay["v2o"]["count"] + args.chats, relay
    assert relay["burst_received"] == relay["burst_expected"], relay
    assert relay["idle"] == idle, relay
    assert str(seshat_pid) in relay["burst_cpu"], relay  # f's per-thread CPU was read
    assert relay["burst_nice"] >= args.burst_nice, relay  # the load generator yielded in e's burst
    assert relay["steady_steal_ms"] >= 0, relay  # the host's steal in a's phase was read


def port_of(common, option):
    return int(common[common.index(option) + 1])


class Capture:
    """tcpdump on loopback of seshat's HTTP port and the XMPP server's, for --pcap (or nothing)."""

    def __init__(self, args, common, name):
        self.process = None
        if not args.pcap:
            return
        os.makedirs(args.pcap, exist_ok=True)
        self.http, self.xmpp = port_of(common, "--http-port"), port_of(common, "--xmpp-port")
        self.path = os.path.join(args.pcap, f"a-{name}-{time.strftime('%H%M%S')}.pcap")
        self.process = subprocess.Popen(
            ["tcpdump", "-i", "lo", "-n", "-s", "512", "-Z", "root", "-w", self.path,
             f"tcp port {self.http} or tcp port {self.xmpp}"], stderr=subprocess.PIPE, text=True)
        # tcpdump says "listening on lo" once it captures.
        while "listening on" not in (line := self.process.stderr.readline()):
            if not line:
                raise RuntimeError("tcpdump did not start (is it installed? --pcap needs it)")

    def stop(self):
        """Stops the capture; prints and returns the legs of a's visitor->operator messages."""
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGINT)
        self.process.wait()
        print(f"--- where a's visitor->operator time went ({self.path}):", flush=True)
        return legs.report(legs.legs(legs.packets(self.path), self.http, self.xmpp))


def floors_and_relay(args, common, results, bursts=3, name="prosody"):
    """a and e against one XMPP server: the direct floors (two clients alone with the 1->1
    bursts, the 1->N bursts), the relay's steady phase with a's floor paired, and three bursts of
    the relay, each in chats of its own; e and its floors are each the median of three bursts."""
    if args.hop_apart:
        results["hop"] = steady_hop(args, common, "a's floor: the direct XMPP hop in a's shape")
    results["direct"] = run_loadgen(args, common + [
        "--mode", "direct", "--op-prefix", "d", "--duration", str(args.duration),
        "--direct-rate", str(args.chats), "--burst", str(args.chats * args.burst)], "direct XMPP floor")
    # The same burst from one client round robin to as many receivers as the relay has
    # operators: what the XMPP server costs in scenario e's shape (e's floor). Its messages are
    # shaped like the broker's (an id, <active/>, <origin-id/>); the same burst of bodies alone
    # shows what those elements cost the server (context).
    fanout = ["--mode", "direct", "--op-prefix", "f", "--duration", "1",
              "--receivers", str(args.chats), "--burst", str(args.chats * args.burst)]
    results["fanout"] = run_loadgen(args, common + fanout, "direct XMPP fan-out floor")
    results["fanout_bodies"] = run_loadgen(args, common + fanout + ["--bodies-only"],
                                           "direct XMPP fan-out, bodies only")
    capture = Capture(args, common, name)
    try:
        results["relay"] = relay_run(args, common, "a: open chats and a's floor", paired=True,
                                     burst=0)
    finally:
        legs_found = capture.stop()  # tcpdump never outlives a failed run
    if "hop" in results["relay"]:
        results["hop"] = results["relay"].pop("hop")
    results["relay"]["legs"] = legs_found
    # One burst of 0.2-0.5 s moves by a fifth from run to run (it is the XMPP server that sets
    # the pace): e and its floors are each the median of three bursts.
    floors = (("direct", "d", "1", []), ("fanout", "f", str(args.chats), []),
              ("fanout_bodies", "f", str(args.chats), ["--bodies-only"]))
    for key, _, _, _ in floors:
        results[key]["rates"] = [results[key]["rate"]]
        results[key]["burst_cpus"] = [results[key]["burst_cpu"]]
    relay = results["relay"]
    relay["rates"], relay["burst_cpus"] = [], []
    for burst in range(bursts):
        for key, prefix, receivers, more in floors if burst > 0 else ():
            again = run_loadgen(args, common + [
                "--mode", "direct", "--op-prefix", prefix, "--duration", "1",
                "--receivers", receivers, "--burst", str(args.chats * args.burst)] + more,
                f"{key} floor, burst {burst + 1}")
            results[key]["rates"].append(again["rate"])
            results[key]["burst_cpus"].append(again["burst_cpu"])
            results[key]["errors"] += again["errors"]
        # e's floor paired: a burst of the fan-out right before the relay's and one right after,
        # from the same process. Apart, 10-20 s away, the floor met another speed of the host
        # (Prosody's CPU a message moved 100-200 us from one burst to the next): e per burst
        # spread twice as wide (bench/rounds.md, "e's floor paired with the relay's burst").
        again = relay_run(args, common, f"e: burst {burst + 1}", base=30 + 3 * burst, duration=1,
                          fanout=True)
        paired = results.setdefault("fanout_paired", {"rates": [], "burst_cpus": [], "errors": 0})
        paired["rates"] += again["fanout"]["rates"]
        paired["burst_cpus"] += again["fanout"]["burst_cpus"]
        paired["burst_received"] = again["fanout"]["burst_received"]
        paired["errors"] += again["fanout"]["errors"]
        relay["rates"].append(again["rate"])
        relay["burst_cpus"].append(again["burst_cpu"])
        relay["errors"] += again["errors"]
        relay["burst_received"], relay["burst_expected"] = (again["burst_received"],
                                                            again["burst_expected"])


# The servers after the first (Prosody as the harness sets it up): results key, label in the
# table, what they show. Each gets a and e with floors of its own, in the first run only.
OTHER_SERVERS = {
    "ejabberd": ("ejabberd", "ejabberd", "multi-threaded (the Erlang VM)"),
    "prosody-defaults": ("prosody_defaults", "Prosody as shipped",
                         "Nagle on and the incremental collector (Debian's defaults)"),
    "component": ("component", "component mode",
                  "seshat as an XEP-0114 component (README, component mode) of a Prosody as above"),
}
COMPONENT = "chat.localhost"


def server_label(key, label):
    """The XMPP server a section ran on: component mode's is the harness's Prosody."""
    return "Prosody" if key == "component" else label


def other_server_section(args, name, smoke=False):
    """a and e against another XMPP server, each with its floors measured against that same
    server: a fresh seshat and store, the same accounts. smoke: the relay alone, briefly."""
    extra, more = dict(SESHAT_EXTRA), []
    if name == "ejabberd":
        server = Ejabberd(log_level="warning")
        add = server.register
    elif name == "component":
        server = Prosody(log_level="warn", component=COMPONENT)
        add = lambda user, password: add_account(server, user, password)  # noqa: E731
        extra.update({"component": COMPONENT, "component_secret": server.component_secret,
                      "component_server": f"127.0.0.1:{server.component_port}"})
        more = ["--component", COMPONENT]
    else:
        server = Prosody(log_level="warn", nagle=True, incremental_gc=True)
        add = lambda user, password: add_account(server, user, password)  # noqa: E731
    app = None
    results = {}
    try:
        server.start()
        server.register(BOT, BOT_PASSWORD)
        operators = [f"op{i}" for i in range(args.chats)]
        for user in operators + ["d0", "d1"] + [f"f{i}" for i in range(args.chats + 1)]:
            add(user, f"{user}-secret")
        app = Seshat(args.seshat, server, [server.jid(u) for u in operators],
                     extra=extra, log_level="info")
        app.start("serve")
        if name == "component":
            app.wait_log_count(f"xmpp component {COMPONENT} connected", 1)
        common = ["--xmpp-port", str(server.port), "--ca", server.ca_file, "--domain", server.domain,
                  "--bot", server.jid(BOT), "--http-port", str(app.port), "--transport", args.transport,
                  "--seshat-pid", str(app.pid), "--watch-pid", str(app.pid),
                  "--watch-pid", str(server.pid)] + more
        results["pids"] = {"seshat": app.pid, "xmpp": server.pid}
        label, what = OTHER_SERVERS[name][1:]
        if smoke:
            results["relay"] = relay_run(args, common, f"smoke: {label}", fanout=True)
            # e's floor paired: a burst of the fan-out right before the relay's and one after.
            fanout = results["relay"]["fanout"]
            assert fanout["errors"] == 0 and len(fanout["rates"]) == 2, fanout
            assert min(fanout["rates"]) > 0, fanout
            assert fanout["burst_received"] == results["relay"]["burst_expected"], fanout
            return results
        print(f"--- {label}, {what}: a and e with their floors", flush=True)
        floors_and_relay(args, common, results, name=name)
    finally:
        if app is not None:
            app.close()
        server.close()
    return results


def postgres_floor(cluster, workdir, seconds=3):
    """Single-row commits per second on the cluster (pgbench, 8 clients): the floor of ingest
    on PostgreSQL, as the SQLite floor is for SQLite."""
    cluster.psql("CREATE TABLE floor (v int)", "seshat")
    script = os.path.join(workdir, "floor.sql")
    with open(script, "w") as f:
        f.write("INSERT INTO floor (v) VALUES (1);\n")
    out = subprocess.run([os.path.join(cluster.bin, "pgbench"), "-n", "-c", "8", "-j", "2",
                          "-T", str(seconds), "-f", script, cluster.uri("seshat")],
                         capture_output=True, text=True, check=True).stdout
    tps = next(float(l.split("=", 1)[1].split()[0]) for l in out.splitlines()
               if l.startswith("tps ="))
    print(f"--- postgresql floor: {tps:.0f} commits/s", flush=True)
    return {"commits_per_s": tps, "backend": "PostgreSQL"}


def median(values):
    return sorted(values)[len(values) // 2]


def c_floor(idle, count):
    """The hop c's latency rows are judged against and where it was measured, if one was."""
    if "hop_among" in idle:
        return hop_of(idle["hop_among"]), f"among {count} idle"
    if "hop_after" in idle:
        return hop_of(idle["hop_after"]), "after c"
    return None, ""


def a_hop(r):
    """a's floor: the hop in a's shape; results of older runs have only two clients' hop."""
    return hop_of(r.get("hop") or r["direct"])


def hop_of(direct):
    """A direct hop's p50 and p99 as the floor of each of a's directions ("v2o", "o2v"). In a's
    shape (--a-shape) A->receivers is visitor->operator's (one busy connection into the server,
    each message out on another of 100) and receivers->A operator->visitor's; two clients alone
    are alike both ways, so their two directions are averaged."""
    if direct.get("a_shape"):
        return {way: {k: direct[side][f"{k}_ms"] for k in ("p50", "p99")}
                for way, side in (("v2o", "a_to_b"), ("o2v", "b_to_a"))}
    both = {k: (direct["a_to_b"][f"{k}_ms"] + direct["b_to_a"][f"{k}_ms"]) / 2
            for k in ("p50", "p99")}
    return {"v2o": both, "o2v": both}


def both_ways(hop, key):
    """"v->op / op->v" of one percentile of a floor, for the table."""
    return f"{hop['v2o'][key]:.2f} / {hop['o2v'][key]:.2f} ms"


def paired_floors(r):
    """Per relay burst, the rate of the fan-out's two bursts paired with it (right before and
    right after: their messages over their time together); [] for runs before the pairing."""
    rates = r.get("fanout_paired", {}).get("rates", [])
    return [2 / (1 / b + 1 / a) if a > 0 and b > 0 else 0 for b, a in zip(rates[::2], rates[1::2])]


def e_burst(r):
    """Target e as (relay rate, its floor): of the relay's bursts, the one whose ratio to the
    fan-out paired with it is the median. Results of runs before the pairing: the medians of the
    relay's bursts and of the fan-out's own runs."""
    relay, paired = r["relay"]["rates"], paired_floors(r)
    if not paired:
        return median(relay), median(r["fanout"]["rates"])
    return sorted(zip(relay, paired), key=lambda b: ratio(*b))[len(paired) // 2]


def burst_cpu(pids, burst_cpus, received):
    """Target f over the relay's bursts: CPU microseconds per relayed message of seshat (all its
    threads) and of the XMPP server, from /proc/PID/task/*/stat read around each burst; and
    seshat's per thread name."""
    seshat = xmpp = 0.0
    threads = {}
    for cpu in burst_cpus:
        seshat += cpu.get(str(pids["seshat"]), {}).get("total", 0)
        xmpp += cpu.get(str(pids["xmpp"]), {}).get("total", 0)
        for task, seconds in cpu.get(str(pids["seshat"]), {}).get("threads", {}).items():
            name = task.split(" ", 1)[1] if " " in task else task
            threads[name] = threads.get(name, 0) + seconds
    messages = max(received * len(burst_cpus), 1)
    return (seshat / messages * 1e6, xmpp / messages * 1e6,
            {name: seconds / messages * 1e6 for name, seconds in threads.items()})


def burst_f(pids, burst_cpus, received):
    """Target f as e is taken, from the median burst: of the relay's bursts, the one whose
    ratio of seshat's CPU per relayed message to the XMPP server's is the median, as
    (seshat_us, xmpp_us); and every burst's ratio, in order. One burst in which the host slowed
    one process moved the mean by a tenth."""
    per_burst = [burst_cpu(pids, [cpu], received)[:2] for cpu in burst_cpus]
    middle = sorted(per_burst, key=lambda b: ratio(*b))[len(per_burst) // 2]
    return middle, [ratio(*b) for b in per_burst]


def server_share(pids, burst_cpus, rates, received):
    """Where a one-threaded XMPP server's time went in a scenario's bursts, as percentages of
    their time together: (ran, waited runnable for a CPU, neither: slept); None for a server of
    several threads, or before the load generator read the waits. What the relay loses against
    the fan-out floor on two shared cores shows in the second (bench/rounds.md, 2026-12-06)."""
    ran = waited = elapsed = 0.0
    for cpu, rate in zip(burst_cpus, rates):
        server = cpu.get(str(pids["xmpp"]), {})
        if "waited" not in server or len(server.get("threads", {})) != 1 or rate <= 0:
            return None
        ran += server["total"]
        waited += server["waited"]
        elapsed += received / rate
    if elapsed <= 0:
        return None
    ran, waited = ran / elapsed * 100, waited / elapsed * 100
    return ran, waited, max(0.0, 100 - ran - waited)


def row(name, figure, floor, ratio_text, target, met, value, unit, digits=None):
    """One line of the table; `value` in `unit` is what the spread across runs shows, with
    `digits` decimals (by default 1 for MB, else 2)."""
    return {"name": name, "figure": figure, "floor": floor, "ratio": ratio_text, "target": target,
            "met": met, "value": value, "unit": unit, "digits": digits}


def steal_row(rows, scenario, args, measured, floor):
    """Context: how long the hypervisor kept the CPUs from the run while they had work, in the
    steady phase of the scenario and of its floor (the load generator's steal_ms). Slow lines
    come with it (bench/rounds.md, 2026-12-07); results of older runs have none."""
    if "steady_steal_ms" not in measured or "steady_steal_ms" not in (floor or {}):
        return
    mine, its = measured["steady_steal_ms"], floor["steady_steal_ms"]
    if floor.get("paired"):  # one phase, both sides' blocks in it
        rows.append(row(f"{scenario} the host's steal in the steady phase (seshat's and its "
                        f"floor's blocks)", f"{mine:.0f} ms",
                        f"of {os.cpu_count() * args.duration * 2:.0f} CPU-s", "",
                        "(context: the host's)", None, mine, "ms", digits=0))
        return
    rows.append(row(f"{scenario} the host's steal in the steady phase, seshat / floor",
                    f"{mine:.0f} / {its:.0f} ms", f"of {os.cpu_count() * args.duration:.0f} CPU-s",
                    "", "(context: the host's)", None, mine, "ms", digits=0))


def xmpp_rows(args, r, label, prefix, f_target):
    """a, e and f against one XMPP server (`label`), with that server's floors."""
    direct, relay = r["direct"], r["relay"]
    hop = a_hop(r)
    rows = []
    c = args.chats

    def latency(name, way, key, limit):
        value, floor = relay[f"{way}_all"][f"{key}_ms"], hop[way][key]
        added = value - floor
        rows.append(row(name, f"{value:.2f} ms", f"{floor:.2f} ms", f"{ratio(value, floor):.1f}x",
                        f"added {added:.2f} ms <= {limit} ms", added <= limit, value, "ms"))

    # a's distribution holds the steady messages and the first after each !ACCEPT.
    latency(f"{prefix}a. {c} chats visitor->operator p50", "v2o", "p50", 0.5)
    latency(f"{prefix}a. {c} chats visitor->operator p99", "v2o", "p99", 2)
    latency(f"{prefix}a. {c} chats operator->visitor p50", "o2v", "p50", 0.5)
    latency(f"{prefix}a. {c} chats operator->visitor p99", "o2v", "p99", 2)
    for way, name in (("v2o", "v->op"), ("o2v", "op->v")):
        first, floor = relay[f"{way}_first"], hop[way]["p99"]
        rows.append(row(f"{prefix}a. first msg after !ACCEPT {name} max", f"{first['max_ms']:.2f} ms",
                        f"{floor:.2f} ms", f"{ratio(first['max_ms'], floor):.1f}x",
                        f"(in a; p50 {first['p50_ms']:.2f} ms, n={first['count']})", None,
                        first["max_ms"], "ms"))
    if "hop" in r:
        alone = hop_of(direct)["v2o"]
        rows.append(row(f"{prefix}a. floor in a's shape p50, v->op / op->v", both_ways(hop, "p50"),
                        f"{alone['p50']:.2f} ms", "", "(context: two clients alone)", None,
                        hop["v2o"]["p50"], "ms"))
        steal_row(rows, f"{prefix}a.", args, relay, r["hop"])
    rate, floor = median(relay["rates"]), median(direct["rates"])
    fanout = median(r["fanout"]["rates"])
    e_rate, e_floor = e_burst(r)
    rows.append(row(f"{prefix}e. relay vs direct 1->{c} fan-out", f"{e_rate:.0f}/s",
                    f"{e_floor:.0f}/s", f"{ratio(e_rate, e_floor):.2f}x", ">= 0.9x",
                    ratio(e_rate, e_floor) >= 0.9, ratio(e_rate, e_floor), "x"))
    rows.append(row(f"{prefix}e. relay vs direct 1->1", f"{rate:.0f}/s", f"{floor:.0f}/s",
                    f"{ratio(rate, floor):.2f}x", "(context)", None, ratio(rate, floor), "x"))
    rows.append(row(f"{prefix}e. {label} alone: 1->{c} vs 1->1", f"{fanout:.0f}/s", f"{floor:.0f}/s",
                    f"{ratio(fanout, floor):.2f}x", "(bounds e)", None, ratio(fanout, floor), "x"))
    if "fanout_bodies" in r:
        bodies = median(r["fanout_bodies"]["rates"])
        rows.append(row(f"{prefix}e. {label} alone: 1->{c}, the broker's stanzas vs bodies only",
                        f"{fanout:.0f}/s", f"{bodies:.0f}/s", f"{ratio(fanout, bodies):.2f}x",
                        "(context)", None, ratio(fanout, bodies), "x"))
    (seshat_us, xmpp_us), _ = burst_f(r["pids"], relay["burst_cpus"], relay["burst_received"])
    rows.append(row(f"{prefix}f. CPU per relayed msg vs {label}'s", f"{seshat_us:.1f} us",
                    f"{xmpp_us:.1f} us", f"{ratio(seshat_us, xmpp_us):.2f}x",
                    "<= 0.5x" if f_target else "(context)",
                    ratio(seshat_us, xmpp_us) <= 0.5 if f_target else None,
                    ratio(seshat_us, xmpp_us), "x"))
    return rows


def table_rows(args, r):
    """Every row of one run: scenario, figure, floor, ratio, target, met (True/False/None)."""
    rows = xmpp_rows(args, r, "Prosody", "", True)
    hop = a_hop(r)
    c = args.chats
    notify, idle = r.get("notify"), r["idle"]
    b = []
    if notify:
        value = notify["every"]["p50_ms"]
        # Against the direct 1->3 in b's shape when it was measured (results of older runs: the
        # warm hop).
        floor = r["notify_floor"]["every"]["p50_ms"] if "notify_floor" in r else hop["v2o"]["p50"]
        added = value - floor
        b = [row("b. new chat -> all 3 operators p50", f"{value:.2f} ms", f"{floor:.2f} ms",
            f"{ratio(value, floor):.1f}x", f"added {added:.2f} ms <= 1 ms", added <= 1, value, "ms")]
    n = r["idle_count"]
    # Over several processes the memory they take together is their PSS summed (a page of the
    # binary or a library shared by seven processes is one page, not seven); summed RSS is
    # printed beside it. One process: its RSS.
    spread = "pss_idle_kb" in idle
    before, after = ("pss_before_kb", "pss_idle_kb") if spread else ("rss_before_kb", "rss_idle_kb")
    growth_mb = (idle[after] - idle[before]) / 1024
    per_conn = growth_mb * 1024 * 1024 / max(idle["idle"], 1)
    at_100k = per_conn * 100000 / 1024 / 1024
    where = f" ({idle['gateways']} + 1 processes)" if idle.get("gateways") else ""
    c_rows = [row(f"c. {n} idle SSE{where}: {'PSS' if spread else 'RSS'} growth",
                  f"{growth_mb:.1f} MB", f"{per_conn:.0f} B/conn",
                  "", f"100k -> {at_100k:.0f} MB <= 400 MB",
                  at_100k <= 400 and idle["idle"] == n, growth_mb, "MB")]
    if spread:
        rss_mb = (idle["rss_idle_kb"] - idle["rss_before_kb"]) / 1024
        c_rows.append(row(f"c. {n} idle SSE{where}: RSS summed", f"{rss_mb:.1f} MB",
                          f"{idle['gateways_started_kb'] / 1024:.0f} MB start", "", "(context)",
                          None, rss_mb, "MB"))
    # c's chats are judged against the direct hop among the held visitors (paired with c's
    # steady phase; with --hop-apart right after c, or after a among them with --spread-idle;
    # results of older runs: a's quiet hop).
    among, where = c_floor(idle, n)
    if among:
        c_rows.append(row(f"c. direct hop {where} p99, v->op / op->v", both_ways(among, "p99"),
                          both_ways(hop, "p99"), "", "(c's floor; a's beside it)", None,
                          among["v2o"]["p99"], "ms"))
    for way, name in (("v2o", "v->op"), ("o2v", "op->v")):
        if idle.get("active_failed"):
            c_rows.append(row(f"c. +{c} chats among {n} idle {name} p99", "failed", "", "",
                              "the chats did not open", False, float("nan"), "ms"))
            continue
        value, floor = idle[f"{way}_all"]["p99_ms"], (among or hop)[way]["p99"]
        c_rows.append(row(f"c. +{c} chats among {n} idle {name} p99", f"{value:.2f} ms",
                          f"{floor:.2f} ms", f"{ratio(value, floor):.1f}x",
                          f"added {value - floor:.2f} ms <= 2 ms", value - floor <= 2, value, "ms"))
    if not idle.get("active_failed"):
        steal_row(c_rows, "c.", args, idle, idle.get("hop_among") or idle.get("hop_after"))
    ingest, nginx = r["ingest"]["per_s"], r["nginx_rps"]
    sqlite = r["sqlite"]["commits_per_s"]
    backend = r["sqlite"].get("backend", "SQLite")
    d_rows = [row("d. ingest 202/s vs nginx static", f"{ingest:.0f}/s", f"{nginx:.0f}/s",
                  f"{ratio(ingest, nginx):.2f}x", ">= 0.35x", ratio(ingest, nginx) >= 0.35,
                  ratio(ingest, nginx), "x"),
              row(f"d. ingest 202/s vs {backend} commits", f"{ingest:.0f}/s", f"{sqlite:.0f}/s",
                  f"{ratio(ingest, sqlite):.2f}x", "(context)", None, ratio(ingest, sqlite), "x")]
    a_rows = [x for x in rows if x["name"].startswith("a.")]
    ef_rows = [x for x in rows if not x["name"].startswith("a.")]
    rows = a_rows + b + c_rows + d_rows + ef_rows
    for key, label, _ in OTHER_SERVERS.values():
        if key in r:
            rows += xmpp_rows(args, r[key], server_label(key, label), label + " ", False)
    return rows


def format_table(header, rows):
    widths = [max(len(str(x[i])) for x in rows + [header]) for i in range(len(header))]
    line = lambda values: "| " + " | ".join(str(v).ljust(w) for v, w in zip(values, widths)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(x) for x in rows])


def met_text(met):
    return "" if met is None else ("yes" if met else "NO")


def print_rows(rows):
    print()
    print(format_table(("scenario", "figure", "floor", "ratio", "target", "met"),
                       [(x["name"], x["figure"], x["floor"], x["ratio"], x["target"],
                         met_text(x["met"])) for x in rows]))
    print()


def notes(args, r):
    """The lines under a run's table: floors, bursts, CPU."""
    direct, relay, idle, notify = r["direct"], r["relay"], r["idle"], r.get("notify")
    hop, alone = a_hop(r), hop_of(direct)["v2o"]
    sqlite = r["sqlite"]["commits_per_s"]
    backend = r["sqlite"].get("backend", "SQLite")
    lines = [
        f"floors: a's, the direct XMPP hop in a's shape"
        + (", paired with the relay's steady phase (alternate blocks of "
           f"{r['hop']['block_ms']} ms)" if r.get("hop", {}).get("paired") else ", run apart")
        + f", v->op / op->v p50 {both_ways(hop, 'p50')} "
        f"p99 {both_ways(hop, 'p99')}; two clients alone p50 {alone['p50']:.2f} ms p99 "
        f"{alone['p99']:.2f} ms ({args.chats} msg/s each way); {backend} {sqlite:.0f} commits/s "
        + ("(pgbench, 8 clients, one-row INSERT per transaction, fsync on)"
           if backend != "SQLite" else "(WAL, synchronous=NORMAL)")]
    if "notify_floor" in r:
        cold = r["notify_floor"]["every"]
        lines.append(f"b's floor: direct 1->3 in one write, 9 rounds 3.5 s apart, to the last "
                     f"receiver p50 {cold['p50_ms']:.2f} ms max {cold['max_ms']:.2f} ms")
    among, where = c_floor(idle, idle.get("idle", 0))
    if among:
        lines.append(f"c's floor: the direct XMPP hop {where}, v->op / op->v p50 "
                     f"{both_ways(among, 'p50')} p99 {both_ways(among, 'p99')}")
    for key, label, x in [("", "Prosody", r)] + [(key, label, r.get(key))
                                                  for key, label, _ in OTHER_SERVERS.values()]:
        if not x:
            continue
        lines.append(f"{label}: e bursts of {x['relay']['burst_received']} messages, msg/s: relay "
                     + ", ".join(f"{v:.0f}" for v in x["relay"]["rates"]) + "; direct 1->1 "
                     + ", ".join(f"{v:.0f}" for v in x["direct"]["rates"]) + f"; direct 1->{args.chats} "
                     + ", ".join(f"{v:.0f}" for v in x["fanout"]["rates"])
                     + (f"; direct 1->{args.chats}, bodies only "
                        + ", ".join(f"{v:.0f}" for v in x["fanout_bodies"]["rates"])
                        if "fanout_bodies" in x else "")
                     + (f"; direct 1->{args.chats} paired (right before / after each relay "
                        "burst) " + ", ".join(f"{b:.0f} / {a:.0f}" for b, a in zip(
                            x["fanout_paired"]["rates"][::2], x["fanout_paired"]["rates"][1::2]))
                        + " (e: " + ", ".join(f"{ratio(v, p):.2f}x" for v, p in zip(
                            x["relay"]["rates"], paired_floors(x)))
                        + "; the row: the median burst)"
                        if "fanout_paired" in x else ""))
        seshat_us, xmpp_us, threads = burst_cpu(x["pids"], x["relay"]["burst_cpus"],
                                                x["relay"]["burst_received"])
        lines.append(f"{label}: f, CPU per relayed message in the bursts: seshat {seshat_us:.1f} us ("
                     + ", ".join(f"{name} {us:.1f}" for name, us in
                                 sorted(threads.items(), key=lambda t: -t[1]) if us >= 0.05)
                     + f"), {server_label(key, label)} {xmpp_us:.1f} us; the bursts' ratios "
                     + ", ".join(f"{v:.2f}x" for v in burst_f(x["pids"], x["relay"]["burst_cpus"],
                                                             x["relay"]["burst_received"])[1])
                     + " (the row: the median burst)")
        floors_us = [(name, burst_cpu(x["pids"], x[key]["burst_cpus"], x[key]["burst_received"])[1])
                     for key, name in (("fanout_paired", "the fan-out floor paired"),
                                       ("fanout", "apart"), ("fanout_bodies", "bodies only"))
                     if x.get(key, {}).get("burst_cpus")]
        if floors_us:
            lines.append(f"{label}: the XMPP server's CPU per message in e's bursts: relay "
                         f"{xmpp_us:.1f} us, "
                         + ", ".join(f"{name} {us:.1f} us" for name, us in floors_us))
        shares = [(name, server_share(x["pids"], x[key]["burst_cpus"], x[key]["rates"],
                                      x[key]["burst_received"]))
                  for key, name in (("relay", "relay"), ("fanout_paired", "the fan-out floor paired"),
                                    ("fanout", "apart"))
                  if x.get(key, {}).get("burst_cpus")]
        if shares and all(share for _, share in shares):
            lines.append(f"{label}: the XMPP server in e's bursts, ran / waited for a CPU / slept: "
                         + ", ".join(f"{name} {ran:.0f} / {waited:.0f} / {slept:.0f}%"
                                     for name, (ran, waited, slept) in shares))
    lines.append(
        f"loadgen CPU: direct {direct['cpu_s']:.1f} s, "
        + (f"notify {notify['cpu_s']:.1f} s, " if notify else "")
        + f"relay {relay['cpu_s']:.1f} s, idle {idle['cpu_s']:.1f} s; seshat CPU in a+e: "
        f"{relay['seshat_cpu_s']:.1f} s over {relay['wall_s']:.1f} s; "
        f"errors: {sum(r[k]['errors'] for k in ('hop', 'direct', 'fanout', 'fanout_paired', 'notify', 'notify_floor', 'relay', 'idle') if k in r) + sum(idle.get(k, {}).get('errors', 0) for k in ('hop_among', 'hop_after'))}; "
        f"ingest non-202: {r['ingest']['refused']}; idle streams held: {idle['idle']} of "
        f"{r['idle_count']}")
    lines.append(f"Prosody: {'Nagle on (default)' if args.prosody_nagle else 'nagle = false'}, "
                 f"{'incremental GC (default)' if args.prosody_incremental_gc else 'generational GC'}; "
                 f"visitors over {args.transport}"
                 + (f"; at most {args.message_limit} messages a minute per network"
                    if args.message_limit else "")
                 + (f"; the load generator at nice {args.burst_nice} in e's bursts"
                    if args.burst_nice else "")
                 + (f"; Prosody pinned to CPU {args.prosody_cpu}, the rest to the other CPUs"
                    if args.prosody_cpu is not None else ""))
    lines.append(f"machine: {os.cpu_count()} cores, "
                 f"{next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')}")
    return lines


def print_notes(args, r):
    for line in notes(args, r):
        print(line)


def spread_rows(runs):
    """Per row name (in the first run's order, then any new ones): min - max of its figure
    across the runs and how many runs met its target."""
    names = []
    for run in runs:
        for x in run["rows"]:
            if x["name"] not in names:
                names.append(x["name"])
    result = []
    for name in names:
        found = [x for run in runs for x in run["rows"] if x["name"] == name]
        values = [x["value"] for x in found if x["value"] == x["value"]]  # NaN: failed
        unit = found[0]["unit"]
        digits = found[0].get("digits")
        if digits is None:
            digits = 1 if unit == "MB" else 2
        gap = "" if unit == "x" else " "
        spread = (f"{min(values):.{digits}f} - {max(values):.{digits}f}{gap}{unit}" if values
                  else "failed")
        if values and len(values) < len(found):
            spread += f" ({len(found) - len(values)} failed)"
        judged = [x["met"] for x in found if x["met"] is not None]
        met = f"{sum(judged)} of {len(judged)}" if judged else ""
        target = found[0]["target"]
        if target.startswith("added"):
            target = "added <= " + target.split("<=", 1)[1].strip()
        elif target.startswith("100k"):
            target = "100k -> <= 400 MB"
        elif target.startswith("(in a;"):
            target = "(in a)"
        result.append({"name": name, "spread": spread, "runs": len(found), "target": target,
                       "met": met})
    return result


def print_spread(spread):
    print(format_table(("scenario", "min - max", "runs", "target", "met"),
                       [(x["name"], x["spread"], x["runs"], x["target"], x["met"]) for x in spread]))


def write_out(args, runs, spread, wall):
    """table.md (every run's table, the spread), results.json and the pictures, in args.out."""
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump([run["results"] for run in runs], f, indent=2)
    parts = [f"# Seshat benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
             f"{len(runs)} run(s) in {wall / 60:.1f} min; command: `{' '.join(sys.argv)}`", ""]
    for index, run in enumerate(runs):
        parts += [f"## Run {index + 1} ({run['results']['idle_count']} idle visitors in c)", "",
                  format_table(("scenario", "figure", "floor", "ratio", "target", "met"),
                               [(x["name"], x["figure"], x["floor"], x["ratio"], x["target"],
                                 met_text(x["met"])) for x in run["rows"]]), ""]
        parts += ["    " + line for line in notes(args, run["results"])] + [""]
    if spread:
        parts += ["## Spread across the runs", "",
                  format_table(("scenario", "min - max", "runs", "target", "met"),
                               [(x["name"], x["spread"], x["runs"], x["target"], x["met"])
                                for x in spread]), ""]
    parts += ["![latency](latency.svg)", "", "![memory](memory.svg)", ""]
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write("\n".join(parts))
    pictures.write_latency(os.path.join(args.out, "latency.svg"), runs[0]["results"], args.chats)
    pictures.write_memory(os.path.join(args.out, "memory.svg"), runs[0]["results"])
    print(f"written: {args.out}/table.md, results.json, latency.svg, memory.svg")


def widget_size():
    """The widget's download: widget.js and widget.css gzipped (at most 15 KB together)."""
    import gzip
    web = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "web")
    sizes = {}
    for name in ("widget.js", "widget.css"):
        with open(os.path.join(web, name), "rb") as f:
            sizes[name] = len(gzip.compress(f.read(), 9))
    return (f"widget: widget.js {sizes['widget.js']} B + widget.css {sizes['widget.css']} B = "
            f"{sum(sizes.values())} B gzipped (limit 15360 B)")



# --- --store-compare: SQLite against PostgreSQL with one and with two gateways (docs/scaling.md)

STORE_SETUPS = (("sqlite", "SQLite, serve"), ("pg1", "PostgreSQL, serve"),
                ("pg2", "PostgreSQL, 2 web + broker"))


def pg_counters(cluster, database):
    """Commits of the database, and WAL flushes of the whole cluster (pg_stat_wal)."""
    line = cluster.psql("SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = "
                        f"'{database}'), (SELECT wal_sync FROM pg_stat_wal)", database).strip()
    commits, syncs = (int(v) for v in line.split("|"))
    return {"commits": commits, "wal_syncs": syncs}


def counted(cluster, database, action):
    """Runs action(); returns its result and the PostgreSQL counters it moved (None on SQLite).
    A backend reports its counts at the end of a transaction at most once a second, and one left
    idle after its last transaction reports them within 10 s (PostgreSQL 15), so the counters
    are read 11 s after the action."""
    if cluster is None:
        return action(), None
    before = pg_counters(cluster, database)
    result = action()
    time.sleep(11)
    after = pg_counters(cluster, database)
    return result, {k: after[k] - before[k] for k in before}


def start_setup(args, kind, server, operators, cluster, extra):
    """The Seshat processes of one setup: [gateway, ...] and every process to stop."""
    if kind == "sqlite":
        app = Seshat(args.seshat, server, operators, extra=extra, log_level="info")
        app.start("serve")
        return [app], [app]
    database = cluster.create_database(f"seshat_{kind}")
    if kind == "pg1":
        app = Seshat(args.seshat, server, operators, extra=extra, log_level="info", database=database)
        app.start("serve")
        return [app], [app]
    broker = Seshat(args.seshat, server, operators, extra=extra, log_level="info", database=database)
    broker.start("broker")
    webs = [Seshat(args.seshat, server, operators, extra=extra, log_level="info", database=database)
            for _ in range(2)]
    for web in webs:
        web.start("web", wait_xmpp=False)
    return webs, webs + [broker]


def measure_setup(args, kind, server, gateways, cluster, workdir, base):
    database = f"seshat_{kind}" if cluster is not None and kind != "sqlite" else None
    counters = cluster if database else None
    common = ["--xmpp-port", str(server.port), "--ca", server.ca_file, "--domain", server.domain,
              "--bot", server.jid(BOT), "--http-port", str(gateways[0].port),
              "--transport", args.transport]
    if len(gateways) > 1:
        common += ["--http-port2", str(gateways[1].port)]
    out = {}
    # a (steady, 1 msg/s each way per chat, at most 10 s: the first burst of e follows in the
    # same chats, and a chat takes 60 messages a minute) and the first burst of e.
    out["relay"], out["relay_pg"] = counted(
        counters, database, lambda: relay_run(args, common, f"{kind}: a+e", base=base,
                                              duration=min(args.duration, 10)))
    rates = [out["relay"]["rate"]]
    for extra in range(2):
        again, _ = counted(None, None, lambda: relay_run(
            args, common, f"{kind}: e burst {extra + 2}", base=base + 3 * (extra + 1), duration=1))
        rates.append(again["rate"])
        out["relay"]["errors"] += again["errors"]
    out["relay"]["rates"] = rates
    # d: chats to post into, then wrk against every gateway at once (the same 2 threads and 50
    # connections in all, shared among the gateways).
    tokens = os.path.join(workdir, f"tokens-{kind}.txt")
    run_loadgen(args, common + [
        "--mode", "relay", "--visitors", "1", "--idle", str(args.compare_chats), "--duration", "1",
        "--burst", "0", "--address-base", str(base + 9), "--tokens-out", tokens], f"{kind}: d chats")

    def ingest():
        threads, connections = max(1, 2 // len(gateways)), 50 // len(gateways)
        runs = [subprocess.Popen(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{args.wrk_seconds}s", "-s",
             os.path.join(HERE, "ingest.lua"), gateway.url("/api/chats/0/messages")],
            stdout=subprocess.PIPE, text=True, env={**os.environ, "SESHAT_TOKENS": tokens})
            for gateway in gateways]
        total = {"accepted": 0, "refused": 0, "per_s": 0.0}
        for run in runs:
            text = run.communicate(timeout=args.wrk_seconds + 60)[0]
            line = next(l for l in text.splitlines() if l.startswith("INGEST "))
            for key, value in json.loads(line[len("INGEST "):]).items():
                total[key] += value
        return total

    print(f"--- {kind}: d: ingest under wrk ({len(gateways)} gateway(s))", flush=True)
    out["ingest"], out["ingest_pg"] = counted(counters, database, ingest)
    print(f"--- {kind}: ingest {out['ingest']}; PostgreSQL {out['ingest_pg']}", flush=True)
    return out


def store_compare(args):
    """One run, one Prosody, the same floors: scenarios d (ingest) and e (relay; a's latencies
    beside it) on SQLite (`seshat serve`), on PostgreSQL with one `seshat serve`, and on
    PostgreSQL with two `seshat web` gateways sharing the visitors and one `seshat broker`. On
    PostgreSQL the database's commits and the cluster's WAL flushes per message are counted too
    (they do not depend on how busy the machine is)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    workdir = tempfile.mkdtemp(prefix="seshat-bench-")
    server = Prosody(log_level="warn")
    cluster = None
    running = []
    results = {"setups": {}}
    try:
        cluster = PostgresCluster(durable=True).start()
        server.start()
        server.register(BOT, BOT_PASSWORD)
        operators = [f"op{i}" for i in range(args.chats)]
        for user in operators + ["d0", "d1"]:
            add_account(server, user, f"{user}-secret")
        floor_db = os.path.join(workdir, "floor.db")
        sqlite = subprocess.run([args.sqlite_floor, floor_db, "3"], capture_output=True, text=True,
                                check=True).stdout
        results["sqlite_floor"] = json.loads(sqlite.split("RESULT ", 1)[1])["commits_per_s"]
        cluster.create_database("seshat")
        results["pg_floor"] = postgres_floor(cluster, workdir)["commits_per_s"]
        common = ["--xmpp-port", str(server.port), "--ca", server.ca_file, "--domain",
                  server.domain, "--bot", server.jid(BOT), "--http-port", "1"]
        rates = []
        for burst in range(3):
            direct = run_loadgen(args, common + [
                "--mode", "direct", "--op-prefix", "d", "--duration", "1" if burst else "3",
                "--direct-rate", str(args.chats), "--burst", str(args.chats * args.burst)],
                f"direct XMPP floor, burst {burst + 1}")
            rates.append(direct["rate"])
            if burst == 0:
                results["hop"] = hop_of(direct)["v2o"]  # two clients: alike both ways
        results["direct_rates"] = rates
        results["nginx_rps"] = nginx_floor(workdir, args.wrk_seconds)
        extra = dict(SESHAT_EXTRA)
        for index, (kind, _) in enumerate(STORE_SETUPS):
            gateways, running = start_setup(args, kind, server, [server.jid(u) for u in operators],
                                            cluster, extra)
            results["setups"][kind] = measure_setup(args, kind, server, gateways, cluster, workdir,
                                                    50 + 12 * index)
            for app in running:
                app.close()
            running = []
    finally:
        for app in running:
            app.close()
        server.close()
        if cluster is not None:
            cluster.close()
        if not os.environ.get("SESHAT_KEEP_TMP"):
            shutil.rmtree(workdir, ignore_errors=True)
    print_store_compare(args, results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


def print_store_compare(args, r):
    setups = r["setups"]
    rows = []

    def row(name, values, floor=""):
        base = values[0]
        ratios = [f"{ratio(v, base):.2f}x" if isinstance(v, (int, float)) and base else ""
                  for v in values[1:]]
        rows.append([name] + [fmt(v) for v in values] + ratios + [floor])

    def fmt(value):
        if isinstance(value, str):
            return value
        return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"

    kinds = [k for k, _ in STORE_SETUPS]
    ingest = [setups[k]["ingest"]["per_s"] for k in kinds]
    row("d. ingest, 202 answers/s", ingest,
        f"SQLite {r['sqlite_floor']:,.0f} / PostgreSQL {r['pg_floor']:,.0f} commits/s; "
        f"nginx static {r['nginx_rps']:,.0f}/s")
    relay = [median(setups[k]["relay"]["rates"]) for k in kinds]
    row("e. relay to operators, msg/s (median of 3)", relay,
        f"direct XMPP {median(r['direct_rates']):,.0f}/s")
    for key, label, floor_key in (("v2o", "visitor->operator", "p50"),
                                  ("v2o", "visitor->operator", "p99"),
                                  ("o2v", "operator->visitor", "p50"),
                                  ("o2v", "operator->visitor", "p99")):
        values = [setups[k]["relay"][key][f"{floor_key}_ms"] for k in kinds]
        row(f"a. {args.chats} chats {label} {floor_key}, ms", values,
            f"hop {r['hop'][floor_key]:.2f} ms")
    for name, counter, per in (("PostgreSQL commits per relayed message (a+e)", "commits", "relay"),
                               ("WAL flushes per relayed message (a+e)", "wal_syncs", "relay"),
                               ("PostgreSQL commits per 202 (d)", "commits", "ingest"),
                               ("WAL flushes per 202 (d)", "wal_syncs", "ingest")):
        values = ["-"]
        for k in kinds[1:]:
            s = setups[k]
            if per == "relay":
                messages = (s["relay"]["v2o"]["count"] + s["relay"]["o2v"]["count"]
                            + s["relay"]["burst_received"])
                values.append(s["relay_pg"][counter] / max(messages, 1))
            else:
                values.append(s["ingest_pg"][counter] / max(s["ingest"]["accepted"], 1))
        rows.append([name] + [v if isinstance(v, str) else f"{v:.2f}" for v in values] + ["", "", ""])
    header = ["figure"] + [label for _, label in STORE_SETUPS] + \
        ["PG serve / SQLite", "PG 2 web / SQLite", "floor"]
    widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(str(v).ljust(w) for v, w in zip(cells, widths)) + " |"
    print()
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for cells in rows:
        print(line(cells))
    print()
    for k in kinds:
        s = setups[k]
        print(f"{k}: e bursts msg/s " + ", ".join(f"{v:.0f}" for v in s["relay"]["rates"])
              + f"; a: {s['relay']['v2o']['count']} + {s['relay']['o2v']['count']} steady messages"
              + f"; errors {s['relay']['errors']}; ingest non-202 {s['ingest']['refused']}"
              + (f"; PostgreSQL a+e {s['relay_pg']}, d {s['ingest_pg']}" if s.get("relay_pg") else ""))
    print(f"direct XMPP bursts msg/s: " + ", ".join(f"{v:.0f}" for v in r["direct_rates"]))
    print(f"PostgreSQL: fsync and synchronous_commit on (pgbench floor: 8 clients, one-row INSERT "
          f"per transaction); SQLite: WAL, synchronous=NORMAL; visitors over {args.transport}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    sys.exit(main())
