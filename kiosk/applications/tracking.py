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
