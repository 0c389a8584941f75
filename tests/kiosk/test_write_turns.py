"""Writers of one database file take turns (kiosk.db.WriteTurns): in arrival order, giving up after their
timeout, except behind a holder that declared a long transaction (a snapshot install), which they wait for."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from kiosk.db import WriteTurns, make_engine


def _hold(turns: WriteTurns, seconds: float, long_s: float | None, started: threading.Event) -> None:
    assert turns.acquire(1.0)
    if long_s is not None:
        turns.hold_long(long_s)
    started.set()
    time.sleep(seconds)
    turns.release()


@pytest.mark.parametrize("long_s", [None, 5.0])
def test_a_waiter_gives_up_after_its_timeout_unless_the_holder_declared_a_long_turn(long_s: float | None) -> None:
    turns = WriteTurns()
    started = threading.Event()
    holder = threading.Thread(target=_hold, args=(turns, 1.5, long_s, started))
    holder.start()
    assert started.wait(5)
    t0 = time.monotonic()
    got = turns.acquire(0.3)
    waited = time.monotonic() - t0
    if got:
        turns.release()
    holder.join()
    if long_s is None:
        assert not got and waited < 1.2  # refused after its own timeout, as before
    else:
        assert got and 1.0 < waited < 4.0  # waited for the long holder, got the turn when it ended


def test_a_long_turn_ends_with_its_holder() -> None:
    turns = WriteTurns()
    started = threading.Event()
    holder = threading.Thread(target=_hold, args=(turns, 0.2, 60.0, started))
    holder.start()
    assert started.wait(5)
    holder.join()
    second = threading.Event()
    other = threading.Thread(target=_hold, args=(turns, 1.0, None, second))
    other.start()
    assert second.wait(5)
    t0 = time.monotonic()
    assert not turns.acquire(0.2)  # the 60 s of the first holder do not carry over to the next one
    assert time.monotonic() - t0 < 0.9
    other.join()


@pytest.mark.parametrize("declared", [False, True])
def test_a_submit_waits_for_a_long_install_on_a_real_database_instead_of_being_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declared: bool
) -> None:
    # Two engines of one process on one SQLite file, as the sync thread and an application submit are; a
    # busy timeout of 0.3 s stands for the real 10 s, an install of 1.5 s for one of a large mirror.
    import kiosk.db as kdb

    monkeypatch.setattr(kdb, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "mirror.db"
    installer, submitter = make_engine(path), make_engine(path)
    with installer.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    turns = kdb.write_turns(path)
    started = threading.Event()

    def install() -> None:
        with installer.begin() as conn:
            if declared:
                turns.hold_long(30.0)
            started.set()
            conn.execute(text("INSERT INTO t VALUES (1)"))
            time.sleep(1.5)

    thread = threading.Thread(target=install)
    thread.start()
    assert started.wait(5)
    try:
        if not declared:  # the busy timeout runs out: SQLite refuses the submit
            with pytest.raises(OperationalError, match="locked"), submitter.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (2)"))
            return
        t0 = time.monotonic()
        with submitter.begin() as conn:  # its BEGIN waits in line behind the install, past the busy timeout
            conn.execute(text("INSERT INTO t VALUES (2)"))
        assert time.monotonic() - t0 > 1.0
    finally:
        thread.join()
    with submitter.connect() as conn:
        assert conn.execute(text("SELECT x FROM t ORDER BY x")).scalars().all() == [1, 2]
