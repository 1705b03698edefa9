"""Test harness for integration tests: a real Prosody (prosody.py), operators on real slixmpp
clients (operator.py) and a driver for the XMPP probe program (probe.py).

Import it as a package (`from harness.operator import Operator`) with tests/integration on
sys.path, so that `operator.py` never shadows Python's standard `operator` module."""
