"""`python -m cloudreel`: the command line (cloudreel/cli.py)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
