"""The mirror's tables: zones, categories, documents, attachments and the terminal's key-value state.

A document is identified by ``id`` and carries a ``version``; a higher version replaces a lower one.
``zone_id`` is NULL for a district-wide document and a zone code for a zone-only one. Status is one
of :class:`DocStatus` (现行有效 / 已修订 / 已废止). Attachments point into the content-addressed blob
store by sha256; ``Attachment.present`` turns true only after the blob's bytes were verified.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.db import Base


class DocStatus(enum.StrEnum):
    IN_FORCE = "in_force"  # 现行有效
    AMENDED = "amended"  # 已修订 (a newer version or a replacing document exists)
    REPEALED = "repealed"  # 已废止

    @property
    def label(self) -> str:
        return {"in_force": "现行有效", "amended": "已修订", "repealed": "已废止"}[self.value]

    @classmethod
    def parse(cls, value: str | None) -> DocStatus:
        """Accepts the English codes and the Chinese labels; None means in force."""
        if value is None or value == "":
            return cls.IN_FORCE
        for s in cls:
            if value in (s.value, s.label):
                return s
        aliases = {"有效": cls.IN_FORCE, "已修改": cls.AMENDED, "失效": cls.REPEALED, "废止": cls.REPEALED}
        if value in aliases:
            return aliases[value]
        raise ValueError(f"unknown status {value!r} (use in_force/amended/repealed or 现行有效/已修订/已废止)")


class CategoryFacet(enum.StrEnum):
    CONTENT_TYPE = "type"  # 政府公报, 政策文件, 办事指南, …
    DIMENSION = "dimension"  # 五公开: 决策, 执行, 管理, 服务, 结果
    SECTOR = "sector"  # one of the 26 grassroots disclosure sectors
    PLATFORM = "platform"  # a folded-in platform (一件事一次办, 互联网+监督, …)


class Zone(Base):
    """The district zone or a township/street zone (乡镇/街道)."""

    __tablename__ = "zones"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # district | township | street
    # Two-to-four letter prefix of tracking numbers issued in this zone, unique across the district.
    prefix: Mapped[str] = mapped_column(String(8), unique=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Category(Base):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    facet: Mapped[str] = mapped_column(String(16), index=True)  # CategoryFacet value
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    icon: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")


class DocumentCategory(Base):
    __tablename__ = "document_categories"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    category_code: Mapped[str] = mapped_column(String(48), primary_key=True, index=True)


class Document(Base):
    """A published document as the terminal shows it."""

    __tablename__ = "documents"

    # rowid alias: the FTS index and the pinyin index key on it
    rowid: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(Text)
    doc_number: Mapped[str | None] = mapped_column(String(120), index=True)  # 文号
    issuer: Mapped[str | None] = mapped_column(String(200))
    zone_id: Mapped[str | None] = mapped_column(String(32), index=True)  # NULL: whole district
    level: Mapped[str | None] = mapped_column(String(32))  # 效力级别 (法律, 行政法规, …)
    region: Mapped[str | None] = mapped_column(String(32))
    published: Mapped[str | None] = mapped_column(String(10), index=True)  # ISO date
    effective: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16), default=DocStatus.IN_FORCE.value, index=True)
    superseded_by: Mapped[str | None] = mapped_column(String(64))  # id of the replacing document
    supersedes: Mapped[str | None] = mapped_column(String(64))
    interprets: Mapped[str | None] = mapped_column(String(64), index=True)  # 解读 of this document id
    body: Mapped[str] = mapped_column(Text, default="")
    body_format: Mapped[str] = mapped_column(String(8), default="markdown")  # markdown | html
    public_url: Mapped[str | None] = mapped_column(String(500))  # for the take-away QR code
    source: Mapped[str | None] = mapped_column(String(200))  # where the text came from
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Server sequence number that last changed this document (0 for locally imported packs).
    seq: Mapped[int] = mapped_column(Integer, default=0)

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Attachment.position"
    )
    history: Mapped[list[DocHistory]] = relationship(cascade="all, delete-orphan", order_by="DocHistory.version.desc()")

    __table_args__ = (Index("ix_documents_zone_published", "zone_id", "published"),)

    @property
    def status_enum(self) -> DocStatus:
        return DocStatus(self.status)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(80), default="application/pdf")
    present: Mapped[bool] = mapped_column(Boolean, default=False)  # blob verified and on disk

    document: Mapped[Document] = relationship(back_populates="attachments")


class DocHistory(Base):
    """An earlier version of a document (修订), as the server's feed entry carried it: shown read-only as
    历史版本. Replaced as a whole when a newer record of the document arrives, removed with it."""

    __tablename__ = "doc_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    doc_number: Mapped[str | None] = mapped_column(String(120))
    published: Mapped[str | None] = mapped_column(String(10))
    effective: Mapped[str | None] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text, default="")
    body_format: Mapped[str] = mapped_column(String(8), default="markdown")
    amended_at: Mapped[str] = mapped_column(String(40))  # when the server replaced it (ISO, UTC)


class KeyValue(Base):
    """Small terminal state: sync cursor, manifest version/expiry, last sync, staff lockout, …"""

    __tablename__ = "kv"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
