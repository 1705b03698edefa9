"""Which XMPP server a test runs against: Prosody unless SESHAT_TEST_XMPP says "ejabberd".

    server = harness.servers.xmpp_server()   # a Prosody or an Ejabberd, not yet started
    server = harness.servers.xmpp_server("ejabberd")   # this one whatever the environment says

Both classes have the same interface (start, stop, kill, restart, close, register, jid, port,
ca_file, dir, log_tail), so a test never asks which one it got. ctest registers the ejabberd
suite with SESHAT_TEST_XMPP=ejabberd (tests/integration/CMakeLists.txt, label `ejabberd`).
"""

import os

from harness.ejabberd import Ejabberd
from harness.prosody import Prosody

SERVERS = {"prosody": Prosody, "ejabberd": Ejabberd}


def server_name(pinned=None):
    name = pinned or os.environ.get("SESHAT_TEST_XMPP", "").strip().lower() or "prosody"
    if name not in SERVERS:
        raise ValueError(f"SESHAT_TEST_XMPP={name!r}: expected one of {', '.join(SERVERS)}")
    return name


def xmpp_server(pinned=None, **options):
    """A new server (not started): `pinned` if given, else what SESHAT_TEST_XMPP says."""
    return SERVERS[server_name(pinned)](**options)
