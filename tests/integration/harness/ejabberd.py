"""A real ejabberd (Debian's 23.01) for one test, with the interface of harness.prosody.Prosody:

    with Ejabberd() as server:                # started and ready (the c2s port accepts)
        server.register("bot", "secret")      # the `register` command of ejabberdctl
        server.jid("bot")                     # "bot@localhost"
        server.port, server.ca_file           # where to connect, which certificate to trust
        server.kill(); server.start()         # SIGKILL by PID, then start again (same port/data)

Everything lives in a temp dir: ejabberd.yml, the Mnesia spool, the logs and the self-signed
"localhost" certificate (made as for Prosody). The Erlang VM is started directly (`erl ... -s
ejabberd`, what `ejabberdctl foreground` runs), as the current user, because ejabberdctl run by
root switches to the system user `ejabberd`, which can neither read a root-owned temp dir nor
be stopped by our PID. The node has a unique name and a private distribution port
(`-erl_epmd_port`, `-start_epmd false`), so no epmd is started and parallel tests never meet.

Accounts are made with the `register` command of ejabberdctl, sent over ejabberd's HTTP API
(mod_http_api on a private loopback port): the same command as `ejabberdctl register USER HOST
PASSWORD`, in milliseconds instead of the ~1.5 s an Erlang VM for ejabberdctl takes to boot.
`ctl(...)` runs any other ejabberdctl command the slow way (an `erl -s ejabberd_ctl` client).

What differs from Prosody and matters to tests is configured here, not in the tests: no
shapers or session limits, offline storage without a quota, stream management that resumes for
10 s (as Prosody's smacks_hibernation_time), STARTTLS required, SCRAM-stored passwords.
Set SESHAT_KEEP_TMP=1 to keep the temp dir, SESHAT_EJABBERD_LOG=debug to log every stanza.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from harness.prosody import DOMAIN, HOST, free_port, make_certificate, wait_for_port

# Where Debian's ejabberd package puts its Erlang applications (ejabberdctl sets the same).
ERL_LIBS = "/usr/lib/x86_64-linux-gnu"

# The logger's level names differ from Prosody's; accept both.
_LEVELS = {"debug": "debug", "info": "info", "warn": "warning", "warning": "warning",
           "error": "error"}

_CONFIG = """\
# Written by tests/integration/harness/ejabberd.py for one test run.
hosts: ["{domain}"]
loglevel: {log_level}
log_rotate_count: 0
certfiles:
  - "{dir}/certs/{domain}.crt"
  - "{dir}/certs/{domain}.key"
listen:
  -
    port: {port}
    ip: "{host}"
    module: ejabberd_c2s
    starttls_required: true
    shaper: none
    max_stanza_size: 262144
{component_listener}  -
    port: {http_port}
    ip: "{host}"
    module: ejabberd_http
    request_handlers:
      /api: mod_http_api
auth_method: internal
auth_password_format: scram
disable_sasl_mechanisms: ["digest-md5", "x-oauth2"]
s2s_access: none
acl:
  loopback:
    ip: ["127.0.0.0/8"]
access_rules:
  c2s:
    allow: all
shaper_rules:
  max_user_sessions: 1000
  max_user_offline_messages: 100000
  c2s_shaper: none
api_permissions:
  "tests register accounts over loopback":
    who:
      ip: "127.0.0.0/8"
    what: ["register", "unregister", "status", "connected_users"]
modules:
  mod_carboncopy: {{}}
  mod_disco: {{}}
  mod_offline:
    access_max_user_messages: max_user_offline_messages
  mod_ping: {{}}
  mod_roster: {{}}
  mod_stream_mgmt:
    resume_timeout: 10
  mod_vcard: {{}}
  mod_version: {{}}
"""

# Component mode (XEP-0114): ejabberd_service on its own port, one host with its secret.
_COMPONENT_LISTENER = """\
  -
    port: {port}
    ip: "{host}"
    module: ejabberd_service
    hosts:
      "{component}":
        password: "{secret}"
"""

# What ejabberd stores must survive kill() as Prosody's files do (Prosody writes each change at
# once). Two things stand in the way with Mnesia:
# - ejabberd keeps these tables on disk only (dets), where a change may still be unwritten when
#   the VM dies; as disc_copies every change goes to Mnesia's log instead. ejabberd reads
#   spool/ejabberd.schema when it starts, but 23.01 applies it only to tables that exist already
#   (a new table gets the default type), so the first start also converts them.
# - Mnesia's log is written through a cache that reaches the file up to 2 s later (an account
#   registered a second before kill() was gone after start()). So the node also listens on a
#   private port where a connection makes it call mnesia:sync_log() and answer "ok"; kill()
#   does that first, then SIGKILL.
# _BOOT runs in the VM once ejabberd has started, and then writes a file start() waits for.
#
# _PRELOAD runs before ejabberd starts: it loads the stanza codecs of every XEP (~0.3 s). The VM
# loads a module when it is first called, and a message stored offline first needs six of them
# (30 ms, 80-140 ms on a busy machine). ejabberd stores in the sender's process while the
# recipient's login takes the stored messages in its own, without a lock, so a message sent to
# an operator who is logging in at that moment was stored after his login had taken the rest,
# and stayed there (a visitor's line missing in broker_xmpp_restart_test, 2 runs in 8). Loaded
# beforehand, a store takes 0.2 ms; ejabberd's race is narrowed to that, not gone.
_PRELOAD = ("application:load(xmpp), {ok, Modules} = application:get_key(xmpp, modules), "
            "[code:ensure_loaded(M) || M <- Modules, lists:prefix(\"xep\", atom_to_list(M))].")
_DURABLE_TABLES = ("passwd", "offline_msg", "roster", "roster_version", "vcard")
_SCHEMA = "".join(f"{table}: {{storage_type: disc_copies}}\n" for table in _DURABLE_TABLES)
_BOOT = """\
[mnesia:change_table_copy_type(T, node(), disc_copies) || T <- [{tables}]],
Self = self(),
spawn(fun() ->
    {{ok, Listen}} = gen_tcp:listen({sync_port}, [{{ip, {{127,0,0,1}}}}, {{reuseaddr, true}},
                                                {{active, false}}]),
    Self ! listening,
    Serve = fun Serve() ->
        {{ok, Socket}} = gen_tcp:accept(Listen),
        ok = mnesia:sync_log(),
        gen_tcp:send(Socket, <<"ok">>),
        gen_tcp:close(Socket),
        Serve()
    end,
    Serve()
end),
receive listening -> ok end,
ok = file:write_file("{ready}", <<>>).
"""


def wait_for_file(path, deadline, process):
    """Polls until `path` exists; raises if the deadline passes or the process dies."""
    while not os.path.exists(path):
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path}")
        time.sleep(0.01)  # polling interval of a readiness probe, not a synchronisation


class Ejabberd:
    def __init__(self, log_level=None, port=None, component=None):
        # SESHAT_EJABBERD_LOG=debug logs every stanza (with SESHAT_KEEP_TMP=1, for a post-mortem)
        log_level = log_level or os.environ.get("SESHAT_EJABBERD_LOG", "info")
        self.dir = tempfile.mkdtemp(prefix="seshat-ejabberd-")
        self.host = HOST
        self.domain = DOMAIN
        self.port = port or free_port()
        self.component = component
        self.component_secret = secrets.token_hex(16) if component else None
        self._pick_inner_ports()
        self.node = f"seshat{self.port}x{secrets.token_hex(3)}@localhost"
        self.cookie = secrets.token_hex(16)
        self.config = os.path.join(self.dir, "ejabberd.yml")
        self.log_file = os.path.join(self.dir, "logs", "ejabberd.log")
        self.ca_file = os.path.join(self.dir, "certs", f"{DOMAIN}.crt")
        self.started_in = None  # seconds the last start() took until the server was ready
        self._process = None
        self._log_level = log_level
        make_certificate(os.path.join(self.dir, "certs"), DOMAIN)
        for sub in ("spool", "logs"):
            os.makedirs(os.path.join(self.dir, sub))
        self._write_config()
        with open(os.path.join(self.dir, "spool", "ejabberd.schema"), "w") as f:
            f.write(_SCHEMA)

    def _pick_inner_ports(self):
        """The ports only this harness uses (HTTP API, Erlang distribution, component, sync):
        picked again if one was taken before the node bound it (free_port's race)."""
        self.http_port = free_port()
        self.dist_port = free_port()
        self.component_port = free_port() if self.component else None
        self.sync_port = free_port()

    def _write_config(self):
        with open(self.config, "w") as f:
            f.write(_CONFIG.format(dir=self.dir, port=self.port, http_port=self.http_port,
                                   host=HOST, domain=DOMAIN, log_level=_LEVELS[self._log_level],
                                   component_listener=_COMPONENT_LISTENER.format(
                                       port=self.component_port, host=HOST,
                                       component=self.component,
                                       secret=self.component_secret) if self.component else ""))

    # --- life cycle ---

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def _env(self):
        env = dict(os.environ)
        env.update({
            "HOME": self.dir,
            "ERL_LIBS": ERL_LIBS,
            "EJABBERD_CONFIG_PATH": self.config,
            "EJABBERD_LOG_PATH": self.log_file,
            "ERL_CRASH_DUMP_BYTES": "0",
        })
        return env

    def _erl(self, name, *args):
        """The `erl` command line of a node of this instance: private distribution port, no
        epmd, loopback only, this instance's cookie."""
        return ["erl", "-sname", name, "-setcookie", self.cookie,
                "-start_epmd", "false", "-erl_epmd_port", str(self.dist_port),
                "-kernel", "inet_dist_use_interface", "{127,0,0,1}", "-noinput", *args]

    def start(self, timeout=30.0):
        """Starts the node and returns once its client and HTTP ports accept connections. On its
        first start, a port of its own that another test's server took between free_port() and
        the bind (eaddrinuse) is picked again, up to three times."""
        for attempt in range(3):
            try:
                return self._start_once(timeout)
            except RuntimeError as error:
                if self.started_in is not None or attempt == 2 or "eaddrinuse" not in str(error):
                    raise
                if f"{{{self.port}," in str(error):
                    raise  # the client port: callers may know it already
                print(f"ejabberd: a port was taken meanwhile, picking others ({error})"[:300])
                self._pick_inner_ports()
                self._write_config()

    def _start_once(self, timeout):
        if self.running:
            raise RuntimeError("ejabberd is already running")
        began = time.monotonic()
        console = open(os.path.join(self.dir, "logs", "console.log"), "ab")
        ready = os.path.join(self.dir, "tables-ready")
        if os.path.exists(ready):
            os.unlink(ready)
        boot = _BOOT.format(tables=", ".join(_DURABLE_TABLES), sync_port=self.sync_port,
                            ready=ready)
        self._process = subprocess.Popen(
            self._erl(self.node, "-mnesia", "dir", f'"{self.dir}/spool"', "-eval", _PRELOAD,
                      "-s", "ejabberd", "-eval", boot),
            cwd=self.dir, env=self._env(), stdin=subprocess.DEVNULL, stdout=console,
            stderr=subprocess.STDOUT)
        console.close()
        try:
            deadline = time.monotonic() + timeout
            wait_for_port(self.host, self.port, deadline, self._process)
            wait_for_port(self.host, self.http_port, deadline, self._process)
            if self.component:
                wait_for_port(self.host, self.component_port, deadline, self._process)
            wait_for_file(ready, deadline, self._process)
        except Exception as error:
            self.kill()
            raise RuntimeError(f"ejabberd did not start: {error}\n{self.log_tail()}") from error
        self.started_in = time.monotonic() - began

    @property
    def pid(self):
        return self._process.pid if self._process else None

    @property
    def running(self):
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout=15.0):
        """SIGTERM by PID, which the Erlang VM turns into init:stop() (what `ejabberdctl stop`
        does): ejabberd closes every client stream, then exits. SIGKILL if it lingers."""
        if not self.running:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self):
        """SIGKILL by PID: the server vanishes without closing any stream. What it stored
        survives (Mnesia's log is synced first, see _BOOT), as with Prosody."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._sync()
            self._process.send_signal(signal.SIGKILL)
        self._process.wait()

    def _sync(self, timeout=5.0):
        """Asks the node to write Mnesia's log through to its file; returns when it did."""
        try:
            with socket.create_connection((self.host, self.sync_port), timeout=timeout) as sock:
                sock.settimeout(timeout)
                if sock.recv(2) == b"ok":
                    return
        except OSError:
            pass
        print(f"ejabberd: Mnesia's log not synced before kill (port {self.sync_port})")

    def restart(self, timeout=30.0):
        self.stop()
        self.start(timeout)

    def close(self):
        if os.environ.get("SESHAT_KEEP_TMP"):
            self.stop()  # a clean stop: the logs are complete
            print(f"ejabberd temp dir kept: {self.dir}")
        else:
            # Nothing is kept, so nothing needs a clean stop (which takes ~1 s).
            if self.running:
                self._process.send_signal(signal.SIGKILL)
                self._process.wait()
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- accounts and commands ---

    def jid(self, user):
        return f"{user}@{self.domain}"

    def register(self, user, password):
        """Creates the account (the server must be running)."""
        self.api("register", user=user, host=self.domain, password=password)
        return self.jid(user)

    def api(self, command, **arguments):
        """Runs an ejabberdctl command through mod_http_api; returns its JSON result."""
        request = urllib.request.Request(
            f"http://{self.host}:{self.http_port}/api/{command}",
            data=json.dumps(arguments).encode(), headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or "null")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"ejabberd {command} {arguments.get('user', '')} failed: "
                               f"{error.code} {error.read().decode(errors='replace')}") from error

    def ctl(self, *args, timeout=60):
        """Runs `ejabberdctl ARGS...` against this node (an Erlang VM of its own, ~1.5 s);
        returns (exit code, output)."""
        name = f"ctl{os.getpid()}x{secrets.token_hex(3)}@localhost"
        result = subprocess.run(
            self._erl(name, "-hidden", "-dist_listen", "false", "-s", "ejabberd_ctl",
                      "-extra", self.node, *args),
            cwd=self.dir, env=self._env(), stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=timeout)
        return result.returncode, result.stdout + result.stderr

    # --- diagnostics ---

    def log_tail(self, lines=40):
        text = ""
        for name in ("console.log", "ejabberd.log"):
            path = os.path.join(self.dir, "logs", name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += f"--- {name}\n" + "".join(f.readlines()[-lines:])
        return text
