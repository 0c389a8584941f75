"""Browsing the mirror: the read API the touch screens are built on (Qt-free).

What a resident taps through — zone, categories by facet with document counts, a category's documents
(filtered, sorted by date, paged), one document with its attachments, its replacement and its 解读 —
comes from here as plain frozen dataclasses, so the UI's worker thread can hand them across threads
and tests can check them without a display.

Zone visibility follows the design: a terminal shows district-wide documents (``zone_id IS NULL``) and
its own zone's; browsing another zone is a filter (``zone="huangnitang"``) and ``zone=ALL_ZONES`` shows
every zone's.

Why one module of about 520 lines: these are the read queries of every browsing screen, each a small
function over the same filters (zone visibility, status, facet); they change together when the mirror's
schema does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, create_engine, event, func, select
from sqlalchemy.orm import Session

from kiosk.db import BUSY_TIMEOUT_MS
from kiosk.mirror.models import (
    Attachment,
    Category,
    CategoryFacet,
    DocHistory,
    DocStatus,
    Document,
    DocumentCategory,
    KeyValue,
    Zone,
)

ALL_ZONES = "*"
MAX_PAGE = 200
# KeyValue keys that may say when the content was last brought up to date, newest meaning first:
# the sync client's last successful pull, then the last content-pack import.
LAST_UPDATED_KEYS = ("sync.last_success_at", "contentpack.last_import")
# Category codes whose newest documents scroll on the home screen's announcements line.
ANNOUNCEMENT_CATEGORIES = ("type-gongshi-gonggao", "gsgg")
# What residents most often look for; shown under the search field until the server sends its own
# list (KeyValue "search.popular", one query per line).
DEFAULT_POPULAR = ("低保", "医保", "户籍", "养老保险", "残疾人补贴", "公示", "办事指南", "政府信息公开")


@dataclass(frozen=True)
class ZoneInfo:
    code: str
    name: str
    kind: str
    district_name: str
    address: str = ""
    hours: str = ""
    phone: str = ""

    @property
    def title(self) -> str:
        """The heading of the home screen, e.g. 娄星区政务公开专区 · 万宝镇."""
        if self.kind == "district" or not self.district_name:
            return f"{self.name}政务公开专区"
        return f"{self.district_name}政务公开专区 · {self.name}"


@dataclass(frozen=True)
class CategoryCount:
    code: str
    name: str
    facet: str
    count: int
    icon: str = ""
    description: str = ""


@dataclass(frozen=True)
class DocRow:
    """One line of a document list."""

    id: str
    title: str
    doc_number: str
    issuer: str
    published: str
    status: str
    zone_id: str

    @property
    def status_label(self) -> str:
        return DocStatus(self.status).label


@dataclass(frozen=True)
class DocPage:
    total: int
    offset: int
    rows: tuple[DocRow, ...]


@dataclass(frozen=True)
class DocLink:
    id: str
    title: str
    status: str = DocStatus.IN_FORCE.value
    doc_number: str = ""  # 文号
    published: str = ""  # ISO date

    @property
    def described(self) -> str:
        """The title with what tells two versions apart: 《title》（2021年 · 娄星政发〔2021〕3号）. A link
        to an older version of the same document would otherwise read as a link to itself."""
        facts = [f"{self.published[:4]}年" if self.published[:4].isdigit() else "", self.doc_number]
        shown = " · ".join(f for f in facts if f)
        return f"《{self.title}》" + (f"（{shown}）" if shown else "")


@dataclass(frozen=True)
class AttachmentInfo:
    name: str
    sha256: str
    size: int
    mime: str
    present: bool


@dataclass(frozen=True)
class EarlierVersion:
    """One 历史版本 of a document: its version number, title, 文号, dates and, when read, its text."""

    version: int
    title: str
    doc_number: str
    published: str
    effective: str
    amended_at: str  # ISO date-time (UTC) the server replaced it
    body: str = ""
    body_format: str = "markdown"


@dataclass(frozen=True)
class DocumentDetail:
    id: str
    title: str
    doc_number: str
    issuer: str
    published: str
    effective: str
    status: str
    zone_id: str
    zone_name: str
    level: str
    body: str
    body_format: str
    public_url: str
    categories: tuple[str, ...] = ()
    attachments: tuple[AttachmentInfo, ...] = ()
    replaced_by: DocLink | None = None  # the document that amended or repealed this one
    supersedes: DocLink | None = None  # the older document this one replaced
    interprets: DocLink | None = None  # this is a 解读 of that document
    interpretations: tuple[DocLink, ...] = field(default_factory=tuple)  # 解读 of this document
    history: tuple[EarlierVersion, ...] = ()  # earlier versions (修订), newest first, without their text

    @property
    def status_label(self) -> str:
        return DocStatus(self.status).label


@dataclass(frozen=True)
class Filters:
    """What a category list is narrowed to; empty values mean no narrowing."""

    category: str = ""
    zone: str = ""  # "" = this terminal's view, ALL_ZONES, or one zone code
    status: str = ""  # DocStatus value
    year: int = 0
    issuer: str = ""
    newest_first: bool = True


def zone_info(session: Session, code: str) -> ZoneInfo:
    """The terminal's zone; an unknown code gives a placeholder named by the code, never an error."""
    zone = session.get(Zone, code)
    district = session.scalar(select(Zone).where(Zone.kind == "district").order_by(Zone.sort_order).limit(1))
    district_name = district.name if district is not None else ""
    if zone is None:
        return ZoneInfo(code=code, name=district_name or code, kind="district", district_name=district_name)
    return ZoneInfo(
        code=zone.code,
        name=zone.name,
        kind=zone.kind,
        district_name=district_name,
        address=zone.address,
        hours=zone.hours,
        phone=zone.phone,
    )


def zones(session: Session) -> list[ZoneInfo]:
    """Every zone of the district, district first, in the district's order."""
    district = session.scalar(select(Zone.name).where(Zone.kind == "district").limit(1)) or ""
    rows = session.scalars(select(Zone).order_by(Zone.kind != "district", Zone.sort_order, Zone.code))
    return [ZoneInfo(code=z.code, name=z.name, kind=z.kind, district_name=district) for z in rows]


def _zone_clause(terminal_zone: str, zone: str) -> ColumnElement[bool] | None:
    if zone == ALL_ZONES:
        return None
    if zone:
        return Document.zone_id == zone
    # Written on coalesce() so SQLite does not drive the query from the zone index (tens of thousands of
    # district-wide rows) but from the category's rows: 5× faster on a 100,000-document mirror.
    return func.coalesce(Document.zone_id, "").in_(["", terminal_zone])


def categories(
    session: Session, facet: CategoryFacet | str, terminal_zone: str, *, with_counts: bool = True
) -> list[CategoryCount]:
    """The categories of one facet in the district's order, each with how many documents it shows here.

    ``with_counts=False`` skips the counting (a join over the whole mirror) and gives ``count=-1``: the
    home screen shows the tiles at once and fills the counts in from a second call.
    """
    facet = CategoryFacet(facet)
    counts: dict[str, int] = {}
    if with_counts:
        counts_q = (
            select(DocumentCategory.category_code, func.count())
            .join(Document, Document.id == DocumentCategory.document_id)
            .join(Category, Category.code == DocumentCategory.category_code)
            .where(Category.facet == facet.value)
            .group_by(DocumentCategory.category_code)
        )
        clause = _zone_clause(terminal_zone, "")
        if clause is not None:
            counts_q = counts_q.where(clause)
        counts = {code: int(n) for code, n in session.execute(counts_q)}
    cats = session.scalars(
        select(Category).where(Category.facet == facet.value).order_by(Category.sort_order, Category.code)
    )
    return [
        CategoryCount(
            code=c.code,
            name=c.name,
            facet=c.facet,
            count=counts.get(c.code, 0) if with_counts else -1,
            icon=c.icon,
            description=c.description,
        )
        for c in cats
    ]


def category(session: Session, code: str) -> CategoryCount | None:
    c = session.get(Category, code)
    if c is None:
        return None
    return CategoryCount(code=c.code, name=c.name, facet=c.facet, count=0, icon=c.icon, description=c.description)


def _conditions(f: Filters, terminal_zone: str) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.category:
        conds.append(
            Document.id.in_(select(DocumentCategory.document_id).where(DocumentCategory.category_code == f.category))
        )
    clause = _zone_clause(terminal_zone, f.zone)
    if clause is not None:
        conds.append(clause)
    if f.status:
        conds.append(Document.status == DocStatus(f.status).value)
    if f.year:
        conds.append(and_(Document.published >= f"{f.year:04d}-01-01", Document.published <= f"{f.year:04d}-12-31"))
    if f.issuer:
        conds.append(Document.issuer == f.issuer)
    return conds


def documents(session: Session, f: Filters, terminal_zone: str, *, offset: int = 0, limit: int = 50) -> DocPage:
    """One page of a category's documents, newest (or oldest) first; undated documents come last."""
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    conds = _conditions(f, terminal_zone)
    total = int(session.scalar(select(func.count()).select_from(Document).where(*conds)) or 0)
    order = Document.published.desc() if f.newest_first else Document.published.asc()
    stmt = (
        select(
            Document.id,
            Document.title,
            Document.doc_number,
            Document.issuer,
            Document.published,
            Document.status,
            Document.zone_id,
        )
        .where(*conds)
        .order_by(Document.published.is_(None), order, Document.rowid.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = tuple(
        DocRow(
            id=r[0],
            title=r[1],
            doc_number=r[2] or "",
            issuer=r[3] or "",
            published=r[4] or "",
            status=r[5],
            zone_id=r[6] or "",
        )
        for r in session.execute(stmt)
    )
    return DocPage(total=total, offset=offset, rows=rows)


def years(session: Session, f: Filters, terminal_zone: str) -> list[int]:
    """The publication years present under the filters (ignoring any year already chosen), newest first."""
    f = Filters(category=f.category, zone=f.zone, status=f.status, issuer=f.issuer)
    year = func.substr(Document.published, 1, 4)
    stmt = select(year).select_from(Document).where(Document.published.is_not(None), *_conditions(f, terminal_zone))
    found = {int(y) for (y,) in session.execute(stmt.distinct()) if y and y.isdigit()}
    return sorted(found, reverse=True)


def issuers(session: Session, f: Filters, terminal_zone: str, limit: int = 60) -> list[str]:
    """The issuers present under the filters (ignoring any issuer chosen), most documents first."""
    f = Filters(category=f.category, zone=f.zone, status=f.status, year=f.year)
    stmt = (
        select(Document.issuer)
        .select_from(Document)
        .where(Document.issuer.is_not(None), Document.issuer != "", *_conditions(f, terminal_zone))
        .group_by(Document.issuer)
        .order_by(func.count().desc(), Document.issuer)
        .limit(limit)
    )
    return [i for (i,) in session.execute(stmt) if i]


def _link(session: Session, doc_id: str | None) -> DocLink | None:
    if not doc_id:
        return None
    row = session.execute(
        select(Document.title, Document.status, Document.doc_number, Document.published).where(Document.id == doc_id)
    ).first()
    if row is None:
        return None
    return DocLink(id=doc_id, title=row[0], status=row[1], doc_number=row[2] or "", published=row[3] or "")


def document_record(session: Session, doc_id: str) -> Document | None:
    """The mirror's record of one document (for printing it), or None."""
    return session.scalar(select(Document).where(Document.id == doc_id))


def document(session: Session, doc_id: str) -> DocumentDetail | None:
    """Everything the reader shows about one document, or None if the mirror does not hold it."""
    doc = session.scalar(select(Document).where(Document.id == doc_id))
    if doc is None:
        return None
    zone_name = ""
    if doc.zone_id:
        z = session.get(Zone, doc.zone_id)
        zone_name = z.name if z is not None else doc.zone_id
    cats = tuple(
        session.scalars(
            select(Category.name)
            .join(DocumentCategory, DocumentCategory.category_code == Category.code)
            .where(DocumentCategory.document_id == doc.id)
            .order_by(Category.facet, Category.sort_order)
        )
    )
    replaced_by = _link(session, doc.superseded_by)
    if replaced_by is None and doc.status != DocStatus.IN_FORCE.value:
        newer = session.scalar(select(Document.id).where(Document.supersedes == doc.id).limit(1))
        replaced_by = _link(session, newer)
    interpretations = tuple(
        DocLink(id=i, title=t, status=s)
        for i, t, s in session.execute(
            select(Document.id, Document.title, Document.status)
            .where(Document.interprets == doc.id)
            .order_by(Document.published.desc())
        )
    )
    return DocumentDetail(
        id=doc.id,
        title=doc.title,
        doc_number=doc.doc_number or "",
        issuer=doc.issuer or "",
        published=doc.published or "",
        effective=doc.effective or "",
        status=doc.status,
        zone_id=doc.zone_id or "",
        zone_name=zone_name,
        level=doc.level or "",
        body=doc.body,
        body_format=doc.body_format,
        public_url=doc.public_url or "",
        categories=cats,
        attachments=tuple(
            AttachmentInfo(name=a.name, sha256=a.sha256, size=a.size, mime=a.mime, present=a.present)
            for a in doc.attachments
        ),
        replaced_by=replaced_by,
        supersedes=_link(session, doc.supersedes),
        interprets=_link(session, doc.interprets),
        interpretations=interpretations,
        history=tuple(_earlier(h, with_body=False) for h in doc.history),
    )


def _earlier(h: DocHistory, *, with_body: bool) -> EarlierVersion:
    return EarlierVersion(
        version=h.version,
        title=h.title,
        doc_number=h.doc_number or "",
        published=h.published or "",
        effective=h.effective or "",
        amended_at=h.amended_at,
        body=h.body if with_body else "",
        body_format=h.body_format if with_body else "markdown",
    )


def earlier_version(session: Session, doc_id: str, version: int) -> EarlierVersion | None:
    """One earlier version of a document with its text (read-only, 历史版本), or None."""
    h = session.scalar(select(DocHistory).where(DocHistory.document_id == doc_id, DocHistory.version == version))
    return None if h is None else _earlier(h, with_body=True)


def last_updated(session: Session) -> str:
    """When the content was last brought up to date (ISO text): the sync client's record if there is
    one, else the newest publication date in the mirror (a terminal seeded from a pack), else ""."""
    for key in LAST_UPDATED_KEYS:
        row = session.get(KeyValue, key)
        if row is not None and row.value:
            return row.value
    return session.scalar(select(func.max(Document.published))) or ""


def announcements(session: Session, terminal_zone: str, limit: int = 8) -> list[DocLink]:
    """The newest notices (公示公告) visible here, for the home screen's scrolling line.

    Walks the documents newest first and stops at ``limit`` notices (EXISTS on the category, status
    tested on an expression so SQLite keeps to the date index): under a millisecond on 100,000
    documents, where joining the category's ten thousand notices and sorting them took 350 ms.
    """
    is_notice = (
        select(DocumentCategory.document_id)
        .where(DocumentCategory.document_id == Document.id, DocumentCategory.category_code.in_(ANNOUNCEMENT_CATEGORIES))
        .exists()
    )
    stmt = (
        select(Document.id, Document.title, Document.status)
        .where(func.coalesce(Document.status, "") == DocStatus.IN_FORCE.value, is_notice)
        .order_by(Document.published.desc())
        .limit(limit)
    )
    clause = _zone_clause(terminal_zone, "")
    if clause is not None:
        stmt = stmt.where(clause)
    return [DocLink(id=i, title=t, status=s) for i, t, s in session.execute(stmt)]


def popular_searches(session: Session) -> list[str]:
    """Searches offered under the field: the district's list if sync brought one, else a built-in one."""
    row = session.get(KeyValue, "search.popular")
    if row is not None:
        found = [q.strip() for q in row.value.splitlines() if q.strip()]
        if found:
            return found[:12]
    return list(DEFAULT_POPULAR)


def sample_document_with_attachment(session: Session, terminal_zone: str) -> str | None:
    """A document that carries a present attachment (screenshots, demos), in-force and newest first."""
    stmt = (
        select(Document.id)
        .join(Attachment, Attachment.document_id == Document.id)
        .where(Attachment.present.is_(True))
        .order_by(Document.status != DocStatus.IN_FORCE.value, Document.published.desc())
        .limit(1)
    )
    clause = _zone_clause(terminal_zone, "")
    if clause is not None:
        stmt = stmt.where(clause)
    found = session.scalar(stmt)
    if found is None:
        found = session.scalar(select(Document.id).order_by(Document.published.desc()).limit(1))
    return found


def document_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Document)) or 0)


def reader_engine(path: Path | str) -> Engine:
    """An engine for a thread that only reads the mirror (the UI's worker).

    Same pragmas as the terminal's engine, but transactions start with a plain (deferred) ``BEGIN`` and
    the connection is ``query_only``: in WAL mode the reader never waits for sync's write lock and sees a
    consistent snapshot per transaction. The database must already exist and be migrated.
    """
    engine = create_engine(f"sqlite:///{Path(path)}", connect_args={"check_same_thread": False})

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("PRAGMA cache_size=-32000")
        cur.execute("PRAGMA query_only=ON")
        cur.close()

    def on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)
    return engine
