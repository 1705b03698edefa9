"""kill -9 of the gateway that holds the visitor's event stream: the widget in a real Chromium
carries on through the other one.

Real parts on 127.0.0.1: a throwaway PostgreSQL cluster, Prosody, operator joe on slixmpp, one
`seshat broker` and two `seshat web` processes on that database, and Debian's nginx in front of
both gateways (the settings of packaging/nginx-seshat.conf: round-robin, event streams
unbuffered, a dead gateway's requests passed to the next one). The visitor chats from the demo
page served through nginx; joe accepts and they exchange lines. Then the gateway whose
/metrics shows the page's open event stream is killed with SIGKILL: joe's next line appears on
the page once, the visitor's next line reaches joe once, and neither side sees anything twice.

Skips (with the reason) when nginx or the PostgreSQL server binaries are not installed.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import widget_case
from widget_case import ROOT, STARTED

from harness import case  # noqa: E402  (widget_case put tests/integration on the path)
from harness.postgres import PostgresCluster, server_bin_dir  # noqa: E402
from harness.prosody import HOST, free_port  # noqa: E402
from harness.seshat import Seshat  # noqa: E402

NGINX = "/usr/sbin/nginx"
TIMEOUT = 20.0  # seconds for anything awaited after the kill (EventSource retries after ~3 s)


class Nginx:
    """Debian's nginx in the foreground, its config, pid file, logs and temp files in a
    temporary directory, listening on a free port, balancing over `gateways` (Seshat apps)."""

    def __init__(self, gateways):
        self.dir = tempfile.mkdtemp(prefix="seshat-nginx-")
        self.port = free_port()
        self.config = os.path.join(self.dir, "nginx.conf")
        self.error_log = os.path.join(self.dir, "error.log")
        self._process = None
        servers = "".join(f"        server {HOST}:{app.port} max_fails=1 fail_timeout=30s;\n"
                          for app in gateways)
        # Host with its port ($http_host, as in packaging; $host drops it): the gateways'
        # same-origin check compares the page's Origin with it, and this page is on a port.
        proxy = ("proxy_pass http://seshat_gateways;\n"
                 "            proxy_http_version 1.1;\n"
                 "            proxy_set_header Connection \"\";\n"
                 "            proxy_set_header Host $http_host;\n"
                 "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                 "            proxy_connect_timeout 1s;\n"
                 "            limit_conn seshat_per_address 50;\n")
        temp = "".join(f"    {kind}_temp_path {self.dir}/{kind};\n"
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        user = "user root root;\n" if os.geteuid() == 0 else ""
        with open(self.config, "w") as f:
            f.write(f"""{user}daemon off;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.error_log} info;
events {{ worker_connections 256; }}
http {{
    log_format failover '$request_method $request_uri $status upstream=$upstream_addr';
    access_log {self.dir}/access.log failover;
{temp}
    upstream seshat_gateways {{
{servers}        keepalive 16;
    }}
    limit_conn_zone $binary_remote_addr zone=seshat_per_address:10m;

    server {{
        listen {HOST}:{self.port};

        location /seshat/ {{
            {proxy}            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
            client_max_body_size 64k;
        }}

        location ~ ^/seshat/api/chats/[0-9]+/events$ {{
            {proxy}            proxy_next_upstream error timeout;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 60s;
            proxy_send_timeout 60s;
        }}

        location ~ ^/seshat/api/chats/[0-9]+/messages$ {{
            {proxy}            proxy_next_upstream error timeout http_502 http_503;
            proxy_buffering off;
            proxy_read_timeout 90s;
            client_max_body_size 64k;
        }}
    }}
}}
""")

    def start(self, timeout=15.0):
        self._process = subprocess.Popen(
            [NGINX, "-p", self.dir, "-c", self.config, "-e", self.error_log],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:  # readiness: the port accepts connections
            if self._process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self._process.returncode}\n{self.log()}")
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"nginx did not listen on {self.port}\n{self.log()}")
                time.sleep(0.01)

    def stop(self, timeout=10.0):
        """SIGQUIT (graceful) by PID, SIGKILL if it lingers."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGQUIT)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def close(self):
        """SIGTERM (fast shutdown: the master stops its workers) by PID; SIGKILL of the master
        alone would leave its worker running."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if not os.environ.get("SESHAT_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, path=""):
        return f"http://{HOST}:{self.port}/seshat{path}"

    def log(self):
        text = ""
        for name in ("error.log", "access.log"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += f"--- nginx {name}\n" + "".join(f.readlines()[-40:])
        return text


def event_streams(app):
    """The gateway's open event streams, from its /metrics."""
    with urllib.request.urlopen(app.root_url("/metrics"), timeout=2) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("seshat_http_event_streams "):
                return int(line.split()[1])
    raise AssertionError("no seshat_http_event_streams in /metrics")


class WidgetGatewayFailover(widget_case.WidgetTestCase):
    def setUp(self):
        if not os.access(NGINX, os.X_OK):
            self.skipTest(f"{NGINX} is missing (Debian package nginx-light; "
                          f"scripts/install-deps.sh installs it)")
        if server_bin_dir() is None:
            self.skipTest("PostgreSQL server binaries not found (Debian package postgresql)")
        if not case.paths.seshat:
            self.skipTest("no --seshat given")
        super().setUp()
        self.cluster = PostgresCluster().start()
        self.addCleanup(self.cluster.close)
        self.database = self.cluster.create_database("seshat")

    def app(self, operators, mode):
        app = Seshat(case.paths.seshat, self.server, operators, database=self.database)
        self.addCleanup(app.close)
        app.start(mode)
        return app

    def holder(self, gateways, timeout=TIMEOUT):
        """The one gateway that holds the page's event stream (the other holds none)."""
        deadline = time.monotonic() + timeout
        while True:
            counts = [event_streams(app) for app in gateways]
            if sum(counts) == 1:
                return gateways[counts.index(1)]
            if time.monotonic() > deadline:
                raise AssertionError(f"event streams per gateway: {counts}, not one in all")
            time.sleep(0.05)  # polling interval of a metrics scrape

    def test_kill_9_of_the_gateway_holding_the_stream(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        heard = []  # every body joe receives, in order
        joe.add_message_listener(lambda sender, body, stanza_id: heard.append(body))
        self.bot = self.server.jid("bot")
        broker = self.app([joe.bare_jid], "broker")
        gateways = [self.app([joe.bare_jid], "web"), self.app([joe.bare_jid], "web")]
        for web in gateways:
            web.wait_operators(1)
        nginx = Nginx(gateways)
        self.addCleanup(nginx.close)
        nginx.start()

        page = self.browser()
        chat = self.start_from_page(page, nginx, joe, "customer")
        self.accept(page, joe, chat)
        self.visitor_says(page, "Hi!")
        joe.expect("Hi!")
        self.operator_says(joe, "Hello, customer.")
        self.wait_message(page, "operator", "Hello, customer.")

        # The gateway that serves the page's stream dies without a word.
        serving = self.holder(gateways)
        survivor = gateways[1 - gateways.index(serving)]
        serving.kill()
        self.assertFalse(serving.running)

        # joe's next line reaches the page through the survivor (the stream resumes there)...
        self.operator_says(joe, "Are you still there?")
        self.wait_message(page, "operator", "Are you still there?", timeout=TIMEOUT)
        self.assertEqual(self.holder([survivor]), survivor)
        # ... and the visitor's next line reaches joe through it.
        self.visitor_says(page, "Yes, still here.")
        joe.expect("Yes, still here.", timeout=TIMEOUT)
        joe.assert_no_message(within=0.5)

        expected = [
            ("system", STARTED),
            ("visitor", "Hi!"),
            ("operator", "Hello, customer."),
            ("operator", "Are you still there?"),
            ("visitor", "Yes, still here."),
        ]
        self.assertEqual(self.log(page), expected, nginx.log())
        seqs = self.seqs(page)
        self.assertEqual(len(seqs), len(set(seqs)), seqs)
        for line in ("Hi!", "Yes, still here."):
            self.assertEqual(heard.count(line), 1, heard)
        self.assertEqual(page.attr(ROOT, "data-seshat-status"), "open")
        self.screenshot(page, "widget-gateway-failover.png")
        self.assert_no_page_errors(page)
        print(f"\nkilled the gateway on port {serving.port} holding the stream; the survivor "
              f"on port {survivor.port} carried on", file=sys.stderr)

        nginx.stop()
        for app in (survivor, broker):
            self.assertEqual(app.stop(), 0, app.log_tail())


if __name__ == "__main__":
    widget_case.main()
