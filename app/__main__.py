"""`python -m app` is the same as `inflow`."""

import sys

from app.fastpath import main

sys.exit(main())
