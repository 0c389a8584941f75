"""The staff PIN gate's lockout kept in the terminal's key-value table, so neither a restart nor the wall
clock lifts it: the names the app's adapters call, over :mod:`kiosk.staff` (which holds the logic, the
persisted running-time clock and the stored state's format).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kiosk import staff
from kiosk.staff import StaffGate


def seconds_locked(session: Session, gate: StaffGate) -> int:
    """Seconds left in the persisted lockout (0 when not locked); loads it into ``gate`` (read-only)."""
    return staff.seconds_locked(session, gate)


def check_pin_persisted(session: Session, gate: StaffGate, pin: str) -> bool:
    """Load the persisted lockout into ``gate``, try ``pin``, persist the outcome (commits)."""
    return staff.check_pin(session, gate, pin)
