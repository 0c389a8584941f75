"""``python -m kiosk``: the command line (``kiosk run`` starts the touchscreen app)."""

import sys

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(main())
