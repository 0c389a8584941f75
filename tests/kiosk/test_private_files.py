"""The data folder is 0700 and the databases (applications, outbox, print queue with receipts' bytes) and
logs are 0600, on a fresh terminal, on one left behind with looser modes, and after a log rollover."""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat
from pathlib import Path

from kiosk.db import open_engine, session_factory
from kiosk.logsetup import setup_logging
from kiosk.mirror.store import kv_set


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_a_fresh_data_folder_and_mirror_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        data = tmp_path / "terminal" / "data"
        engine = open_engine(data / "mirror.db")
        with session_factory(engine)() as s, s.begin():
            kv_set(s, "x", "y")
        assert _mode(data) == 0o700
        for name in ("mirror.db", "mirror.db-wal", "mirror.db-shm"):
            assert _mode(data / name) == 0o600, name
        engine.dispose()
    finally:
        os.umask(old)


def test_loose_modes_left_by_an_older_version_are_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_engine(data / "mirror.db").dispose()
    data.chmod(0o755)
    (data / "mirror.db").chmod(0o644)
    open_engine(data / "mirror.db").dispose()
    assert _mode(data) == 0o700 and _mode(data / "mirror.db") == 0o600


def test_a_shared_sticky_folder_is_left_open(tmp_path: Path) -> None:
    # A database put in /tmp by hand: the terminal once made /tmp itself 0700 (root owns it), which locked
    # every other user and service (PostgreSQL's initdb among them) out of /tmp.
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    open_engine(shared / "mirror.db").dispose()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert _mode(shared / "mirror.db") == 0o600


def test_logs_are_private_after_a_rollover(tmp_path: Path) -> None:
    old = os.umask(0o022)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = setup_logging(tmp_path / "logs", console=False)
        assert path is not None
        handler = next(h for h in root.handlers if h not in before)
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        logging.getLogger("t").warning("one line")
        handler.doRollover()
        logging.getLogger("t").warning("another line")
        assert _mode(tmp_path / "logs") == 0o700
        files = sorted((tmp_path / "logs").iterdir())
        assert len(files) >= 2 and all(_mode(f) == 0o600 for f in files), [(f.name, oct(_mode(f))) for f in files]
    finally:
        os.umask(old)
        for h in root.handlers[:]:
            if h not in before:
                root.removeHandler(h)
                h.close()
