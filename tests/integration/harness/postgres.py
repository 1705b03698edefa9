"""A throwaway PostgreSQL cluster for one test run: its own data directory, a free port on
127.0.0.1, Unix sockets in its own temporary directory, trust authentication.

The server refuses to run as root: initdb, pg_ctl and postgres run as the `postgres` user
(`runuser -u postgres --`) when this process is root.

    cluster = PostgresCluster().start()
    uri = cluster.create_database("t1")     # postgresql://postgres@127.0.0.1:PORT/t1
    cluster.restart(); cluster.stop()

tests/store/pg_fixture.py (the ctest fixture of the store tests) calls main():
    pg_fixture.py start STATE_DIR  # starts a cluster, writes STATE_DIR/uri (its admin URI)
    pg_fixture.py stop STATE_DIR   # stops it and removes its files
When no server binaries are installed, `start` writes STATE_DIR/missing with the reason and
exits 0: the PostgreSQL tests then skip with that message.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

from harness.prosody import HOST, free_port


def server_bin_dir():
    """The newest installed PostgreSQL's bin directory, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


class PostgresCluster:
    def __init__(self, port=None, base=None, durable=False):
        self.durable = durable  # fsync and synchronous commits on (the benchmark): as in production
        self.bin = server_bin_dir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin; "
                               "Debian package postgresql)")
        self.port = port or free_port()
        self.dir = base or tempfile.mkdtemp(prefix="seshat-pg-")
        self.data = os.path.join(self.dir, "data")
        self.sockets = os.path.join(self.dir, "sockets")
        self.log = os.path.join(self.dir, "postgres.log")
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args, check=True, timeout=60):
        command = list(args)
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--"] + command
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}")
        return result

    def start(self):
        os.makedirs(self.sockets, exist_ok=True)
        if self._as_postgres:
            os.chmod(self.dir, 0o755)
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        self._run(os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "postgres",
                  "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
        with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '{HOST}'\n"
                       f"unix_socket_directories = '{self.sockets}'\n"
                       "max_connections = 300\n")
            if not self.durable:
                # A throwaway cluster: durability is not what these tests measure.
                conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                           "shared_buffers = 32MB\n")
        # A port that was free when picked may be taken before the server binds it (another
        # test picking ports at the same moment): try again on a new one. The retries also keep
        # dynamic shared memory in the data directory, in case /dev/shm is missing or tiny (a
        # container). A server that fails for another reason fails three times, and the error
        # carries its log.
        for attempt in range(3):
            try:
                self._pg_ctl_start()
                return self
            except RuntimeError as error:
                if attempt == 2:
                    raise
                print(f"PostgreSQL did not start, trying again on another port: {error}",
                      file=sys.stderr)
                self.port = free_port()
                with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
                    # The last setting in the file wins.
                    conf.write(f"port = {self.port}\ndynamic_shared_memory_type = mmap\n")
        return self

    def _pg_ctl_start(self):
        result = self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", self.log,
                           "-w", "-t", "60", "start", check=False)
        if result.returncode != 0:
            # pg_ctl only says "Examine the log output": put the log in the error, so a run
            # elsewhere (CI) shows why the server stopped.
            try:
                with open(self.log) as log:
                    tail = "".join(log.readlines()[-30:])
            except OSError as e:
                tail = f"(no log: {e})"
            raise RuntimeError(f"pg_ctl start failed ({result.returncode}):\n{result.stdout}\n"
                               f"{self.log}:\n{tail}")

    def stop(self, mode="fast"):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", mode, "-w",
                      "stop", check=False)

    def restart(self, mode="fast"):
        self.stop(mode)
        self._pg_ctl_start()

    def close(self):
        self.stop("immediate")
        if not os.environ.get("SESHAT_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def uri(self, database="postgres"):
        return f"postgresql://postgres@{HOST}:{self.port}/{database}"

    def psql(self, sql, database="postgres"):
        return subprocess.run(
            [os.path.join(self.bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At",
             "-d", self.uri(database), "-c", sql],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True,
            timeout=60).stdout

    def create_database(self, name):
        self.psql(f'CREATE DATABASE "{name}"')
        return self.uri(name)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: pg_fixture.py start|stop STATE_DIR")
    action, state = sys.argv[1], sys.argv[2]
    os.makedirs(state, exist_ok=True)
    for name in ("uri", "missing", "base"):
        if action == "start" and os.path.exists(os.path.join(state, name)):
            os.remove(os.path.join(state, name))
    if action == "start":
        if server_bin_dir() is None:
            with open(os.path.join(state, "missing"), "w") as f:
                f.write("PostgreSQL server binaries not found (install the Debian package "
                        "postgresql): the PostgreSQL half of the store tests is skipped")
            return
        cluster = PostgresCluster().start()
        with open(os.path.join(state, "base"), "w") as f:
            f.write(f"{cluster.dir}\n{cluster.port}\n")
        with open(os.path.join(state, "uri"), "w") as f:
            f.write(cluster.uri())
        print(f"PostgreSQL on {cluster.uri()} ({cluster.dir})")
    else:
        path = os.path.join(state, "base")
        if not os.path.exists(path):
            return
        base, port = open(path).read().split()
        PostgresCluster(port=int(port), base=base).close()
        os.remove(path)
