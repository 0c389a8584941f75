"""Imports every module that defines tables, so ``Base.metadata`` knows the whole schema."""

from kiosk import counters, outbox  # noqa: F401
from kiosk import printjobs  # noqa: F401
from kiosk.applications import records  # noqa: F401
from kiosk.mirror import models  # noqa: F401
