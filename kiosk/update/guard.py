"""Switching releases, and the two checks that make a switch safe:

- :func:`boot_guard` runs before a start of the program while a switch is pending (the marker file
  ``<data>/update/pending``), *from the previous release* (the unit's ``ExecStartPre``; the test
  supervisor does the same), so it works even when the new release cannot start at all. The planned
  start right after a switch is counted by the switching process (marker ``counted``), so it needs no
  guard run. While a switch is unconfirmed it counts the starts; past ``MAX_STARTS`` starts or the
  health deadline (``HEALTH_BOUND_S`` after the switch) it points ``current`` back and records why.
- :func:`confirm` runs in the new release as it starts: the health checks (fonts, QML, data folder,
  database, content; not the network or printers, which fail for reasons of their own) must pass, then
  the switch is confirmed; a failure switches back at once, and the caller exits so the supervisor
  starts the old release.

The mirror is never migrated backwards: releases migrate additively (new tables, nullable columns), and
an older release opens a mirror stamped with a revision it does not know (``kiosk.db.upgrade``), so a
rollback needs no downgrade. Queued applications, print jobs and the mirror live in the data folder,
which no step here touches.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.update import state as st
from kiosk.update.crashpoints import crash_point
from kiosk.update.layout import CURRENT, Layout

HEALTH_BOUND_S = 180
MAX_STARTS = 3
CHECK_NAMES = {"fonts": "字体", "qml": "界面文件", "data folder": "数据文件夹", "database": "数据库", "content": "内容"}


def _iso(t: datetime) -> str:
    return t.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.rstrip("Z")).replace(tzinfo=UTC)
    except ValueError:
        return None


PENDING = "pending"  # in <data>/update/: a switch is not yet confirmed (the unit runs the guard)
COUNTED = "counted"  # the switching process counted the next start itself (the unit skips the guard once)


def _marker(data_dir: Path, name: str, present: bool) -> None:
    path = data_dir / "update" / name
    if present:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    else:
        path.unlink(missing_ok=True)


def switch(layout: Layout, data_dir: Path, version: str, now: datetime | None = None) -> st.UpdateState:
    """Make the staged ``version`` current (recorded first, so a kill -9 between the two is understood).
    The first start of the new release is counted here (``attempts`` 1, the ``counted`` marker), so the
    planned restart needs no guard run: a whole start of the previous program saved from the downtime."""
    cur = st.load(data_dir)
    source = layout.linked(CURRENT)
    _marker(data_dir, PENDING, True)
    st.save(data_dir, cur.moved("switching", version=version, source=source, percent=None))
    crash_point("switch")
    layout.switch(version)
    crash_point("switched")
    deadline = (now or datetime.now(UTC)) + timedelta(seconds=HEALTH_BOUND_S)
    done = st.load(data_dir).moved("switched", deadline=_iso(deadline), attempts=1)
    st.save(data_dir, done)
    _marker(data_dir, COUNTED, True)
    return done


def rollback(layout: Layout, data_dir: Path, why: str) -> st.UpdateState:
    """Point ``current`` back at the release the last switch came from; never offer that version again."""
    cur = st.load(data_dir)
    if cur.source:
        layout.point(CURRENT, cur.source)
    refused = sorted({*cur.refused, *([cur.version] if cur.version else [])})
    done = cur.moved("rolled_back", note=why[:300], refused=refused, deadline=None, attempts=0)
    st.save(data_dir, done)
    _marker(data_dir, COUNTED, False)
    _marker(data_dir, PENDING, False)
    return done


def boot_guard(layout: Layout, data_dir: Path, now: datetime | None = None) -> st.UpdateState:
    """Before a start: settle a half-done switch, count an unconfirmed one, roll back a failed one."""
    now = now or datetime.now(UTC)
    cur = st.load(data_dir)
    counted = data_dir / "update" / COUNTED
    if counted.exists():  # the planned start after a switch, counted by the switching process
        counted.unlink(missing_ok=True)
        return cur
    if cur.state == "switching":  # killed between recording the switch and confirming the link
        if cur.version and layout.linked(CURRENT) == cur.version:
            cur = cur.moved("switched", deadline=_iso(now + timedelta(seconds=HEALTH_BOUND_S)), attempts=0)
        else:
            cur = cur.moved("staged")
            _marker(data_dir, PENDING, False)
        st.save(data_dir, cur)
    if cur.state != "switched":
        return cur
    due = _parse(cur.deadline)
    if cur.attempts >= MAX_STARTS or (due is not None and now > due):
        why = (
            f"新版本 {cur.version} 在 {HEALTH_BOUND_S} 秒内没有正常启动并通过自检"
            f"（已启动 {cur.attempts} 次），已自动退回 {cur.source}"
        )
        return rollback(layout, data_dir, why)
    cur = cur.moved("switched", attempts=cur.attempts + 1, note=cur.note)
    st.save(data_dir, cur)
    return cur


def confirm(
    layout: Layout, data_dir: Path, running: str, failed_checks: Callable[[], list[str]]
) -> st.UpdateState | None:
    """In a freshly switched release: run the health checks and confirm it, or roll back (the caller then
    exits for the supervisor to start the old release). None when no switch to ``running`` is pending."""
    cur = st.load(data_dir)
    if cur.state not in ("switched", "switching") or cur.version != running:
        return None
    crash_point("confirm")
    failed = failed_checks()
    if failed:
        names = "、".join(CHECK_NAMES.get(n, n) for n in failed)
        return rollback(layout, data_dir, f"新版本 {running} 自检未通过（{names}），已自动退回 {cur.source}")
    done = cur.moved("confirmed", deadline=None, attempts=0)
    st.save(data_dir, done)
    _marker(data_dir, COUNTED, False)
    _marker(data_dir, PENDING, False)
    layout.prune({running})
    return done
