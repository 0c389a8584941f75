"""Terminals from the district's side: registering one with a one-time enrolment code, and revoking,
rotating and removing it (``python -m sync.server terminal …``).

IT registers a terminal of a zone that the server knows (published zones only). The server gives it an
id ``ZONE-NN`` — ``NN`` is also the terminal code inside its tracking numbers (受理编号), unique in the
zone and, with the zone's unique prefix, in the district — and a display name, and issues an enrolment
code: 10 characters of Crockford base 32 shown as ``XXXXX-XXXXX`` (about 50 bits), valid once, for 24
hours. Only the code's sha256 is stored.

On the terminal, ``kiosk enrol --server URL --code CODE`` redeems it (``POST /v1/enrol``): the server
creates the terminal's token at that moment, stores its hash and answers with everything the
configuration needs — terminal id, name, zone, the district's public key (the terminal checks its
fingerprint against the one IT read out), the sync interval and the zone's printer template. The token
is never shown to anyone. Until the code is redeemed the terminal has no working token.

The enrolment command first fetches the district's public key alone (``GET /v1/enrol/key``, which spends
nothing) and checks it against the fingerprint IT read out; only then does it redeem the code, so a
mistyped fingerprint costs no code.

``rotate`` issues a new code for an existing terminal (an enrolled, not revoked terminal's current token
keeps working until the new code is redeemed, then it is replaced; a revoked one stays refused until
then); ``revoke`` stops its token at once (the terminal is told
``terminal_revoked`` and keeps its outbox); ``remove`` deletes the terminal (its submissions stay).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from sync.server.db import EnrolmentCode, PrinterTemplate, Terminal, ZoneRow, sessions, utcnow
from sync.server.errors import TerminalAdminError

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
CODE_CHARS = 10
CODE_VALID = dt.timedelta(hours=24)
_NOT_ENROLLED = "unenrolled:"  # token_hash of a registered terminal before its code is redeemed
PRINTER_KEYS = ("name", "role", "kind", "target", "encoding", "font_charset", "columns", "cut")


@dataclass(frozen=True)
class Issued:
    """What IT is shown after registering (or rotating) a terminal."""

    terminal_id: str
    name: str
    zone: str
    zone_name: str
    code: str
    expires_at: dt.datetime
    printers: int


def normalise_code(text: str) -> str:
    """A typed code in canonical form: capitals, no separators, the look-alikes O→0, I/L→1."""
    s = re.sub(r"[\s-]", "", text).upper().translate(str.maketrans("OIL", "011"))
    return s


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def code_hash(code: str) -> str:
    return hashlib.sha256(("zwgk-enrol\n" + normalise_code(code)).encode("ascii", "replace")).hexdigest()


def zones(session: Session) -> dict[str, dict[str, Any]]:
    """The published zones by code (their wire objects)."""
    return {code: json.loads(data) for code, data in session.execute(select(ZoneRow.code, ZoneRow.data))}


def check_zone(session: Session, zone: str) -> dict[str, Any]:
    """The zone's wire object; a :class:`TerminalAdminError` naming the known zones when it is not published."""
    known = zones(session)
    if zone not in known:
        listing = "、".join(f"{z}（{known[z].get('name') or z}）" for z in sorted(known))
        raise TerminalAdminError(
            f"未知专区 {zone!r}（{'已有专区：' + listing if listing else '还没有发布任何专区，请先发布'}）"
        )
    return known[zone]


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_CHARS))


def _issue_code(s: Session, terminal_id: str, now: dt.datetime, valid: dt.timedelta) -> tuple[str, dt.datetime]:
    s.execute(delete(EnrolmentCode).where(EnrolmentCode.terminal_id == terminal_id, EnrolmentCode.used_at.is_(None)))
    code = _new_code()
    s.add(EnrolmentCode(code_hash=code_hash(code), terminal_id=terminal_id, created_at=now, expires_at=now + valid))
    return code, now + valid


def _free_number(s: Session, zone: str) -> int:
    used = set()
    for (tid,) in s.execute(select(Terminal.id).where(Terminal.zone == zone)):
        m = re.search(r"(\d+)$", tid)
        if m:
            used.add(int(m.group(1)) % 100)
    for n in range(1, 100):
        if n not in used:
            return n
    raise TerminalAdminError(f"专区 {zone} 已有 99 台终端；请先删除一台")


def template_for(s: Session, zone: str) -> list[dict[str, Any]]:
    row = s.get(PrinterTemplate, zone) or s.get(PrinterTemplate, "*")
    return list(json.loads(row.data)) if row is not None else []


def register(
    engine: Engine,
    zone: str,
    *,
    name: str | None = None,
    number: int | None = None,
    valid: dt.timedelta = CODE_VALID,
) -> Issued:
    """Register a new terminal of ``zone`` and issue its enrolment code."""
    now = utcnow()
    with sessions(engine)() as s, s.begin():
        zone_obj = check_zone(s, zone)
        if number is None:
            number = _free_number(s, zone)
        elif not 1 <= number <= 99:
            raise TerminalAdminError("--number 须在 1 到 99 之间（它是受理编号中的终端号）")
        terminal_id = f"{zone}-{number:02d}"
        if s.get(Terminal, terminal_id) is not None:
            raise TerminalAdminError(f"终端 {terminal_id} 已存在（可 rotate 重发注册码，或先 remove）")
        zone_name = str(zone_obj.get("name") or zone)
        display = (name or f"{zone_name} {number:02d} 号机").strip()[:100]
        s.add(
            Terminal(
                id=terminal_id,
                zone=zone,
                name=display,
                token_hash=_NOT_ENROLLED + secrets.token_hex(20),
                created_at=now,
            )
        )
        code, expires = _issue_code(s, terminal_id, now, valid)
        printers = len(template_for(s, zone))
    return Issued(terminal_id, display, zone, zone_name, code, expires, printers)


def rotate(engine: Engine, terminal_id: str, valid: dt.timedelta = CODE_VALID) -> tuple[Issued, str]:
    """A new enrolment code for an existing terminal (and lifts a revocation once it is redeemed), with
    what the terminal was when it was issued: ``enrolled`` (its token works until the code is redeemed),
    ``revoked`` (its token stays refused until then) or ``awaiting`` (it never had a working token)."""
    now = utcnow()
    with sessions(engine)() as s, s.begin():
        t = _terminal(s, terminal_id)
        was = "revoked" if t.revoked_at is not None else ("enrolled" if is_enrolled(t) else "awaiting")
        zone_name = str(zones(s).get(t.zone, {}).get("name") or t.zone)
        code, expires = _issue_code(s, t.id, now, valid)
        issued = Issued(t.id, t.name or t.id, t.zone, zone_name, code, expires, len(template_for(s, t.zone)))
        return issued, was


def revoke(engine: Engine, terminal_id: str) -> None:
    """Stop the terminal's token now; pending enrolment codes for it are dropped."""
    with sessions(engine)() as s, s.begin():
        t = _terminal(s, terminal_id)
        t.revoked_at = utcnow()
        s.execute(delete(EnrolmentCode).where(EnrolmentCode.terminal_id == t.id))


def remove(engine: Engine, terminal_id: str) -> None:
    """Delete the terminal and its codes; what it submitted stays."""
    with sessions(engine)() as s, s.begin():
        t = _terminal(s, terminal_id)
        s.execute(delete(EnrolmentCode).where(EnrolmentCode.terminal_id == t.id))
        s.delete(t)


def _terminal(s: Session, terminal_id: str) -> Terminal:
    t = s.get(Terminal, terminal_id)
    if t is None:
        raise TerminalAdminError(f"没有终端 {terminal_id!r}（'terminal list' 可列出全部终端）")
    return t


def is_enrolled(t: Terminal) -> bool:
    return not t.token_hash.startswith(_NOT_ENROLLED)


def set_printer_template(engine: Engine, zone: str, printers: list[dict[str, Any]]) -> None:
    """Store the printers new terminals of ``zone`` (``*``: any zone without its own) are given."""
    import tomli_w

    from kiosk.config import parse

    for i, p in enumerate(printers):
        if not isinstance(p, dict) or set(p) - set(PRINTER_KEYS):
            raise TerminalAdminError(f"第 {i + 1} 台打印机：只能使用这些键：{', '.join(PRINTER_KEYS)}")
    # The same checks a terminal's configuration makes (kind, role, encodings, target).
    try:
        parse(tomli_w.dumps({"terminal": {"content_pack": ""}, "printers": printers}))
    except TerminalAdminError as exc:
        raise TerminalAdminError(f"专区 {zone} 的打印机模板：{exc}") from None
    with sessions(engine)() as s, s.begin():
        if zone != "*":
            check_zone(s, zone)
        row = s.get(PrinterTemplate, zone)
        data = json.dumps(printers, ensure_ascii=False)
        if row is None:
            s.add(PrinterTemplate(zone=zone, data=data))
        else:
            row.data = data


def printer_templates(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with sessions(engine)() as s:
        return {z: json.loads(d) for z, d in s.execute(select(PrinterTemplate.zone, PrinterTemplate.data))}


def redeem(s: Session, code: str, token_hash: str) -> Terminal | None:
    """Use ``code`` once: the terminal it names gets ``token_hash`` and is no longer revoked.

    Returns the terminal, or None for an unknown, used or expired code. Commits.
    """
    now = utcnow()
    row = s.get(EnrolmentCode, code_hash(code))
    if row is None or row.used_at is not None or row.expires_at <= now:
        s.rollback()
        return None
    t = s.get(Terminal, row.terminal_id)
    if t is None:
        s.rollback()
        return None
    row.used_at = now
    t.token_hash = token_hash
    t.revoked_at = None
    t.refused_count = None
    t.refused_last_at = None
    t.enrolled_at = now
    s.commit()
    return t
