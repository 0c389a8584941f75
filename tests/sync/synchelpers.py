"""Small helpers shared by the sync tests: content-pack lines and mirror inspection."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def doc(i: int, **kw: Any) -> dict[str, Any]:
    """A small document line of a content pack."""
    base: dict[str, Any] = {
        "id": f"doc-{i:05d}",
        "title": f"测试文件第{i}号关于低保金发放的通知",
        "issuer": "某区民政局",
        "published": "2026-01-05",
        "body": f"正文 {i} " + "政务公开。" * 20,
    }
    base.update(kw)
    return base


ZONES = [
    {"type": "zone", "code": "district", "name": "区政务服务中心", "kind": "district", "prefix": "QZ"},
    {"type": "zone", "code": "wanbao", "name": "万宝镇", "kind": "township", "prefix": "WB"},
    {"type": "zone", "code": "hexi", "name": "河西街道", "kind": "street", "prefix": "HX"},
]
CATEGORIES = [{"type": "category", "code": "policy", "name": "政策文件", "facet": "type"}]


def mirror_docs(db: Path) -> dict[str, tuple[int, int, str]]:
    """id -> (version, seq, status) of every document in a terminal's mirror file."""
    con = sqlite3.connect(db)
    try:
        return {r[0]: (r[1], r[2], r[3]) for r in con.execute("SELECT id, version, seq, status FROM documents")}
    finally:
        con.close()


def kv(db: Path, key: str) -> str | None:
    con = sqlite3.connect(db)
    try:
        row = con.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def submit_application(
    cfg: Any,
    name: str = "李堃",
    what: str = "2025年度老旧小区改造资金使用情况",
    zone: tuple[str, str] = ("wanbao", "WB"),
) -> str:
    """Submit one real application at terminal ``cfg`` (its mirror file); returns its tracking number."""
    from datetime import datetime, timedelta, timezone

    from kiosk.applications import service
    from kiosk.applications.model import Applicant, ApplicantKind, Application, Delivery, IdType, Medium, RequestedInfo
    from kiosk.db import open_engine, session_factory
    from kiosk.mirror.models import Zone
    from kiosk.workdays import WorkCalendar

    app = Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name=name,
            id_type=IdType.RESIDENT_ID,
            id_number="11010519491231002X",
            phone="13912345678",
            address="万宝街道1号",
        ),
        request=RequestedInfo(description=what),
        media=(Medium.PAPER,),
        delivery=(Delivery.COLLECT,),
        pledge_accepted=True,
        consent_personal_data=True,
    )
    engine = open_engine(cfg.db_path)
    try:
        with session_factory(engine)() as s:
            issued = service.submit(
                s,
                app,
                zone=Zone(code=zone[0], name=zone[0], kind="street", prefix=zone[1]),
                terminal_id=cfg.terminal.id,
                now=datetime(2026, 11, 27, 10, 30, tzinfo=timezone(timedelta(hours=8))),
                calendar=WorkCalendar(),
            )
    finally:
        engine.dispose()
    assert issued.issued is not None
    return issued.issued.tracking_no


def application_state(db: Path, tracking_no: str) -> tuple[str, bool, str | None, str | None]:
    """(status, personal data still held, outbox acked_at, outbox last_error) of one application."""
    con = sqlite3.connect(db)
    try:
        status, payload, key = con.execute(
            "SELECT status, payload, outbox_key FROM applications WHERE tracking_no = ?", (tracking_no,)
        ).fetchone()
        acked, err = con.execute("SELECT acked_at, last_error FROM outbox WHERE idempotency_key = ?", (key,)).fetchone()
        return status, payload is not None, acked, err
    finally:
        con.close()


OFFICE_SETTINGS = {
    "number_prefix": "娄星政公开",
    "contact_person": "刘晓红",
    "contact_phone": "0738-8123456",
    "address": "娄底市娄星区乐坪东街1号区政务服务中心三楼政务公开办",
    "postcode": "417000",
    "review_body": "娄底市娄星区人民政府",
    "review_days": "60",
    "court": "娄底市娄星区人民法院",
    "litigation_months": "6",
}


def configure_office(engine: Any) -> None:
    """Set the district's notice settings (文号 prefix, contact, 复议机关, court) as an office would, once."""
    from sync.server.db import sessions
    from sync.server.office import settings

    with sessions(engine)() as s, s.begin():
        settings.save(s, OFFICE_SETTINGS)
