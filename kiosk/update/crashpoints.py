"""Named instants of an update at which a test kills the process with SIGKILL, as a power cut would:
``KIOSK_CRASH_AT=download`` (after the first slice of the archive is on disk), ``unpack`` (unpacked, not
yet renamed into place), ``switch`` (the switch recorded, the link not yet moved), ``switched`` (the link
moved, not yet recorded), ``confirm`` (the new release started, not yet confirmed). Unset, nothing
happens; the variable is read at each point, so a supervisor sets it for one start only."""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    if os.environ.get("KIOSK_CRASH_AT") == name and hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
