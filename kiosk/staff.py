"""Staff authentication: a PIN stored as a salted scrypt hash, with a lockout that neither a restart nor
the wall clock can lift.

The hash is :mod:`kiosk.passwords`' one format (``scrypt$N$r$p$<salt b64>$<key b64>``); a PIN is 6 to 12
digits (10⁶ PINs: with five tries per lockout and lockouts that double each round, guessing one takes years,
where a 4-digit PIN fell within a week).

:class:`StaffGate` checks PINs and locks after ``max_failures`` wrong ones in a row, for ``lockout_s`` the
first time and twice as long each further round (capped at a day) until a right PIN is entered. Its time
is a :class:`StaffClock`: seconds of the terminal's running time, accumulated in the database from
``CLOCK_BOOTTIME`` deltas (which the wall clock cannot move, and which keep counting through suspend).
Setting the date back or forward changes nothing; a restart does not reset a lockout; after a reboot the
time since that boot counts and the time powered off does not (the lockout only gets longer). The clock
is stored at every PIN attempt. :func:`check_pin` loads the gate's state from the key-value table, tries
the PIN and stores the outcome in one short transaction; :func:`seconds_locked` only reads
(``kiosk.staff_lockout`` keeps the names the app's adapters call). A stored state that cannot be read
(edited by hand, half-written) counts as locked, never as unlocked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kiosk import passwords

MIN_PIN_DIGITS, MAX_PIN_DIGITS = 6, 12
MIN_LOCKOUT_S = 30
MAX_LOCKOUT_S = 24 * 3600
MAX_FAILURES_BOUNDS = (1, 10)

KV_STATE = "staff.pin_gate"  # {"failures": n, "rounds": n, "locked_until": t} on the StaffClock
KV_CLOCK = "staff.clock"  # {"elapsed": s, "boot": boot id, "mark": CLOCK_BOOTTIME at the last save}


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """A salted scrypt hash of ``pin`` (6 to 12 digits) for the configuration file (:mod:`kiosk.passwords`)."""
    if not pin.isascii() or not pin.isdigit() or not MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS:
        raise ValueError(f"工作人员 PIN 应为 {MIN_PIN_DIGITS} 到 {MAX_PIN_DIGITS} 位数字（0–9）")
    return passwords.hash_secret(pin, passwords.PIN_COST, salt=salt)


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches the stored hash; malformed hashes never match."""
    return passwords.verify(pin, stored)


def check_settings(max_failures: int, lockout_s: int) -> None:
    """ValueError unless the lockout settings are within their bounds (``lockout_s = 0`` is refused)."""
    lo, hi = MAX_FAILURES_BOUNDS
    if isinstance(max_failures, bool) or not lo <= max_failures <= hi:
        raise ValueError(f"键 'max_failures'（连续输错几次 PIN 后锁定）应在 {lo} 到 {hi} 之间，不是 {max_failures!r}")
    if isinstance(lockout_s, bool) or not MIN_LOCKOUT_S <= lockout_s <= MAX_LOCKOUT_S:
        bounds = f"{MIN_LOCKOUT_S} 到 {MAX_LOCKOUT_S} 秒之间（不能为 0）"
        raise ValueError(f"键 'lockout_s'（锁定多少秒）应在 {bounds}，不是 {lockout_s!r}")


# -- time that the wall clock cannot move ------------------------------------------------------------------
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def _boottime() -> float:
    clock = getattr(time, "CLOCK_BOOTTIME", None)
    return time.clock_gettime(clock) if clock is not None else time.monotonic()


@dataclass
class StaffClock:
    """Seconds of running time, persisted: ``elapsed`` plus the ``CLOCK_BOOTTIME`` delta since ``mark``
    in this boot. ``boottime`` and ``boot_id`` are injectable for tests."""

    elapsed: float = 0.0
    boot: str = ""
    mark: float = 0.0
    boottime: Callable[[], float] = field(default=_boottime, repr=False)
    boot_id: Callable[[], str] = field(default=_boot_id, repr=False)

    def now(self) -> float:
        """Advance to the present and return it (never less than before)."""
        here, t = self.boot_id(), self.boottime()
        if here == self.boot and t >= self.mark:
            self.elapsed += t - self.mark
        elif t >= 0:
            # another boot: CLOCK_BOOTTIME counts from this boot's start, so the time since it is known
            # (the time powered off is not counted)
            self.elapsed += t
        self.boot, self.mark = here, t
        return self.elapsed

    def dump(self) -> str:
        return json.dumps({"elapsed": round(self.elapsed, 3), "boot": self.boot, "mark": round(self.mark, 3)})

    @classmethod
    def load(cls, raw: str | None, **kw: Any) -> StaffClock:
        """The stored clock; ValueError when it cannot be read."""
        if raw is None:
            return cls(**kw)
        d = json.loads(raw)
        elapsed, boot, mark = d["elapsed"], d["boot"], d["mark"]
        for v in (elapsed, mark):
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v < 1e12:
                raise ValueError("clock out of range")
        if not isinstance(boot, str):
            raise ValueError("boot id")
        return cls(float(elapsed), boot, float(mark), **kw)


# -- the gate ----------------------------------------------------------------------------------------------
@dataclass
class StaffGate:
    """Checks PINs; locks after ``max_failures`` wrong PINs in a row for ``lockout_s`` × 2^(round − 1)."""

    pin_hash: str
    max_failures: int = 5
    lockout_s: int = 300
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    rounds: int = 0  # lockouts since the last right PIN
    locked_until: float = 0.0

    def __post_init__(self) -> None:
        check_settings(self.max_failures, self.lockout_s)

    def lockout_for(self, rounds: int) -> float:
        """The length of the ``rounds``-th lockout."""
        return float(min(MAX_LOCKOUT_S, self.lockout_s * 2 ** min(max(rounds - 1, 0), 20)))

    def seconds_locked(self) -> int:
        """Seconds left in the current lockout (0 when not locked)."""
        return max(0, int(self.locked_until - self.clock() + 0.999))

    def try_pin(self, pin: str) -> bool:
        """Check ``pin``; a locked gate refuses without checking."""
        if self.seconds_locked() > 0:
            return False
        if len(pin) >= MIN_PIN_DIGITS and verify_pin(pin, self.pin_hash):
            self.failures = self.rounds = 0
            return True
        self.failures += 1
        if self.failures >= self.max_failures:
            self.rounds += 1
            self.locked_until = self.clock() + self.lockout_for(self.rounds)
            self.failures = 0
        return False

    def state(self) -> str:
        return json.dumps({"failures": self.failures, "rounds": self.rounds, "locked_until": self.locked_until})

    def restore(self, raw: str | None) -> None:
        """Take the stored state; one that cannot be read locks the gate for a full further round."""
        if raw is None:
            self.failures, self.rounds, self.locked_until = 0, 0, 0.0
            return
        try:
            d = json.loads(raw)
            failures, rounds, until = d["failures"], d["rounds"], d["locked_until"]
            ints_ok = all(
                isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10_000 for v in (failures, rounds)
            )
            if not ints_ok or isinstance(until, bool) or not isinstance(until, int | float) or not 0 <= until < 1e12:
                raise ValueError("out of range")
            self.failures, self.rounds, self.locked_until = failures, rounds, float(until)
        except (ValueError, KeyError, TypeError):
            self._lock_on_corruption()

    def _lock_on_corruption(self) -> None:
        self.failures = 0
        self.rounds = max(self.rounds, 1) + 1
        self.locked_until = self.clock() + self.lockout_for(self.rounds)


def _kv(session: Session, key: str) -> str | None:
    from kiosk.mirror.store import kv_get

    value = kv_get(session, key)
    return value if isinstance(value, str) or value is None else repr(value)


def _persisted(session: Session, gate: StaffGate, clock_kw: dict[str, Any]) -> StaffClock:
    """Bind ``gate`` to the stored clock and restore its stored state (inside the caller's transaction)."""
    try:
        clock = StaffClock.load(_kv(session, KV_CLOCK), **clock_kw)
        corrupt_clock = False
    except (ValueError, KeyError, TypeError):
        clock, corrupt_clock = StaffClock(**clock_kw), True
    gate.clock = clock.now
    gate.restore(_kv(session, KV_STATE))
    if corrupt_clock:
        gate._lock_on_corruption()
    return clock


def _store(session: Session, gate: StaffGate, clock: StaffClock) -> None:
    from kiosk.mirror.store import kv_set

    clock.now()
    kv_set(session, KV_CLOCK, clock.dump())
    kv_set(session, KV_STATE, gate.state())


def check_pin(session: Session, gate: StaffGate, pin: str, **clock_kw: Any) -> bool:
    """Try ``pin`` against the persisted gate and persist the outcome (commits ``session``)."""
    try:
        clock = _persisted(session, gate, clock_kw)
        ok = gate.try_pin(pin)
        _store(session, gate, clock)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return ok


def seconds_locked(session: Session, gate: StaffGate, **clock_kw: Any) -> int:
    """Seconds left in the persisted lockout (read-only: runs on a reader session; :func:`check_pin`
    stores the clock's progress)."""
    _persisted(session, gate, clock_kw)
    return gate.seconds_locked()
