"""unittest plumbing shared by the integration tests.

    class MyTest(harness.case.ProsodyTestCase):
        def test_something(self):
            joe = self.operator("joe")                 # registered, not yet connected
            probe = self.probe(contacts=[joe.bare_jid])  # xmpp_probe logged in as bot@localhost

    if __name__ == "__main__":
        harness.case.main()                        # accepts --probe PATH (and --seshat PATH)

Each test gets its own Prosody (temp dir, free port), so tests may run in parallel; with
SESHAT_TEST_XMPP=ejabberd, its own ejabberd instead (harness/servers.py).
"""

import argparse
import sys
import unittest

from harness import openapi
from harness.operator import Operator
from harness.postgres import PostgresCluster, server_bin_dir
from harness.probe import Probe
from harness.seshat import Seshat
from harness.servers import xmpp_server

BOT = "bot"
BOT_PASSWORD = "bot-secret"

# Paths given on the command line (by ctest), read by the test cases.
paths = argparse.Namespace(probe=None, seshat=None)


class ProsodyTestCase(unittest.TestCase):
    xmpp_server = None  # "prosody" or "ejabberd" pins the server; None: SESHAT_TEST_XMPP decides
    component = None  # a domain ("chat.localhost"): the server also serves that XEP-0114 component
    server_options = {}  # more for the server's constructor (Prosody(nagle=True))

    def setUp(self):
        # Registered first, so it runs last: every HTTP response this test read through
        # http.client or urllib matched docs/openapi.json (harness/openapi.py).
        self.addCleanup(openapi.assert_clean, openapi.mark())
        options = dict(self.server_options)
        if self.component:
            options["component"] = self.component
        self.server = xmpp_server(self.xmpp_server, **options)  # Prosody unless told otherwise
        self.addCleanup(self.server.close)
        self.server.start()
        self.server.register(BOT, BOT_PASSWORD)

    def operator(self, user, password=None):
        password = password or f"{user}-secret"
        self.server.register(user, password)
        op = Operator(self.server, user, password)
        self.addCleanup(op.disconnect)
        return op

    def joe_and_seshat(self, **options):
        """The usual cast: operator joe online (resource "laptop") and `seshat serve` knowing
        only him, ready once joe counts as available. Returns (joe, app, the bot's JID)."""
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.seshat([joe.bare_jid], **options)
        app.wait_operators(1)
        return joe, app, self.server.jid("bot")

    def seshat(self, operators, mode="serve", wait_xmpp=True, **options):
        """A `seshat MODE` process for this test, started and ready (logged into XMPP unless
        wait_xmpp is False: a standby broker)."""
        if not paths.seshat:
            self.skipTest("no --seshat given")
        app = Seshat(paths.seshat, self.server, operators, **options)
        self.addCleanup(app.close)
        try:
            app.start(mode, wait_xmpp=wait_xmpp)
        except Exception:
            print(self.server.log_tail())
            raise
        return app

    def probe(self, **options):
        if not paths.probe:
            self.skipTest("no --probe given")
        probe = Probe(paths.probe, self.server, BOT, BOT_PASSWORD, **options)
        self.addCleanup(probe.close)
        return probe


class PostgresTestCase(ProsodyTestCase):
    """Several machines: every Seshat process of the test (`app`) shares one database on a
    throwaway PostgreSQL cluster."""

    def setUp(self):
        if server_bin_dir() is None:
            self.skipTest("PostgreSQL server binaries not found (Debian package postgresql)")
        super().setUp()
        self.cluster = PostgresCluster().start()
        self.addCleanup(self.cluster.close)
        self.database = self.cluster.create_database("seshat")

    def app(self, operators, mode, wait_xmpp=True, **options):
        """A `seshat MODE` process (serve, web or broker) on the shared database."""
        return self.seshat(operators, mode, wait_xmpp=wait_xmpp, database=self.database, **options)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--probe", help="path of the xmpp_probe binary")
    parser.add_argument("--seshat", help="path of the seshat binary")
    known, rest = parser.parse_known_args()
    paths.probe, paths.seshat = known.probe, known.seshat
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
