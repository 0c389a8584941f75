"""The releases table: one row per published bundle version, its archive's hash and size, the zones it is
rolled out to and whether it is halted. The archive itself lives in the release folder (``serve
--releases DIR``, by default beside an SQLite database as ``<file>-releases``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sync.server.db import ServerBase, utcnow


class ReleaseRow(ServerBase):
    __tablename__ = "releases"

    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    bundle_bytes: Mapped[int] = mapped_column(BigInteger)  # the unpacked folder, for the fleet page
    min_schema: Mapped[str] = mapped_column(String(64))
    zones: Mapped[str] = mapped_column(Text, default="")  # comma-separated codes, "*" for all, "" not yet
    halted: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    rolled_out_at: Mapped[datetime | None] = mapped_column(DateTime)
