"""Strict schemas for everything the district server sends a terminal, checked before anything is stored.

Every answer is first decoded by :func:`loads` (bounded: no integer longer than 18 digits, no NaN or
Infinity, nesting at most :data:`MAX_DEPTH` deep; anything else is refused with :class:`BadAnswer`, never
an uncaught ``RecursionError`` or ``ValueError``), then the part the terminal uses is validated against
one of the pydantic models below in strict mode: a JSON ``true`` is not an integer, a number is not a
string, every integer and string is bounded. Signed payloads are validated after their signature (so the
hash the manifest names is still computed over exactly what was signed); unsigned fields (a page's
``remaining``, a submission's answer, an error body) are validated just the same.

The models are the single place that says what a terminal accepts: the working-day calendar's shape is
:class:`CalendarPayload` (extend it there when the calendar feed grows fields), the submission answer that
counts as an acknowledgement is :class:`SubmissionAnswer` with :func:`ack_problem`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from kiosk.errors import ServerError
from sync.protocol.wire import MAX_HISTORY_BODY_BYTES, MAX_HISTORY_VERSIONS

MAX_DEPTH = 16  # the deepest well-formed answer (a page's entry's document's attachment) is 6 levels
MAX_INT_DIGITS = 18  # every integer of the protocol fits in 63 bits
MAX_SEQ = 2**53  # sequence numbers, versions, counts
MAX_PAGE_ENTRIES = 1000


class BadAnswer(ServerError):
    """The server's answer is not what the protocol allows (not JSON, too deep, mistyped, out of bounds)."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text)} digits")
    return int(text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth_ok(obj: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return False
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return True


def loads(data: bytes | bytearray, what: str) -> Any:
    """Decode a JSON answer, or raise :class:`BadAnswer` (plain Chinese) for anything off-limits."""
    try:
        obj = json.loads(data, parse_int=_parse_int, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadAnswer(f"{what}：服务器回应不完整或不是 JSON") from None
    except (ValueError, RecursionError, MemoryError):
        raise BadAnswer(f"{what}：服务器回应含有超出范围的数字或嵌套过深，已拒绝") from None
    if not _depth_ok(obj, MAX_DEPTH):
        raise BadAnswer(f"{what}：服务器回应嵌套过深，已拒绝")
    return obj


# -- field types ------------------------------------------------------------------------------------------
def _iso_time(value: str) -> str:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("not an ISO date-time") from None
    return value


def _iso_date(value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not an ISO date YYYY-MM-DD")
    dt.date.fromisoformat(value)
    return value


def _utf8(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains a lone surrogate") from None
    return value


def _no_surrogates(value: str) -> str:
    _utf8(value)
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    return value


Count = Annotated[int, Field(ge=0, le=MAX_SEQ)]
Version = Annotated[int, Field(ge=1, le=MAX_SEQ)]
SortOrder = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
IsoTime = Annotated[str, Field(max_length=40), AfterValidator(_iso_time)]
IsoDate = Annotated[str, Field(max_length=10), AfterValidator(_iso_date)]
DocId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")]
KeyId = Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]


# strings: at most N characters, valid UTF-8 (no lone surrogate), no NUL
Text16 = Annotated[str, Field(max_length=16), AfterValidator(_no_surrogates)]
Text32 = Annotated[str, Field(max_length=32), AfterValidator(_no_surrogates)]
Text40 = Annotated[str, Field(max_length=40), AfterValidator(_no_surrogates)]
Text64 = Annotated[str, Field(max_length=64), AfterValidator(_no_surrogates)]
Text80 = Annotated[str, Field(max_length=80), AfterValidator(_no_surrogates)]
Text120 = Annotated[str, Field(max_length=120), AfterValidator(_no_surrogates)]
Text200 = Annotated[str, Field(max_length=200), AfterValidator(_no_surrogates)]
Text300 = Annotated[str, Field(max_length=300), AfterValidator(_no_surrogates)]
Text500 = Annotated[str, Field(max_length=500), AfterValidator(_no_surrogates)]
Text2000 = Annotated[str, Field(max_length=2000), AfterValidator(_no_surrogates)]
Body = Annotated[str, Field(max_length=4 * 1024 * 1024), AfterValidator(_utf8)]  # NUL is dropped later


class Strict(BaseModel):
    """Strict types, unknown fields ignored (never stored), immutable."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


def check[M: Strict](model: type[M], obj: Any, what: str) -> M:
    """``obj`` validated as ``model``, or :class:`BadAnswer` naming the first bad field (no values echoed)."""
    try:
        return model.model_validate(obj, strict=True)
    except PydanticValidationError as exc:
        err = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in err["loc"]) or "(整体)"
        raise BadAnswer(f"{what}：服务器回应的字段 {where[:80]} 不合规定（{err['msg'][:80]}），已拒绝") from None


# -- envelopes and signed payloads -------------------------------------------------------------------------
class Envelope(Strict):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    key_id: Annotated[str, Field(max_length=64)]
    payload: dict[str, Any]
    sig: Annotated[str, Field(max_length=200)]


class ManifestPayload(Strict):
    kind: Literal["manifest"]
    version: Version
    issued_at: IsoTime
    expires_at: IsoTime
    head_seq: Count
    epoch: Version | None = None  # the feed's epoch (raised by a restore); None from a server without it
    chain: Sha256 | None = None  # the feed's hash chain at head_seq
    zones_sha256: Sha256 | None = None
    categories_sha256: Sha256 | None = None
    calendar_sha256: Sha256 | None = None
    releases_sha256: Sha256 | None = None  # the signed release list (sync.protocol.releases)


class PagePayload(Strict):
    kind: Literal["page"]
    after: Count
    until: Count
    scope: Literal["own", "all"]
    zone: Code | None
    seqs: Annotated[list[Count], Field(max_length=MAX_PAGE_ENTRIES)]
    next_after: Count
    more: bool
    epoch: Version | None = None
    after_chain: Sha256 | None = None  # the feed's hash chain at ``after``
    next_chain: Sha256 | None = None  # and at ``next_after``


class PageAnswer(Strict):
    """``GET /v1/changes``: the entries (each an envelope), the signed page, two unsigned counters."""

    entries: Annotated[list[dict[str, Any]], Field(max_length=MAX_PAGE_ENTRIES)]
    page: dict[str, Any]
    head_seq: Count | None = None
    remaining: Count | None = None


class AttachmentRef(Strict):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    name: Text200
    sha256: Sha256
    size: Annotated[int, Field(ge=0, le=64 * 1024 * 1024)]
    mime: Text80 | None = None


class WireDocument(Strict):
    """A document record as it travels (``sync.protocol.wire.record_to_wire``); ``parse_document`` checks the rest."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    id: DocId
    title: Text500
    version: Annotated[int, Field(ge=1, le=2**31 - 1)] = 1
    status: Text16 | None = None
    body: Body = ""
    body_format: Literal["markdown", "html"] = "markdown"
    doc_number: Text120 | None = None
    issuer: Text200 | None = None
    zone: Code | None = None
    level: Text32 | None = None
    region: Text32 | None = None
    published: IsoDate | None = None
    effective: IsoDate | None = None
    superseded_by: DocId | None = None
    supersedes: DocId | None = None
    interprets: DocId | None = None
    public_url: Text500 | None = None
    categories: Annotated[list[Code], Field(max_length=64)] = []
    attachments: Annotated[list[AttachmentRef], Field(max_length=50)] = []
    category: Text200 | None = None
    source_path: Text500 | None = None
    source_repo: Text500 | None = None


class HistoryEntry(Strict):
    """One earlier version of a document (``sync.protocol.wire.history_entry``): what the terminal shows as 历史版本."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    version: Annotated[int, Field(ge=1, le=2**31 - 1)]
    amended_at: IsoTime
    title: Text500
    doc_number: Text120 | None = None
    published: IsoDate | None = None
    effective: IsoDate | None = None
    body: Body = ""
    body_format: Literal["markdown", "html"] = "markdown"


def _history_bounded(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    if sum(len(e.body.encode("utf-8")) for e in entries) > MAX_HISTORY_BODY_BYTES:
        raise ValueError(f"earlier versions' text over {MAX_HISTORY_BODY_BYTES // (1024 * 1024)} MB")
    versions = [e.version for e in entries]
    if len(set(versions)) != len(versions):
        raise ValueError("an earlier version is listed twice")
    return entries


class DocumentPayload(Strict):
    kind: Literal["document"]
    seq: Annotated[int, Field(ge=1, le=MAX_SEQ)]
    op: Literal["put", "delete"]
    id: DocId
    doc: dict[str, Any] | None = None
    zone: Code | None = None
    history: Annotated[
        list[HistoryEntry], Field(max_length=MAX_HISTORY_VERSIONS), AfterValidator(_history_bounded)
    ] = []


class ZoneItem(Strict):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    code: Code
    name: Text64
    kind: Literal["district", "township", "street"] = "township"
    prefix: Annotated[str, Field(pattern=r"^[A-Z]{2,4}$")]
    address: Text200 = ""
    hours: Text200 = ""
    phone: Text40 = ""
    sort_order: SortOrder = 0


class ZonesPayload(Strict):
    kind: Literal["zones"]
    items: Annotated[list[ZoneItem], Field(max_length=500)]


class CategoryItem(Strict):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    code: Code
    name: Text64
    facet: Text16
    sort_order: SortOrder = 0
    icon: Text64 = ""
    description: Text2000 = ""


class CategoriesPayload(Strict):
    kind: Literal["categories"]
    items: Annotated[list[CategoryItem], Field(max_length=2000)]


Year = Annotated[str, Field(pattern=r"^(19|20|21)\d{2}$")]


class CalendarYear(Strict):
    holidays: Annotated[list[IsoDate], Field(max_length=400)]
    workdays: Annotated[list[IsoDate], Field(max_length=400)]
    names: Annotated[dict[IsoDate, Text40], Field(max_length=400)] = {}


class CalendarPayload(Strict):
    """The working-day calendar (``sync/server/feed/calendar.py`` builds it; ``kiosk.workdays`` counts with it).

    A calendar that fails any check is refused whole and the stored one stays. Extend it here when the
    calendar feed grows fields: unknown fields are dropped, never stored."""

    kind: Literal["calendar"]
    source: Text200 = ""
    sources: Annotated[dict[Year, Text200], Field(max_length=64)] = {}
    years: Annotated[dict[Year, CalendarYear], Field(max_length=64)]

    def checked_years(self) -> dict[str, dict[str, Any]]:
        """The years as stored; ValueError when a day lies outside its year (December before and January
        after allowed, as the State Council's arrangements do) or is both off and worked."""
        out: dict[str, dict[str, Any]] = {}
        for year, days in self.years.items():
            y = int(year)
            first, last = dt.date(y - 1, 12, 1).isoformat(), dt.date(y + 1, 1, 31).isoformat()
            if any(not first <= d <= last for d in (*days.holidays, *days.workdays, *days.names)):
                raise ValueError(f"{year} 年的日历中有不属于该年的日期")
            if set(days.holidays) & set(days.workdays):
                raise ValueError(f"{year} 年的日历中有一天既放假又上班")
            entry: dict[str, Any] = {"holidays": sorted(set(days.holidays)), "workdays": sorted(set(days.workdays))}
            if days.names:
                entry["names"] = dict(sorted(days.names.items()))
            out[year] = entry
        return out


# -- unsigned answers ---------------------------------------------------------------------------------------
class SubmissionAnswer(Strict):
    """``POST /v1/submissions/{kind}``: what the server says it stored."""

    status: Text32
    kind: Text16
    idempotency_key: Text80 | None = None
    received_at: IsoTime | None = None
    tracking_no: Text40 | None = None
    deadline: IsoDate | None = None


def ack_problem(kind: str, key: str, tracking_no: str | None, answer: Any) -> str | None:
    """Why ``answer`` does not prove that the server stored the entry ``key`` (None when it does).

    An acknowledgement is a 2xx answer whose JSON says ``status: accepted`` for the same ``kind`` and
    idempotency key and, for an application, the same tracking number (docs/protocol.md).
    """
    try:
        a = check(SubmissionAnswer, answer, "回执")
    except BadAnswer as exc:
        return str(exc)
    if a.status != "accepted":
        return f"服务器未确认收到（状态 {a.status[:20]}）"
    if a.kind != kind:
        return "服务器回执的类别与所发送的不符"
    if a.idempotency_key != key:
        return "服务器回执未写明本条的幂等键，不能视为已送达"
    if tracking_no is not None and a.tracking_no != tracking_no:
        return "服务器回执的受理编号与本申请不符，不能视为已送达"
    return None


class LookupAnswer(Strict):
    """``POST /v1/applications/lookup``."""

    tracking_no: Text40
    status: Text32
    status_label: Text40 = ""
    received_at: IsoTime | None = None
    deadline: IsoDate | None = None


class ErrorBody(Strict):
    """``{"error": CODE, "message": TEXT}`` of an error status."""

    error: Text64 = ""
    message: Text500 = ""
