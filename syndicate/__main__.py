"""`python -m syndicate` runs the command line."""

from __future__ import annotations

import sys

from syndicate.cli import main

sys.exit(main())
