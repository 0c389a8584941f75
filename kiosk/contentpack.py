"""Content packs: the JSON Lines format the kiosk imports (documented in ``docs/content-pack.md``).

Each line is one JSON object. A line without ``"type"`` (or with ``"type": "document"``) is a document
in the format of ``shared/corpus/laws.jsonl`` plus optional fields of ours (version, zone, categories,
status, superseded_by, supersedes, interprets, attachments, public_url, body_format). Lines with
``"type": "zone"`` or ``"type": "category"`` describe the district's zones and categories.

Import is all-or-nothing: every line is parsed and checked first (strings must be valid UTF-8: a lone
surrogate such as ``"\ud800"`` is refused; attachments must be regular files inside the pack's folder,
opened without following links or blocking on a FIFO or device); if any line is bad, nothing is imported
and :class:`ContentPackError` lists each bad line's number and reason. The import itself is one
transaction, so a write that fails half-way (disk full) leaves the mirror as it was. With ``skip_bad`` the
good lines are imported and the bad ones reported.

Why about 470 lines: one format, one parser — every line kind of the pack with its checks and its
messages — so docs/content-pack.md has one place to match.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import kiosk.search.index as search_index
from kiosk.contentpack_words import json_reason, label
from kiosk.errors import ContentPackError, os_reason
from kiosk.mirror.blobs import BlobStore
from kiosk.mirror.models import Category, CategoryFacet, DocStatus, Zone
from kiosk.mirror.store import (
    AttachmentRecord,
    DocumentRecord,
    Outcome,
    apply_documents,
    upsert_category,
    upsert_zone,
)

MAX_LINE_BYTES = 8 * 1024 * 1024
MAX_TITLE = 500
MAX_BODY = 4 * 1024 * 1024
MAX_ATTACHMENT = 64 * 1024 * 1024
MAX_INT = 2**31 - 1  # versions, sizes and sort orders must fit SQLite's INTEGER with room to spare
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")

_DOC_FIELDS = {
    "type",
    "id",
    "title",
    "category",
    "level",
    "region",
    "issuer",
    "doc_number",
    "published",
    "effective",
    "status",
    "body",
    "source_path",
    "source_repo",
    "version",
    "zone",
    "categories",
    "superseded_by",
    "supersedes",
    "interprets",
    "attachments",
    "public_url",
    "body_format",
}


@dataclass
class PendingBlob:
    sha256: str
    data: bytes


@dataclass
class ParsedPack:
    documents: list[tuple[int, DocumentRecord]] = field(default_factory=list)
    zones: list[tuple[int, Zone]] = field(default_factory=list)
    categories: list[tuple[int, Category]] = field(default_factory=list)
    blobs: list[PendingBlob] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def add(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


def _utf8(value: str, key: str) -> None:
    """ValueError when ``value`` cannot be stored as UTF-8 (a lone surrogate such as ``"\\ud800"``)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{label(key)}含有无法存为 UTF-8 的孤立代理字符（U+{ord(value[exc.start]):04X}）") from None


def _str(obj: dict[str, Any], key: str, *, required: bool = False, max_len: int = 500) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise ValueError(f"缺少{label(key)}")
        return None
    if not isinstance(value, str):
        raise ValueError(f"{label(key)}应为字符串（用双引号括起的文字）")
    value = value.strip()
    if "\x00" in value:
        raise ValueError(f"{label(key)}含有 NUL 字符（\\u0000），请删去")
    _utf8(value, key)
    if required and not value:
        raise ValueError(f"{label(key)}为空")
    if len(value) > max_len:
        raise ValueError(f"{label(key)}超过 {max_len} 个字符")
    return value or None


def _date(obj: dict[str, Any], key: str) -> str | None:
    value = _str(obj, key, max_len=10)
    if value is None:
        return None
    try:
        if not _ISO_DATE.match(value):
            raise ValueError(value)
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{label(key)}应写成 YYYY-MM-DD 的实有日期，不是 {value!r}") from None
    return value


def _ref(obj: dict[str, Any], key: str) -> str | None:
    value = _str(obj, key, max_len=64)
    if value is not None and not _ID.match(value):
        raise ValueError(f"{label(key)}应为一个文件编号，不是 {value!r}")
    return value


def _read_regular_file(p: Path, rel: str) -> bytes:
    """The bytes of a regular file inside the pack. Opened without following a link and without blocking
    (a FIFO would hang an import, a device never ends), then checked to be a regular file before reading."""
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ValueError(f"附件 {rel!r} 是符号链接，请放入文件本身") from None
        raise ValueError(f"附件 {rel!r} 无法读取：{os_reason(exc)}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"附件 {rel!r} 不是普通文件（文件夹、设备、管道不能作附件）")
        if st.st_size > MAX_ATTACHMENT:
            raise ValueError(f"附件 {rel!r} 超过 {MAX_ATTACHMENT >> 20} MB")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_ATTACHMENT + 1)
    except OSError as exc:
        raise ValueError(f"附件 {rel!r} 无法读取：{os_reason(exc)}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_ATTACHMENT:
        raise ValueError(f"附件 {rel!r} 超过 {MAX_ATTACHMENT >> 20} MB")
    return data


def _attachment(raw: Any, pack_dir: Path, blobs: list[PendingBlob]) -> AttachmentRecord:
    if not isinstance(raw, dict):
        raise ValueError("附件（attachments）的每一项应为 JSON 对象（{…}）")
    name = _str(raw, "name", required=True, max_len=200)
    mime = _str(raw, "mime", max_len=80) or "application/pdf"
    want = _str(raw, "sha256", max_len=64)
    if want is not None and not _HEX64.match(want):
        raise ValueError(f"附件 {name!r}：{label('sha256')}应为 64 位十六进制数字")
    if "path" in raw:
        rel = _str(raw, "path", required=True, max_len=300)
        assert rel is not None
        p = (pack_dir / rel).resolve()
        if not p.is_relative_to(pack_dir.resolve()):
            raise ValueError(f"附件的{label('path')}{rel!r} 超出了内容包所在的文件夹")
        data = _read_regular_file(p, rel)
    elif "data_base64" in raw:
        try:
            data = base64.b64decode(str(raw["data_base64"]), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"附件的{label('data_base64')}不是有效的 Base64") from None
    elif want is not None:
        # a blob that arrives separately (sync); the record only names it
        size = raw.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_ATTACHMENT:
            raise ValueError(
                f"只给出 {label('sha256')}的附件还要写明{label('size')}：0 到 {MAX_ATTACHMENT >> 20} MB 的字节数"
            )
        return AttachmentRecord(name=name or "", sha256=want.lower(), size=size, mime=mime)
    else:
        raise ValueError(
            f"附件应给出{label('path')}、{label('data_base64')}，或 {label('sha256')}加{label('size')}，三者之一"
        )
    digest = hashlib.sha256(data).hexdigest()
    if want is not None and want.lower() != digest:
        raise ValueError(f"附件 {name!r}：内容与 {label('sha256')}不符")
    blobs.append(PendingBlob(digest, data))
    return AttachmentRecord(name=name or "", sha256=digest, size=len(data), mime=mime)


def parse_document(obj: dict[str, Any], pack_dir: Path, blobs: list[PendingBlob]) -> DocumentRecord:
    """Turn one JSON object into a record, raising ValueError with a plain reason."""
    unknown = sorted(set(obj) - _DOC_FIELDS)
    if unknown:
        raise ValueError(f"不认识的字段：{', '.join(unknown)}（字段名是否拼错？）")
    doc_id = _str(obj, "id", required=True, max_len=64)
    assert doc_id is not None
    if not _ID.match(doc_id):
        raise ValueError(f"{label('id')}应为 1–64 个字母、数字或 . _ : -，以字母或数字开头，不是 {doc_id!r}")
    title = _str(obj, "title", required=True, max_len=MAX_TITLE)
    assert title is not None
    body = obj.get("body", "")
    if not isinstance(body, str):
        raise ValueError(f"{label('body')}应为字符串（用双引号括起的文字）")
    if len(body) > MAX_BODY:
        raise ValueError(f"{label('body')}超过 {MAX_BODY} 个字符")
    _utf8(body, "body")
    body = body.replace("\x00", "")
    version = obj.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_INT:
        raise ValueError(
            f"{label('version')}应为 1 到 {MAX_INT} 的整数，不是 {json.dumps(version, ensure_ascii=False)[:40]}"
        )
    status_text = _str(obj, "status", max_len=16)
    try:
        status = DocStatus.parse(status_text)
    except ValueError:
        said = "应为 现行有效、已修订 或 已废止（也可写 in_force、amended、repealed）"
        raise ValueError(f"{label('status')}{said}，不是 {status_text!r}") from None
    body_format = _str(obj, "body_format", max_len=8) or "markdown"
    if body_format not in ("markdown", "html"):
        raise ValueError(f"{label('body_format')}应为 markdown 或 html，不是 {body_format!r}")
    cats_raw = obj.get("categories", [])
    if not isinstance(cats_raw, list) or not all(isinstance(c, str) and _CODE.match(c) for c in cats_raw):
        raise ValueError(f"{label('categories')}应为分类代码的列表，每个代码由字母、数字、_ 或 - 组成")
    atts_raw = obj.get("attachments", [])
    if not isinstance(atts_raw, list):
        raise ValueError(f"{label('attachments')}应为列表（[…]）")
    if len(atts_raw) > 50:
        raise ValueError(f"一份文件最多带 50 个{label('attachments')}，这里有 {len(atts_raw)} 个")
    attachments = tuple(_attachment(a, pack_dir, blobs) for a in atts_raw)
    zone = _str(obj, "zone", max_len=32)
    if zone is not None and not _CODE.match(zone):
        raise ValueError(f"{label('zone')}应为专区代码（字母、数字、_ 或 -），不是 {zone!r}")
    extra = {k: obj[k] for k in ("category", "source_path", "source_repo") if obj.get(k) is not None}
    source = obj.get("source_repo")
    return DocumentRecord(
        id=doc_id,
        title=title,
        version=version,
        doc_number=_str(obj, "doc_number", max_len=120),
        issuer=_str(obj, "issuer", max_len=200),
        zone_id=zone,
        level=_str(obj, "level", max_len=32),
        region=_str(obj, "region", max_len=32),
        published=_date(obj, "published"),
        effective=_date(obj, "effective"),
        status=status,
        superseded_by=_ref(obj, "superseded_by"),
        supersedes=_ref(obj, "supersedes"),
        interprets=_ref(obj, "interprets"),
        body=body,
        body_format=body_format,
        public_url=_str(obj, "public_url", max_len=500),
        source=source if isinstance(source, str) else None,
        categories=tuple(cats_raw),
        attachments=attachments,
        extra=extra or None,
    )


def parse_zone(obj: dict[str, Any]) -> Zone:
    allowed = {"type", "code", "name", "kind", "prefix", "address", "hours", "phone", "sort_order"}
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise ValueError(f"不认识的字段：{', '.join(unknown)}（字段名是否拼错？）")
    code = _str(obj, "code", required=True, max_len=32) or ""
    if not _CODE.match(code):
        raise ValueError(f"专区的{label('code')}应由字母、数字、_ 或 - 组成，不是 {code!r}")
    kind = _str(obj, "kind", max_len=16) or "township"
    if kind not in ("district", "township", "street"):
        raise ValueError(f"专区的{label('kind')}应为 district（区）、township（乡镇）或 street（街道），不是 {kind!r}")
    prefix = _str(obj, "prefix", required=True, max_len=8) or ""
    if not re.fullmatch(r"[A-Z]{2,4}", prefix):
        raise ValueError(f"专区的{label('prefix')}应为 2–4 个大写字母，不是 {prefix!r}")
    order = obj.get("sort_order", 0)
    if not isinstance(order, int) or isinstance(order, bool) or abs(order) > MAX_INT:
        raise ValueError(f"专区的{label('sort_order')}应为整数")
    return Zone(
        code=code,
        name=_str(obj, "name", required=True, max_len=64) or "",
        kind=kind,
        prefix=prefix,
        address=_str(obj, "address", max_len=200) or "",
        hours=_str(obj, "hours", max_len=200) or "",
        phone=_str(obj, "phone", max_len=40) or "",
        sort_order=order,
    )


def parse_category(obj: dict[str, Any]) -> Category:
    allowed = {"type", "code", "name", "facet", "sort_order", "icon", "description"}
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise ValueError(f"不认识的字段：{', '.join(unknown)}（字段名是否拼错？）")
    code = _str(obj, "code", required=True, max_len=48) or ""
    if not _CODE.match(code):
        raise ValueError(f"分类的{label('code')}应由字母、数字、_ 或 - 组成，不是 {code!r}")
    facet = _str(obj, "facet", required=True, max_len=16) or ""
    if facet not in {f.value for f in CategoryFacet}:
        raise ValueError(f"分类的{label('facet')}应为 {'、'.join(f.value for f in CategoryFacet)} 之一，不是 {facet!r}")
    order = obj.get("sort_order", 0)
    if not isinstance(order, int) or isinstance(order, bool) or abs(order) > MAX_INT:
        raise ValueError(f"分类的{label('sort_order')}应为整数")
    return Category(
        code=code,
        name=_str(obj, "name", required=True, max_len=64) or "",
        facet=facet,
        sort_order=order,
        icon=_str(obj, "icon", max_len=64) or "",
        description=_str(obj, "description", max_len=2000) or "",
    )


def _lines(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; ``None`` for a line over MAX_LINE_BYTES (never held in memory)."""
    with path.open("rb") as f:
        n = 0
        while raw := f.readline(MAX_LINE_BYTES + 1):
            n += 1
            if len(raw) > MAX_LINE_BYTES:
                while raw and not raw.endswith(b"\n"):  # skip the rest of the over-long line
                    raw = f.readline(1 << 20)
                yield n, None
            else:
                yield n, raw


def _decode(raw: bytes) -> dict[str, Any]:
    """One line's JSON object, or ValueError with the reason it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"不是 UTF-8 编码的文字（从第 {exc.start + 1} 个字节起）") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"不是有效的 JSON：第 {exc.colno} 列{json_reason(exc.msg)}") from None
    except RecursionError:  # nesting 100,000 deep
        raise ValueError("JSON 嵌套过深，无法读取") from None
    except ValueError:  # a 5,000-digit number
        raise ValueError("JSON 中的数字过长，无法读取") from None
    if not isinstance(obj, dict):
        raise ValueError("每一行应为一个 JSON 对象（{…}）")
    return obj


@dataclass
class _Seen:
    """Where each id, zone code, zone prefix and category code first appeared in the pack."""

    documents: dict[str, int] = field(default_factory=dict)
    zones: dict[str, int] = field(default_factory=dict)
    prefixes: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)

    def claim(self, table: dict[str, int], key: str, what: str, n: int) -> None:
        if key in table:
            raise ValueError(f"{what}{key} 与第 {table[key]} 行重复")
        table[key] = n


def _parse_line(out: ParsedPack, seen: _Seen, n: int, obj: dict[str, Any], pack_dir: Path) -> None:
    kind = obj.get("type", "document")
    if kind == "document":
        blobs: list[PendingBlob] = []
        rec = parse_document(obj, pack_dir, blobs)
        seen.claim(seen.documents, rec.id, label("id"), n)
        out.documents.append((n, rec))
        out.blobs.extend(blobs)
    elif kind == "zone":
        zone = parse_zone(obj)
        seen.claim(seen.zones, zone.code, "专区代码（code）", n)
        seen.claim(seen.prefixes, zone.prefix, "专区的受理编号前缀（prefix）", n)
        out.zones.append((n, zone))
    elif kind == "category":
        cat = parse_category(obj)
        seen.claim(seen.categories, cat.code, "分类代码（code）", n)
        out.categories.append((n, cat))
    else:
        raise ValueError(
            f"不认识的{label('type')}{str(kind)[:40]!r}，应为 document（文件）、zone（专区）或 category（分类）"
        )


def parse_pack(path: Path) -> ParsedPack:
    """Parse and check every line of a pack; problems are collected, never raised."""
    out = ParsedPack()
    seen = _Seen()
    for n, raw in _lines(path):
        if raw is None:
            out.problems.append((n, f"这一行超过 {MAX_LINE_BYTES >> 20} MB"))
            continue
        if not raw.strip():
            continue
        try:
            _parse_line(out, seen, n, _decode(raw), path.parent)
        except ValueError as exc:
            out.problems.append((n, str(exc)))
    return out


def _prefix_clashes(session: Session, zones: list[tuple[int, Zone]]) -> list[tuple[int, str]]:
    """Zones whose tracking-number prefix another zone already holds in the mirror (read-only check)."""
    if not zones:
        return []
    with session.begin():
        held = {z.prefix: z.code for z in session.scalars(select(Zone))}
    return [
        (n, f"专区的受理编号前缀（prefix）{z.prefix} 已由专区 {held[z.prefix]} 使用")
        for n, z in zones
        if z.prefix in held and held[z.prefix] != z.code
    ]


def import_pack(
    session: Session, blob_store: BlobStore, path: Path, *, skip_bad: bool = False, batch: int = 500
) -> ImportReport:
    """Import a pack into the mirror in one transaction; raises ContentPackError (and imports nothing) if
    any line is bad and ``skip_bad`` is false, and leaves the mirror unchanged if any write fails."""
    try:
        parsed = parse_pack(path)
    except OSError as exc:
        raise ContentPackError([(0, f"无法读取 {path}：{os_reason(exc)}")]) from None
    clashes = _prefix_clashes(session, parsed.zones)
    report = ImportReport(problems=sorted(parsed.problems + clashes))
    if report.problems and not skip_bad:
        raise ContentPackError(report.problems)
    if clashes:
        bad = {n for n, _ in clashes}
        parsed.zones = [(n, z) for n, z in parsed.zones if n not in bad]
    for blob in parsed.blobs:  # blobs first: a document never points at a missing verified blob
        blob_store.put_bytes(blob.data, blob.sha256)
    present = {b.sha256 for b in parsed.blobs}
    # One transaction for the whole pack: a write that fails (disk full, I/O error) leaves the mirror as it
    # was. Blobs already stored are content-addressed and unreferenced; the next collection removes them.
    with session.begin():
        for _, zone in parsed.zones:
            upsert_zone(session, zone)
            report.add("zones")
        for _, cat in parsed.categories:
            upsert_category(session, cat)
            report.add("categories")
        docs = parsed.documents
        for start in range(0, len(docs), batch):
            chunk = [rec for _, rec in docs[start : start + batch]]
            for outcome in apply_documents(session, chunk, present_blobs=present):
                report.add(outcome.value)
    for key in (o.value for o in Outcome):
        report.counts.setdefault(key, 0)
    written = sum(report.counts[o.value] for o in (Outcome.INSERTED, Outcome.UPDATED, Outcome.STATUS_CHANGED))
    if written >= search_index.OPTIMIZE_AFTER:
        with session.begin():
            search_index.optimize(session.connection())
    return report
