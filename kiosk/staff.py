"""Staff authentication: a PIN stored as a salted scrypt hash, with lockout after repeated failures.

The hash format is ``scrypt$N$r$p$<salt b64>$<key b64>``. Failure counts and the lockout deadline are
kept by :class:`StaffGate` in memory and persisted by the caller if it wishes (the UI keeps them in the
terminal's key-value state so a restart does not reset a lockout).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

_N, _R, _P = 16384, 8, 1


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """A salted scrypt hash of ``pin`` for the configuration file."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("a staff PIN is 4 to 12 digits")
    salt = salt if salt is not None else os.urandom(16)
    key = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(key).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches the stored hash; malformed hashes never match."""
    try:
        scheme, n, r, p, salt_b64, key_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64, validate=True)
        want = base64.b64decode(key_b64, validate=True)
        got = hashlib.scrypt(
            pin.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(want), maxmem=64 * 1024 * 1024
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


@dataclass
class StaffGate:
    """Checks PINs and locks staff mode for ``lockout_s`` after ``max_failures`` wrong PINs in a row."""

    pin_hash: str
    max_failures: int = 5
    lockout_s: int = 300
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    locked_until: float = 0.0

    def seconds_locked(self) -> int:
        """Seconds left in the current lockout (0 when not locked)."""
        return max(0, int(self.locked_until - self.clock() + 0.999))

    def try_pin(self, pin: str) -> bool:
        """Check ``pin``; a locked gate refuses without checking."""
        if self.seconds_locked() > 0:
            return False
        if verify_pin(pin, self.pin_hash):
            self.failures = 0
            return True
        self.failures += 1
        if self.failures >= self.max_failures:
            self.locked_until = self.clock() + self.lockout_s
            self.failures = 0
        return False
