"""The reference district server: database, publishing, HTTP API and admin pages. Run ``python -m
sync.server --help`` for its command line.

Importing the package registers every table of the server's one schema with ``db.ServerBase``: the
office's modules build on ``db`` (cases, the state log, calendars, evaluation follow-ups; the fee lapse and
the annual report's reply check hook into the lifecycle when imported) and
``db.open_db`` creates whatever is registered, so ``db`` itself never imports them (no import cycle).
"""

from sync.server import (  # noqa: F401 - their tables
    leases,
    recovery,
    throttle,
)
from sync.server.admin import login  # noqa: F401 - its tables
from sync.server.feed import chain  # noqa: F401 - its table and engine hook
from sync.server.office import (  # noqa: F401 - their tables and hooks
    annual_eval,
    annual_report,
    evaluation,
    fees,
    models,
    reviews,
)
from sync.server.releases import models as release_models  # noqa: F401 - the releases table
