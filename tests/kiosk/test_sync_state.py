"""The sync state the screens read (kiosk.sync_state) and the synced calendar (kiosk.calendar_store),
on a real mirror file."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk import outbox
from kiosk.calendar_store import load_calendar, save_calendar
from kiosk.mirror.store import kv_set
from kiosk.sync_state import STALE_WARNING, SyncFailure, iso, read_status, record_attempt


def _status(session, now=None):
    with session.begin():  # a read transaction that ends: the UI never holds an old snapshot
        return read_status(session, now=now)


def test_fresh_mirror_is_frozen_and_says_so(session) -> None:
    st = _status(session)
    assert st.frozen and st.stale and st.warning == STALE_WARNING
    assert st.last_success_at is None and st.pending_outbox == 0 and st.cursor == 0


def test_success_then_expiry_then_failure(session) -> None:
    now = datetime(2026, 11, 27, 12, 0)
    with session.begin():
        kv_set(session, "sync.manifest_expires_at", iso(now + timedelta(days=7)))
        kv_set(session, "sync.cursor", "42")
        record_attempt(session, error=None, now=now)
        outbox.enqueue(session, "rating", {"level": 5})
    st = _status(session, now=now + timedelta(hours=1))
    assert not st.stale and st.warning is None and st.cursor == 42 and st.pending_outbox == 1
    assert st.last_success_at == now and st.last_error is None
    st = _status(session, now=now + timedelta(days=2))  # no success for a day: stale, not yet frozen
    assert st.stale and not st.frozen and st.warning == STALE_WARNING
    st = _status(session, now=now + timedelta(days=8))  # the manifest expired: frozen
    assert st.frozen and st.warning == STALE_WARNING
    with session.begin():
        record_attempt(
            session, error="下载内容失败：下载清单：无法连接服务器，请检查网络", now=now + timedelta(hours=2)
        )
    st = _status(session, now=now + timedelta(hours=2))
    assert st.last_error and "无法连接服务器" in st.last_error and st.last_success_at == now


def test_calendar_round_trip(session) -> None:
    with session.begin():
        assert load_calendar(session) is None
        save_calendar(session, {"2026": {"holidays": ["2026-10-01"], "workdays": ["2026-10-10"]}})
    with session.begin():
        assert load_calendar(session) == {"2026": {"holidays": ["2026-10-01"], "workdays": ["2026-10-10"]}}
        kv_set(session, "calendar.published", "{not json")
    with session.begin():
        assert load_calendar(session) is None


def test_failures_in_a_row_count_up_and_a_success_clears_them(session) -> None:
    now = datetime(2026, 11, 27, 12, 0)
    disk = SyncFailure(
        "blobs", "disk-io", "下载附件失败：本机磁盘读写出错（可能是存储设备故障），请联系信息化人员", now
    )
    for n in (1, 2, 3):
        with session.begin():
            record_attempt(session, error=disk.text, now=now + timedelta(minutes=n), failure=disk)
        st = _status(session, now=now + timedelta(minutes=n))
        assert st.failures_in_a_row == n and st.last_failure is not None
        assert (st.last_failure.part, st.last_failure.code, st.last_failure.text) == ("blobs", "disk-io", disk.text)
    with session.begin():
        record_attempt(session, error=None, now=now + timedelta(minutes=5))
    st = _status(session, now=now + timedelta(minutes=5))
    assert st.failures_in_a_row == 0 and st.last_failure is None and st.last_error is None


def test_a_damaged_stored_failure_reads_as_none(session) -> None:
    for raw in (
        "{not json",
        "[]",
        '{"part": "blobs", "code": "DISK IO", "text": "x", "at": "2026-11-27T12:00:00Z"}',
        '{"part": "blobs", "code": "disk-io", "text": "", "at": "2026-11-27T12:00:00Z"}',
        '{"part": "blobs", "code": "disk-io", "text": "x", "at": true}',
        "x" * 5000,
    ):
        with session.begin():
            kv_set(session, "sync.last_failure", raw)
            kv_set(session, "sync.failures_in_a_row", "True")
        st = _status(session)
        assert st.last_failure is None and st.failures_in_a_row == 0
