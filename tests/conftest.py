"""Shared fixtures: a fresh terminal data folder and mirror per test, offscreen Qt for UI tests."""

from __future__ import annotations

import faulthandler
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Offscreen, software-rendered Qt for every test that touches Qt; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")
os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "laws.jsonl"


# A test stuck in native code while holding the GIL (a deadlock inside Qt) is out of reach of
# pytest-timeout, whose timer needs the GIL: faulthandler's watchdog is a C thread that prints every
# thread's stack and exits the run, so a hang fails CI instead of stopping it for good.
# It fires this long after the test's own timeout (its ``timeout`` mark, else the ini's).
HANG_MARGIN_SECONDS = 300
_STDERR: list[int] = [2]  # the run's own stderr, kept before pytest captures the test's (pytest_configure)


@pytest.fixture(autouse=True)
def _hang_watchdog(request: pytest.FixtureRequest) -> Iterator[None]:
    mark = request.node.get_closest_marker("timeout")
    limit = float(mark.args[0]) if mark and mark.args else float(request.config.getini("timeout") or 300)
    faulthandler.dump_traceback_later(limit + HANG_MARGIN_SECONDS, exit=True, file=_STDERR[0])
    yield
    faulthandler.cancel_dump_traceback_later()


def pytest_configure(config: pytest.Config) -> None:
    """The Qt messages ui/qt_messages.py ignores (by their text, each with its reason) join pytest-qt's
    qt_log_ignore, so they are the only ones a test may see at warning level (a test's own
    ``qt_log_ignore`` marker adds to them only with ``extend=True``)."""
    from ui.qt_messages import IGNORED

    _STDERR[0] = os.dup(sys.stderr.fileno())

    for pattern, _reason in IGNORED:
        config.addinivalue_line("qt_log_ignore", pattern)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "terminal"
    d.mkdir()
    return d


@pytest.fixture
def engine(data_dir: Path) -> Iterator[object]:
    from kiosk.db import open_engine

    eng = open_engine(data_dir / "mirror.db")
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: object) -> Iterator[object]:
    from kiosk.db import session_factory

    s = session_factory(engine)()  # type: ignore[arg-type]
    yield s
    s.close()


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    if not CORPUS.is_file():
        pytest.fail(f"the shared corpus is missing at {CORPUS}")
    return CORPUS
