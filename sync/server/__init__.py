"""The reference district server: database, publishing, HTTP API and admin pages. Run ``python -m
sync.server --help`` for its command line.

Importing the package registers every table of the server's one schema with ``db.ServerBase``: the
office's modules build on ``db`` (cases, the state log, calendars, evaluation follow-ups) and
``db.open_db`` creates whatever is registered, so ``db`` itself never imports them (no import cycle).
"""

from sync.server import (  # noqa: F401 - their tables
    leases,
    recovery,
    throttle,
)
from sync.server.admin import login  # noqa: F401 - its tables
from sync.server.feed import chain  # noqa: F401 - its table and engine hook
from sync.server.office import evaluation, models  # noqa: F401 - their tables and engine hooks
