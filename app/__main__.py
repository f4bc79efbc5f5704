"""`python -m app` is the same as `inflow`."""

import sys

from app.cli import main

sys.exit(main())
