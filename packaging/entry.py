"""Entry script of the frozen bundle (build.spec): the same as `inflow` / `python -m app`."""

import sys

from app.fastpath import main

if __name__ == "__main__":
    sys.exit(main())
