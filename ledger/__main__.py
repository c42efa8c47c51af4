"""`python -m ledger` runs the command line."""

import sys

from ledger.cli import main

sys.exit(main())
