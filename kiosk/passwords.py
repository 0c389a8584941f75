"""One password hasher for both sides: the terminal's staff PIN (``kiosk.staff``) and the district server's
account passwords (``sync.server.admin.auth``).

One format, ``scrypt$N$r$p$<salt, base64>$<key, base64>`` (standard base64 with padding), and one
:func:`verify`. Every hash either side has ever stored is in that format — the PIN hashes of
``kiosk.staff`` (N = 2¹⁴) and the account hashes of the server (N = 2¹⁵), both with 16-byte salts and
32-byte keys — so both stay verifiable; :func:`verify` reads the cost from the hash itself. A stored hash
is not trusted blindly: its cost parameters and sizes must lie within bounds (a hand-edited
``scrypt$1048576$64$…`` must not make every check take a minute and gigabytes), and anything malformed
simply does not match.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

SCHEME = "scrypt"
SALT_BYTES = 16
KEY_BYTES = 32
MAX_N = 2**20
MAX_R = 32
MAX_P = 16
MAX_MEM = 256 * 1024 * 1024


@dataclass(frozen=True)
class Cost:
    """scrypt's work factors: ``n`` (CPU and memory, a power of two), ``r`` (block size), ``p`` (lanes)."""

    n: int
    r: int = 8
    p: int = 1

    def ok(self) -> bool:
        n_ok = 2 <= self.n <= MAX_N and self.n & (self.n - 1) == 0
        return n_ok and 1 <= self.r <= MAX_R and 1 <= self.p <= MAX_P and 128 * self.n * self.r <= MAX_MEM


PIN_COST = Cost(2**14)  # a staff PIN at a terminal: about 50 ms
PASSWORD_COST = Cost(2**15)  # a server account: 32 MiB and about a tenth of a second per check


def _scrypt(secret: str, salt: bytes, cost: Cost, length: int) -> bytes:
    memory = min(MAX_MEM + 1024 * 1024, 2 * 128 * cost.n * cost.r * cost.p + 1024 * 1024)
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=cost.n, r=cost.r, p=cost.p, maxmem=memory, dklen=length)


def hash_secret(secret: str, cost: Cost, *, salt: bytes | None = None) -> str:
    """The stored form of ``secret``: a fresh (or the given) salt and the scrypt key, in the one format."""
    if not cost.ok():
        raise ValueError("scrypt cost out of bounds")
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    key = _scrypt(secret, salt, cost, KEY_BYTES)
    b64 = base64.b64encode
    return f"{SCHEME}${cost.n}${cost.r}${cost.p}${b64(salt).decode()}${b64(key).decode()}"


def parse(stored: str) -> tuple[Cost, bytes, bytes] | None:
    """(cost, salt, key) of a stored hash, or None when it is not one this module would accept."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME or not all(x.isascii() and x.isdigit() for x in parts[1:4]):
        return None
    cost = Cost(int(parts[1]), int(parts[2]), int(parts[3]))
    try:
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (binascii.Error, ValueError):
        return None
    if not cost.ok() or not 8 <= len(salt) <= 64 or not 16 <= len(key) <= 64:
        return None
    return cost, salt, key


def verify(secret: str, stored: str) -> bool:
    """True when ``secret`` matches ``stored`` (constant-time compare); a malformed hash never matches."""
    parsed = parse(stored)
    if parsed is None:
        return False
    cost, salt, want = parsed
    try:
        got = _scrypt(secret, salt, cost, len(want))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, want)


def needs_rehash(stored: str, cost: Cost) -> bool:
    """Whether ``stored`` was made with a cost other than ``cost`` (re-hash it at the next right answer)."""
    parsed = parse(stored)
    return parsed is None or parsed[0] != cost
