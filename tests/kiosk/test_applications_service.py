"""Submitting applications on a real SQLite file: tracking numbers, the one-transaction write with the
outbox, durability across a killed process, concurrent writers, purge after delivery, no personal data
in logs."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kiosk import outbox
from kiosk.applications import service
from kiosk.applications.model import (
    Applicant,
    ApplicantKind,
    Application,
    Delivery,
    IdType,
    Medium,
    RequestedInfo,
)
from kiosk.applications.records import ApplicationRecord
from kiosk.applications.tracking import TRACKING_RE, idempotency_key, parse_tracking_no, terminal_code
from kiosk.counters import Counter
from kiosk.db import open_engine, session_factory
from kiosk.errors import ValidationError
from kiosk.mirror.models import Zone
from kiosk.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parents[2]
CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 2, 13, 10, 30, tzinfo=CST)
NAME, ID_NO, PHONE = "李堃", "11010519491231002X", "13912345678"
ZONE = Zone(code="wanbao", name="万宝街道政务公开专区", kind="street", prefix="WB")


def application(**changes: object) -> Application:
    app = Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name=NAME,
            id_type=IdType.RESIDENT_ID,
            id_number=ID_NO,
            phone=PHONE,
            address="北京市朝阳区建国路1号",
        ),
        request=RequestedInfo(description="2025年度万宝街道老旧小区改造资金使用情况"),
        media=(Medium.PAPER,),
        delivery=(Delivery.COLLECT,),
        pledge_accepted=True,
        consent_personal_data=True,
    )
    return replace(app, **changes)  # type: ignore[arg-type]


def submit(session: Session, now: datetime = NOW, terminal: str = "demo-wanbao-01") -> Application:
    return service.submit(session, application(), zone=ZONE, terminal_id=terminal, now=now, calendar=WorkCalendar())


def test_submit_writes_row_and_outbox_entry_with_number_and_deadline(session: Session) -> None:
    app = submit(session)
    assert app.issued is not None
    assert app.tracking_no == "WB01-20260213-0001"
    assert app.issued.deadline == date(2026, 3, 19)
    assert "春节假期9天" in app.issued.deadline_explanation
    assert app.issued.extended_deadline is not None
    assert app.issued.extended_deadline > app.issued.deadline
    row = session.scalar(select(ApplicationRecord))
    assert row is not None
    assert row.status == "pending"
    assert row.payload is not None
    entry = session.scalar(select(outbox.OutboxEntry))
    assert entry is not None
    assert entry.kind == "application"
    assert entry.idempotency_key == row.outbox_key
    assert entry.idempotency_key.startswith(f"application-{app.tracking_no}-")
    assert entry.payload is not None
    assert Application.from_json(json.loads(entry.payload)) == app


def test_sequence_counts_per_day_and_survives_reopening(data_dir: Path) -> None:
    eng = open_engine(data_dir / "t.db")
    with session_factory(eng)() as s:
        numbers = [submit(s).tracking_no for _ in range(3)]
        numbers.append(submit(s, NOW + timedelta(days=1)).tracking_no)
    eng.dispose()
    eng = open_engine(data_dir / "t.db")
    with session_factory(eng)() as s:
        numbers.append(submit(s).tracking_no)
    eng.dispose()
    assert numbers == [
        "WB01-20260213-0001",
        "WB01-20260213-0002",
        "WB01-20260213-0003",
        "WB01-20260214-0001",
        "WB01-20260213-0004",
    ]


def test_late_evening_utc_is_the_next_day_in_china(session: Session) -> None:
    app = submit(session, datetime(2026, 2, 12, 17, 30, tzinfo=UTC))
    assert app.tracking_no.startswith("WB01-20260213-")


def test_invalid_application_writes_nothing(session: Session) -> None:
    bad = application(applicant=replace(application().applicant, id_number="110105194912310021"))
    with pytest.raises(ValidationError) as info:
        service.submit(session, bad, zone=ZONE, terminal_id="t-1", now=NOW, calendar=WorkCalendar())
    assert set(info.value.errors) == {"applicant.id_number"}
    assert session.scalar(select(func.count()).select_from(ApplicationRecord)) == 0
    assert session.scalar(select(func.count()).select_from(Counter)) == 0


def test_failure_after_drawing_the_number_rolls_everything_back(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An outbox row already holding the key the next application will use makes the insert fail.
    monkeypatch.setattr("kiosk.applications.tracking.secrets.token_hex", lambda n: "0" * (2 * n))
    outbox.enqueue(session, "application", {}, key=idempotency_key("WB01-20260213-0001"))
    session.commit()
    with pytest.raises(Exception, match="UNIQUE"):
        submit(session)
    assert session.scalar(select(func.count()).select_from(ApplicationRecord)) == 0
    assert session.scalar(select(Counter.value)) is None  # the sequence was not used up


CHILD = """
import os, sys
from datetime import datetime, timedelta, timezone
sys.path.insert(0, {root!r})
from kiosk.db import open_engine, session_factory
from kiosk.mirror.models import Zone
from kiosk.applications.model import Application
from kiosk.applications import service
app = Application.from_json({app!r})
s = session_factory(open_engine({db!r}))()
done = service.submit(s, app, zone=Zone(code="wanbao", prefix="WB"), terminal_id="wanbao-02",
                      now=datetime(2026, 2, 13, 10, 30, tzinfo=timezone(timedelta(hours=8))))
print(done.tracking_no, flush=True)
os._exit(0)  # no close, no dispose: as if the power went right after the receipt started printing
"""


def test_submission_is_durable_when_the_process_dies_right_after(data_dir: Path) -> None:
    db = str(data_dir / "crash.db")
    code = CHILD.format(root=str(ROOT), app=application().to_json(), db=db)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    tracking_no = out.stdout.strip()
    assert tracking_no == "WB02-20260213-0001"
    eng = open_engine(db)
    with session_factory(eng)() as s:
        found = service.lookup(s, tracking_no.lower())
        assert found is not None
        assert found.application is not None
        assert found.application.applicant.name == NAME
        assert s.scalar(select(outbox.OutboxEntry.idempotency_key)).startswith(f"application-{tracking_no}-")
    eng.dispose()


def test_concurrent_writers_never_share_a_number(data_dir: Path) -> None:
    eng = open_engine(data_dir / "c.db")
    make = session_factory(eng)
    numbers: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        with make() as s:
            for _ in range(8):
                n = submit(s).tracking_no
                with lock:
                    numbers.append(n)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eng.dispose()
    assert len(numbers) == 24
    assert sorted(numbers) == [f"WB01-20260213-{i:04d}" for i in range(1, 25)]


def test_terminals_in_one_zone_and_across_zones_differ() -> None:
    assert terminal_code("demo-wanbao-01") == "01"
    assert terminal_code("wanbao-3") == "03"
    assert terminal_code("kiosk-lobby") != terminal_code("kiosk-hall")
    assert TRACKING_RE.fullmatch("XYZW" + terminal_code("kiosk-lobby") + "-20260213-0001")
    assert parse_tracking_no(" wb01-20260213-0012 ") == {
        "prefix": "WB",
        "terminal": "01",
        "date": "20260213",
        "seq": "0012",
    }
    assert parse_tracking_no("WB01-2026-1") is None


def test_lookup_forgives_how_the_number_is_typed(session: Session) -> None:
    issued = submit(session)
    compact = issued.tracking_no.replace("-", "")
    for typed in (compact, compact.lower(), compact[:12] + " " + compact[12:], compact.replace("0", "O")):
        found = service.lookup(session, typed)
        assert found is not None and found.tracking_no == issued.tracking_no, typed
    assert service.lookup(session, compact[:-1] + "9") is None
    assert service.lookup(session, "不是编号") is None


def test_purge_drops_personal_data_once_acknowledged(session: Session) -> None:
    first = submit(session)
    second = submit(session)
    entry = session.scalar(
        select(outbox.OutboxEntry).where(outbox.OutboxEntry.idempotency_key.like(f"application-{first.tracking_no}-%"))
    )
    assert entry is not None
    outbox.mark_acked(entry, {"status": "received"})
    session.commit()
    when = NOW.replace(tzinfo=None)
    assert service.purge_delivered(session, now=when) == 1
    assert service.purge_delivered(session, now=when) == 0  # idempotent
    stub = service.lookup(session, first.tracking_no)
    assert stub is not None
    assert (stub.status, stub.application, stub.applicant_name_masked) == ("delivered", None, "李*")
    # what a reprint needs is kept, without the ID number and the phone
    assert stub.receipt_facts is not None
    assert stub.receipt_facts["tracking_no"] == first.tracking_no
    assert stub.receipt_facts["applicant_name"] == "李*", "the full name leaves the terminal with the rest"
    assert not {ID_NO, PHONE} & {v for v in stub.receipt_facts.values()}
    assert ID_NO not in str(stub.receipt_facts) and PHONE not in str(stub.receipt_facts)
    assert stub.deadline == date(2026, 3, 19)
    assert stub.zone_code == "wanbao"
    held = service.lookup(session, second.tracking_no)
    assert held is not None
    assert held.status == "pending"
    assert (held.applicant_name_masked, held.id_number_masked) == ("李*", "1101**********002X")
    # the only copy of the personal data left is the undelivered application's
    hits = session.execute(
        text("SELECT count(*) FROM applications WHERE payload LIKE :n OR receipt_facts LIKE :n"), {"n": f"%{NAME}%"}
    ).scalar()
    assert hits == 1
    for secret in (ID_NO, PHONE):
        hits = session.execute(
            text("SELECT count(*) FROM applications WHERE payload LIKE :n OR receipt_facts LIKE :n"),
            {"n": f"%{secret}%"},
        ).scalar()
        assert hits == 1, secret
    assert [s.tracking_no for s in service.recent(session)] == [second.tracking_no, first.tracking_no]


def test_no_personal_data_in_logs(session: Session, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    app = submit(session)
    with pytest.raises(ValidationError):
        service.submit(
            session,
            application(applicant=replace(application().applicant, phone="1391234")),
            zone=ZONE,
            terminal_id="t-1",
            now=NOW,
            calendar=WorkCalendar(),
        )
    service.purge_delivered(session)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert app.tracking_no in logged
    for secret in (NAME, ID_NO, PHONE, "1391234", "建国路"):
        assert secret not in logged


def test_purged_personal_data_is_not_left_in_the_database_files(data_dir: Path) -> None:
    eng = open_engine(data_dir / "p.db")
    with session_factory(eng)() as s:
        app = submit(s)
        entry = s.scalar(select(outbox.OutboxEntry))
        assert entry is not None
        outbox.mark_acked(entry, {"status": "received"})
        s.commit()
        assert service.purge_delivered(s) == 1
        assert service.lookup(s, app.tracking_no) is not None
    eng.dispose()
    raw = b"".join(p.read_bytes() for p in data_dir.glob("p.db*"))
    # the name and what was asked stay for reprints (receipt_facts) until the application is past;
    # the ID number, the phone and the address leave with the server's acknowledgement
    for secret in (ID_NO, PHONE, "建国路"):
        assert secret.encode() not in raw, secret


def test_receipt_facts_go_once_the_application_cannot_be_open_any_more(session: Session) -> None:
    app = submit(session)
    entry = session.scalar(select(outbox.OutboxEntry))
    assert entry is not None
    outbox.mark_acked(entry, {"status": "received"})
    session.commit()
    service.purge_delivered(session, now=datetime(2026, 3, 1))
    kept = service.lookup(session, app.tracking_no)
    assert kept is not None and kept.receipt_facts is not None
    assert app.issued is not None and app.issued.extended_deadline is not None
    late = datetime.combine(app.issued.extended_deadline, datetime.min.time()) + service.FACTS_KEPT_AFTER_DEADLINE
    service.purge_delivered(session, now=late + timedelta(days=1))
    gone = service.lookup(session, app.tracking_no)
    assert gone is not None and gone.receipt_facts is None
    assert gone.tracking_no == app.tracking_no  # the non-personal stub stays
