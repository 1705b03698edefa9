"""A real Prosody for one test: its own temp dir, config, self-signed certificate and free port.

    with Prosody() as server:                 # started and ready (port accepts)
        server.register("bot", "secret")      # prosodyctl register bot localhost secret
        server.jid("bot")                     # "bot@localhost"
        server.port, server.ca_file           # where to connect, which certificate to trust
        server.kill(); server.start()         # SIGKILL by PID, then start again (same port/data)

    Prosody(component="chat.localhost")       # also an XEP-0114 component of that domain:
        server.component, server.component_secret, server.component_port
    Prosody(nagle=True, incremental_gc=True)  # Prosody's own defaults for either setting

The certificate is for "localhost" (the VirtualHost), self-signed, so `ca_file` is both the
server certificate and the CA a client trusts. Set SESHAT_KEEP_TMP=1 to keep the temp dir.
"""

import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time

DOMAIN = "localhost"
HOST = "127.0.0.1"

_CONFIG = """\
-- Written by tests/integration/harness/prosody.py for one test run.
run_as_root = true
pidfile = "{dir}/prosody.pid"
data_path = "{dir}/data"
log = {{ {{ levels = {{ min = "{log_level}" }}, to = "file", filename = "{dir}/prosody.log" }} }}
modules_enabled = {{ "roster", "saslauth", "tls", "disco", "ping", "smacks", "offline", "posix", "vcard" }}
modules_disabled = {{ "s2s" }}
c2s_ports = {{ {port} }}
c2s_interfaces = {{ "{host}" }}
certificates = "{dir}/certs"
authentication = "internal_hashed"
storage = "internal"
smacks_hibernation_time = 10
{network_settings}{gc}{component_ports}VirtualHost "{domain}"
{component}"""

# What a chat server should set (README, deployment notes); Prosody(nagle=True) and
# Prosody(incremental_gc=True) leave one out, as Prosody ships.
_NAGLE_OFF = """\
-- Latency: without this, a second small write to one client within its delayed ACK (an
-- "!ACCEPT" answer, then the visitor's first line) waits 40 ms (README, deployment notes).
network_settings = { nagle = false }
"""
_GENERATIONAL_GC = """\
-- Latency: Lua's incremental collector (Prosody's default) runs in steps of a few milliseconds
-- between stanzas; that was the slowest 1% of every hop. The generational one does not (README).
gc = { mode = "generational" }
"""

# Component mode (XEP-0114): the ports are global options, so they come before any host.
_COMPONENT_PORTS = """\
component_ports = {{ {port} }}
component_interfaces = {{ "{host}" }}
"""
_COMPONENT = """\
Component "{component}"
    component_secret = "{secret}"
"""


def _ephemeral_range():
    """The ports the kernel hands out to outgoing connections and to bind(port 0)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(n) for n in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


def free_port(host=HOST):
    """A TCP port nobody listens on right now, picked at random outside the kernel's ephemeral
    range. A port from bind(0) is ephemeral: between this check and the server binding it, any
    outgoing connection of a parallel test could take it (ejabberd failed on CI with eaddrinuse)."""
    low, high = _ephemeral_range()
    candidates = range(10000, low) if low - 10000 >= 5000 else range(high + 1, 65536)
    for _ in range(200):
        port = random.choice(candidates)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {candidates}")


def wait_for_port(host, port, deadline, process=None):
    """Polls connect() until the port accepts; raises if the deadline passes or the process dies."""
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening")
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing accepts on {host}:{port}")
        time.sleep(0.01)  # polling interval of a readiness probe, not a synchronisation


class Prosody:
    def __init__(self, log_level="info", port=None, component=None, nagle=False,
                 incremental_gc=False):
        self.dir = tempfile.mkdtemp(prefix="seshat-prosody-")
        self.component = component
        self.component_secret = secrets.token_hex(16) if component else None
        self.component_port = free_port() if component else None
        self.host = HOST
        self.domain = DOMAIN
        self.port = port or free_port()
        self.config = os.path.join(self.dir, "prosody.cfg.lua")
        self.log_file = os.path.join(self.dir, "prosody.log")
        self.ca_file = os.path.join(self.dir, "certs", f"{DOMAIN}.crt")
        self._process = None
        self._make_certificate()
        os.makedirs(os.path.join(self.dir, "data"))
        with open(self.config, "w") as f:
            f.write(_CONFIG.format(
                dir=self.dir, port=self.port, host=HOST, domain=DOMAIN, log_level=log_level,
                network_settings="" if nagle else _NAGLE_OFF,
                gc="" if incremental_gc else _GENERATIONAL_GC,
                component_ports=_COMPONENT_PORTS.format(port=self.component_port, host=HOST)
                if component else "",
                component=_COMPONENT.format(component=component, secret=self.component_secret)
                if component else ""))

    # --- life cycle ---

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self, timeout=10.0):
        """Starts `prosody -F` and returns once its client port accepts connections."""
        if self.running:
            raise RuntimeError("prosody is already running")
        console = open(os.path.join(self.dir, "console.log"), "ab")
        self._process = subprocess.Popen(
            ["prosody", "-F", "--config", self.config],
            stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT)
        console.close()
        try:
            deadline = time.monotonic() + timeout
            wait_for_port(self.host, self.port, deadline, self._process)
            if self.component:
                wait_for_port(self.host, self.component_port, deadline, self._process)
        except Exception as error:
            self.kill()
            raise RuntimeError(f"prosody did not start: {error}\n{self.log_tail()}") from error

    @property
    def pid(self):
        return self._process.pid if self._process else None

    @property
    def running(self):
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout=5.0):
        """SIGTERM by PID (clients see a clean close), SIGKILL if it lingers."""
        if not self.running:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self):
        """SIGKILL by PID: the server vanishes without closing any stream."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
        self._process.wait()

    def restart(self, timeout=10.0):
        self.stop()
        self.start(timeout)

    def close(self):
        self.stop()
        if os.environ.get("SESHAT_KEEP_TMP"):
            print(f"prosody temp dir kept: {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- accounts ---

    def jid(self, user):
        return f"{user}@{self.domain}"

    def register(self, user, password):
        """Creates the account with prosodyctl (works whether or not the server runs)."""
        result = subprocess.run(
            ["prosodyctl", "--config", self.config, "register", user, self.domain, password],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"prosodyctl register {user} failed: {result.stdout}{result.stderr}")
        return self.jid(user)

    # --- diagnostics ---

    def log_tail(self, lines=40):
        text = ""
        for name in ("console.log", "prosody.log"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += f"--- {name}\n" + "".join(f.readlines()[-lines:])
        return text

    # --- certificate ---

    def _make_certificate(self):
        make_certificate(os.path.join(self.dir, "certs"), DOMAIN)


def make_certificate(certs, domain):
    """Writes certs/DOMAIN.crt (self-signed, also the CA a client trusts) and certs/DOMAIN.key;
    returns the certificate's path. Shared with harness/ejabberd.py."""
    os.makedirs(certs)
    key = os.path.join(certs, f"{domain}.key")
    crt = os.path.join(certs, f"{domain}.crt")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", f"/CN={domain}",
         "-addext", f"subjectAltName=DNS:{domain}",
         "-keyout", key, "-out", crt],
        check=True, capture_output=True, timeout=30)
    os.chmod(key, 0o600)
    return crt
