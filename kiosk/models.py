"""Imports every module that defines tables, so ``Base.metadata`` knows the whole schema."""

from kiosk import (  # noqa: F401
    counters,
    outbox,
    printjobs,
)
from kiosk.applications import records  # noqa: F401
from kiosk.mirror import models  # noqa: F401
