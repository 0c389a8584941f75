"""What travels on the wire: limits both ends agree on, and the document record's JSON shape.

A document on the wire is the content-pack object of ``kiosk/contentpack.py`` (the format of
``shared/corpus/laws.jsonl`` plus version, zone, categories, status, …) whose attachments are named by
sha256 and size only; the bytes travel separately as blobs. Both ends use :func:`record_to_wire` and
``kiosk.contentpack.parse_document`` so a record survives the round trip unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.contentpack import PendingBlob, parse_document
from kiosk.mirror.store import DocumentRecord

API = "/v1"
SUBMISSION_KINDS = ("application", "rating", "usage", "heartbeat")
MAX_PAGE_ENTRIES = 1000
DEFAULT_PAGE_ENTRIES = 200
PAGE_BYTE_BUDGET = 2 * 1024 * 1024  # the server stops filling a page after this many bytes of records
MAX_SUBMISSION_BYTES = 64 * 1024  # a posted application/rating/usage/heartbeat body
MAX_LOOKUP_BYTES = 2 * 1024
IDEMPOTENCY_HEADER = "Idempotency-Key"
# A document entry's ``history``: its earlier versions (修订), newest first, at most this many and this many
# bytes of body text in all (older versions beyond either bound are left out of the feed, not refused).
MAX_HISTORY_VERSIONS = 5
MAX_HISTORY_BODY_BYTES = 4 * 1024 * 1024
HISTORY_FIELDS = ("title", "doc_number", "published", "effective", "body", "body_format")


def history_entry(doc: dict[str, Any], version: int, amended_at: str) -> dict[str, Any]:
    """One earlier version of a document as it travels in ``history``: the text fields of its wire
    record ``doc`` (as it was), its version number and when it was replaced (ISO date-time, UTC)."""
    out: dict[str, Any] = {"version": version, "amended_at": amended_at}
    out.update({k: doc[k] for k in HISTORY_FIELDS if doc.get(k) is not None})
    return out


def bounded_history(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``entries`` (newest first) cut to :data:`MAX_HISTORY_VERSIONS` and :data:`MAX_HISTORY_BODY_BYTES`."""
    out: list[dict[str, Any]] = []
    size = 0
    for e in entries[:MAX_HISTORY_VERSIONS]:
        size += len(str(e.get("body", "")).encode("utf-8"))
        if size > MAX_HISTORY_BODY_BYTES:
            break
        out.append(e)
    return out


def record_to_wire(rec: DocumentRecord) -> dict[str, Any]:
    """The JSON object for ``rec`` (empty fields left out) that ``parse_document`` turns back into it."""
    obj: dict[str, Any] = {
        "id": rec.id,
        "title": rec.title,
        "version": rec.version,
        "status": rec.status.value,
        "body": rec.body,
        "body_format": rec.body_format,
    }
    optional = {
        "doc_number": rec.doc_number,
        "issuer": rec.issuer,
        "zone": rec.zone_id,
        "level": rec.level,
        "region": rec.region,
        "published": rec.published,
        "effective": rec.effective,
        "superseded_by": rec.superseded_by,
        "supersedes": rec.supersedes,
        "interprets": rec.interprets,
        "public_url": rec.public_url,
    }
    obj.update({k: v for k, v in optional.items() if v is not None})
    if rec.categories:
        obj["categories"] = list(rec.categories)
    if rec.attachments:
        obj["attachments"] = [
            {"name": a.name, "sha256": a.sha256, "size": a.size, "mime": a.mime} for a in rec.attachments
        ]
    for k, v in (rec.extra or {}).items():
        if k in ("category", "source_path", "source_repo"):
            obj[k] = v
    if rec.source is not None and "source_repo" not in obj:
        obj["source_repo"] = rec.source
    return obj


def wire_to_record(obj: Any) -> DocumentRecord:
    """Parse a wire document (ValueError with a plain reason when it is not one)."""
    if not isinstance(obj, dict):
        raise ValueError("a document must be a JSON object")
    blobs: list[PendingBlob] = []
    rec = parse_document(obj, Path("/nonexistent"), blobs)
    if blobs:
        raise ValueError("a synced document names its attachments by sha256 and size only")
    return rec


MAX_ACKS_REPORTED = 5000  # acknowledged tracking numbers a terminal reports after a restore, at most
MAX_ACKS_BYTES = 512 * 1024
