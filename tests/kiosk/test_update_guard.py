"""kiosk.update: the install layout's atomic links, the safe unpack, and the guard that keeps a new
release only when it confirms itself healthy (a failed check, too many starts or the deadline switch it
back); a kill -9 between recording a switch and moving the link is settled at the next start. Also the
mirror rule a rollback relies on: an older program opens a mirror a newer one migrated."""

from __future__ import annotations

import io
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.db import make_engine, open_engine
from kiosk.errors import StorageError
from kiosk.update import guard
from kiosk.update import state as st
from kiosk.update.layout import CURRENT, PREVIOUS, Layout
from kiosk.update.unpack import unpack


def bundle(root: Path, version: str) -> None:
    folder = root / "releases" / version
    folder.mkdir(parents=True)
    (folder / "kiosk").write_text("#!/bin/sh\n", encoding="utf-8")


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    lay = Layout(tmp_path / "opt")
    for v in ("1", "2"):
        bundle(lay.root, v)
    lay.point(CURRENT, "1")
    return lay


def test_switch_moves_current_and_previous_atomically(layout: Layout, tmp_path: Path) -> None:
    done = guard.switch(layout, tmp_path / "data", "2")
    assert layout.linked(CURRENT) == "2" and layout.linked(PREVIOUS) == "1"
    assert done.state == "switched" and done.source == "1" and done.deadline
    assert (layout.root / "current" / "kiosk").is_file()


def test_a_failed_health_check_switches_back_and_refuses_the_version(layout: Layout, tmp_path: Path) -> None:
    data = tmp_path / "data"
    guard.switch(layout, data, "2")
    done = guard.confirm(layout, data, "2", lambda: ["qml"])
    assert done is not None and done.state == "rolled_back" and "界面文件" in done.note
    assert layout.linked(CURRENT) == "1" and st.load(data).refused == ["2"]
    assert guard.confirm(layout, data, "1", lambda: []) is None  # nothing pending for the old one


def test_a_healthy_release_is_confirmed_and_old_ones_pruned(layout: Layout, tmp_path: Path) -> None:
    bundle(layout.root, "0")
    data = tmp_path / "data"
    guard.switch(layout, data, "2")
    done = guard.confirm(layout, data, "2", list)
    assert done is not None and done.state == "confirmed"
    assert not (data / "update" / guard.PENDING).exists() and not (data / "update" / guard.COUNTED).exists()
    assert layout.installed() == ["1", "2"]  # "0" went; the previous one stays for a manual switch back


def test_the_boot_guard_rolls_back_after_too_many_starts_or_the_deadline(layout: Layout, tmp_path: Path) -> None:
    data = tmp_path / "data"
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    guard.switch(layout, data, "2", now)
    pending, counted = data / "update" / guard.PENDING, data / "update" / guard.COUNTED
    assert pending.exists() and counted.exists()  # the unit skips the guard's start once, then runs it
    for _ in range(guard.MAX_STARTS):  # the planned start (counted by the switch), then two restarts
        assert guard.boot_guard(layout, data, now).state == "switched"
    assert not counted.exists()
    done = guard.boot_guard(layout, data, now)
    assert done.state == "rolled_back" and layout.linked(CURRENT) == "1" and "没有正常启动" in done.note
    assert not pending.exists()
    guard.switch(layout, data, "2", now)  # IT tries again (the version would not be offered: refused)
    assert guard.boot_guard(layout, data, now).state == "switched"  # the planned start
    late = guard.boot_guard(layout, data, now + timedelta(seconds=guard.HEALTH_BOUND_S + 1))
    assert late.state == "rolled_back"


def test_a_kill_between_recording_and_moving_the_link_is_settled(layout: Layout, tmp_path: Path) -> None:
    data = tmp_path / "data"
    st.save(data, st.UpdateState().moved("switching", version="2", source="1"))  # killed before the link moved
    assert guard.boot_guard(layout, data).state == "staged" and layout.linked(CURRENT) == "1"
    st.save(data, st.UpdateState().moved("switching", version="2", source="1"))
    layout.switch("2")  # killed after the link moved, before it was recorded
    assert guard.boot_guard(layout, data).state == "switched"


def _archive(files: dict[str, bytes], extra: tarfile.TarInfo | None = None) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755
            tar.addfile(info, io.BytesIO(data))
        if extra is not None:
            tar.addfile(extra)
    return out.getvalue()


def test_unpack_installs_whole_or_nothing_and_refuses_escapes(tmp_path: Path) -> None:
    lay = Layout(tmp_path / "opt")
    good = tmp_path / "good.tar.gz"
    good.write_bytes(_archive({"kiosk": b"#!/bin/sh\n", "app/x.py": b"x = 1\n"}))
    assert (unpack(lay, good, "3") / "app" / "x.py").read_text() == "x = 1\n"
    link = tarfile.TarInfo("evil")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    for name, data in (
        ("link", _archive({"kiosk": b"x"}, link)),
        ("escape", _archive({"kiosk": b"x", "../../outside": b"x"})),
        ("noprogram", _archive({"readme": b"x"})),
        ("broken", _archive({"kiosk": b"x"})[:40]),
    ):
        bad = tmp_path / f"{name}.tar.gz"
        bad.write_bytes(data)
        with pytest.raises(StorageError):
            unpack(lay, bad, name)
        assert not lay.release(name).exists()
    assert not (tmp_path / "outside").exists()
    inner = tarfile.TarInfo("lib.so")  # PyInstaller's links between shared libraries stay
    inner.type = tarfile.SYMTYPE
    inner.linkname = "app/x.py"
    linked = tmp_path / "linked.tar.gz"
    linked.write_bytes(_archive({"kiosk": b"x", "app/x.py": b"y = 2\n"}, inner))
    assert (unpack(lay, linked, "4") / "lib.so").read_text() == "y = 2\n"
    assert lay.installed() == ["3", "4"]


def test_an_older_program_opens_a_mirror_a_newer_release_migrated(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    open_engine(db).dispose()
    eng = make_engine(db)
    with eng.begin() as conn:
        conn.execute(text("CREATE TABLE future_things (id INTEGER PRIMARY KEY)"))  # an additive migration
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    eng.dispose()
    eng = open_engine(db)  # no "Can't locate revision": used as it is
    with eng.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0099_from_the_future"
        assert conn.execute(text("SELECT count(*) FROM outbox")).scalar() == 0
    eng.dispose()
