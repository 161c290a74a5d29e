"""Entry point: `python -m bench run --help`."""

import sys

from bench.cli import main

sys.exit(main())
