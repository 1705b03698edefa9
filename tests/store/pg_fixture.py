"""The ctest fixture of the store tests' PostgreSQL half: `start STATE_DIR` runs a throwaway
cluster (see tests/integration/harness/postgres.py) and writes its URI to STATE_DIR/uri;
`stop STATE_DIR` stops it and removes it."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness.postgres import main  # noqa: E402

main()
