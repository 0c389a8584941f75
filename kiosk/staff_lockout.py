"""The staff PIN gate's lockout kept in the terminal's key-value table, so a restart does not lift it.

:class:`kiosk.staff.StaffGate` counts failures and the lockout's end in memory; these functions load
them into a gate before a PIN is tried and save the outcome in the same transaction (the failure count
and the lockout's end, in wall-clock seconds since the epoch).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kiosk.mirror.models import KeyValue
from kiosk.staff import StaffGate

KV_FAILURES = "staff.failures"
KV_LOCKED_UNTIL = "staff.locked_until"  # wall-clock seconds since the epoch


def load_lockout(session: Session) -> tuple[int, float]:
    """(failures so far, locked until) as persisted; (0, 0.0) when nothing (readable) is."""
    failures = session.get(KeyValue, KV_FAILURES)
    until = session.get(KeyValue, KV_LOCKED_UNTIL)
    try:
        return (int(failures.value) if failures else 0, float(until.value) if until else 0.0)
    except ValueError:
        return (0, 0.0)


def save_lockout(session: Session, failures: int, locked_until: float) -> None:
    """Persist the gate's failure count and lockout end (committed here)."""
    session.merge(KeyValue(key=KV_FAILURES, value=str(failures)))
    session.merge(KeyValue(key=KV_LOCKED_UNTIL, value=f"{locked_until:.3f}"))
    session.commit()


def seconds_locked(session: Session, gate: StaffGate) -> int:
    """Seconds left in the persisted lockout (0 when not locked); loads it into ``gate``."""
    gate.failures, gate.locked_until = load_lockout(session)
    return int(gate.seconds_locked())


def check_pin_persisted(session: Session, gate: StaffGate, pin: str) -> bool:
    """Load the persisted lockout into ``gate``, try ``pin``, persist the outcome."""
    gate.failures, gate.locked_until = load_lockout(session)
    ok = bool(gate.try_pin(pin))
    save_lockout(session, gate.failures, gate.locked_until)
    return ok
