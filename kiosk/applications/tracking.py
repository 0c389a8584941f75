"""Tracking numbers (受理编号) that are unique across every terminal of the district without any network.

Format::

    WB01-20261127-0007
    ││ │  │        └── sequence: this terminal's n-th application of that day, 4 digits (more if needed)
    ││ │  └── date of submission, terminal local time (China Standard Time, UTC+8)
    ││ └── terminal code: 2 characters naming the terminal within its zone
    └└── zone prefix (Zone.prefix): 2–4 capital letters, unique across the district (a mirror constraint)

Why two terminals never issue the same number:

- terminals in different zones differ in the prefix (``zones.prefix`` is unique, set by the server);
- terminals in one zone differ in the terminal code, taken from the configured ``terminal.id``: its
  trailing digits (``demo-wanbao-01`` → ``01``; ``wanbao-3`` → ``03``), or — if the id ends in no digits
  — two characters of its SHA-256 in base 32 (1 in 1024 that two such ids in one zone collide: give
  terminals numbered ids, which ``sync.server terminal add`` does);
- one terminal never repeats a (date, sequence) pair: the sequence is the durable counter
  ``application-seq:YYYYMMDD`` in the terminal's own database (:mod:`kiosk.counters`), drawn inside the
  transaction that stores the application — ``BEGIN IMMEDIATE`` holds the write lock, so two writers
  cannot draw the same value, and a rolled-back submission consumes nothing that was ever printed. A
  clock set back to an earlier day continues that day's counter instead of restarting it.

What would break it: two terminals configured with the same id in one zone, or a terminal whose
database is deleted and recreated on the same day (its counter restarts). The server detects both as a
duplicate tracking number with a different idempotency key.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from kiosk.counters import next_value

CHINA_TZ = timezone(timedelta(hours=8), "CST")  # China has one time zone and no daylight saving
PREFIX_RE = re.compile(r"[A-Z]{2,4}")
TRACKING_RE = re.compile(r"(?P<prefix>[A-Z]{2,4})(?P<terminal>[0-9A-Z]{2})-(?P<date>\d{8})-(?P<seq>\d{4,})")


def local_date(now: datetime) -> date:
    """The calendar date in China of ``now`` (a naive ``now`` is taken as already local)."""
    if now.tzinfo is None:
        return now.date()
    return now.astimezone(CHINA_TZ).date()


def local_now() -> datetime:
    """Now, as an aware datetime in China Standard Time."""
    return datetime.now(UTC).astimezone(CHINA_TZ)


def terminal_code(terminal_id: str) -> str:
    """The 2-character code of a terminal within its zone (see the module docstring)."""
    digits = re.search(r"(\d+)$", terminal_id.strip())
    if digits:
        return f"{int(digits.group(1)) % 100:02d}"
    digest = hashlib.sha256(terminal_id.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii")[:2]


def check_prefix(prefix: str) -> str:
    """``prefix`` if it is 2–4 capital letters, else ValueError (a mirror/config problem, not the user's)."""
    if not PREFIX_RE.fullmatch(prefix):
        raise ValueError(f"zone prefix {prefix!r} must be 2-4 capital letters")
    return prefix


def format_tracking_no(prefix: str, terminal_id: str, day: date, sequence: int) -> str:
    return f"{check_prefix(prefix)}{terminal_code(terminal_id)}-{day:%Y%m%d}-{sequence:04d}"


def next_tracking_no(session: Session, *, prefix: str, terminal_id: str, now: datetime) -> str:
    """Draw the next tracking number in the caller's transaction (commit it with the application)."""
    day = local_date(now)
    sequence = next_value(session, f"application-seq:{day:%Y%m%d}")
    return format_tracking_no(prefix, terminal_id, day, sequence)


def parse_tracking_no(text: str) -> dict[str, str] | None:
    """The parts of a tracking number as typed (spaces and case forgiven), or None if it is not one."""
    m = TRACKING_RE.fullmatch(text.strip().upper().replace(" ", ""))
    return m.groupdict() if m else None


# What a resident may type for a character of a tracking number: in a digits-only position O/Q/D read as
# 0 and I/L as 1 (lower case arrives upper-cased); in a letters-only position 0 reads as O and 1 as I.
_AS_DIGIT = {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1"}
_AS_LETTER = {"0": "O", "1": "I"}
_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_MAX_CANDIDATES = 8


def tracking_candidates(text: str) -> list[str]:
    """The tracking numbers ``text`` may have meant, in the canonical form, most likely first.

    Forgiven: hyphens left out or put elsewhere, spaces, other dashes, lower case, and O/0, I/1 (also
    L/1, Q/D/0) where the position allows only one of them — digits in the date and the sequence,
    letters in the zone prefix. The terminal code is two digits, or two base-32 characters (which have
    no 0 and no 1): a code with a 0 or 1 in it is read as digits. A split is kept only if its date is a
    real calendar date. Empty if nothing plausible (too short, a letter in the date, …).
    """
    raw = re.sub(r"[\s\-‐‑‒–—―－_·.。/]", "", text).upper()
    if not raw.isascii() or not raw.isalnum():
        return []
    found: list[str] = []
    for plen in (2, 3, 4):
        rest = raw[plen:]
        if len(rest) < 2 + 8 + 4:
            continue
        prefix = _letters(raw[:plen])
        digits = _digits(rest[2:])
        if prefix is None or digits is None or not _is_date(digits[:8]):
            continue
        for code in _terminal_codes(rest[:2]):
            candidate = f"{prefix}{code}-{digits[:8]}-{digits[8:]}"
            if candidate not in found:
                found.append(candidate)
    # the split that changed fewest characters first (the literal reading before a corrected one)
    found.sort(key=lambda c: _changes(raw, c.replace("-", "")))
    return found[:_MAX_CANDIDATES]


def _letters(part: str) -> str | None:
    out = "".join(_AS_LETTER.get(ch, ch) for ch in part)
    return out if out.isalpha() else None


def _digits(part: str) -> str | None:
    out = "".join(_AS_DIGIT.get(ch, ch) for ch in part)
    return out if out.isdigit() else None


def _terminal_codes(code: str) -> list[str]:
    as_digits = _digits(code)
    out = []
    if as_digits is not None and (code.isdigit() or any(ch in "01" for ch in code)):
        out.append(as_digits)  # a code with 0 or 1 cannot be base 32: it is the terminal's digits
    if all(ch in _BASE32 for ch in code) and not code.isdigit():
        out.append(code)
    if as_digits is not None and as_digits not in out:
        out.append(as_digits)
    return out


def _is_date(yyyymmdd: str) -> bool:
    try:
        day = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 2000 <= day.year <= 2199


def _changes(raw: str, candidate: str) -> int:
    return sum(a != b for a, b in zip(raw, candidate, strict=False))


def tracking_from_scan(payload: str) -> str | None:
    """The tracking number a receipt's QR code holds, or None if it holds none.

    The receipt's QR (``printing.escpos.receipt.status_qr_payload``) holds the number alone or the
    district's status address with ``no=<number>``; anything else a camera may read (another QR, a
    bar code) gives None.
    """
    from urllib.parse import parse_qs, urlsplit

    text = payload.strip()
    if "://" in text:
        values = parse_qs(urlsplit(text).query).get("no", [])
        text = values[0] if values else ""
    readings = tracking_candidates(text) if len(text) <= 40 else []
    return readings[0] if readings else None


def idempotency_key(tracking_no: str, nonce: str | None = None) -> str:
    """The outbox key of one application, drawn once at submission and reused by every retry.

    It names the tracking number and a random nonce. The nonce matters when a tracking number is issued
    twice (a terminal whose database was recreated on the same day, or two terminals given one id): with
    the tracking number alone the server would replay the first application's answer to the second, and
    the terminal would take that as delivery and purge an application the district never received. With
    the nonce the second is a new key for a used tracking number: the server refuses it (409 conflict),
    the entry stays in the outbox with its error for staff, and nothing is lost.
    """
    return f"application-{tracking_no}-{nonce or secrets.token_hex(6)}"
