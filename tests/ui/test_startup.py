"""Start-up keeps its promises after a kill -9: the terminal is a real ``kiosk run`` subprocess (offscreen,
real SQLite, the demo's file printers), killed and started again.

- An applicant's personal data leaves the terminal once the server acknowledged the application, even
  when the process died between the acknowledgement and the purge: the next start purges it.
- The print queue is recovered at start-up whether or not anyone prints: a job that was printing when
  the process died is kept (failed, ``interrupted``) for staff, a queued one prints.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_wizard_driver import seeded_data_dir

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", QT_QUICK_BACKEND="software")
    return env


@pytest.fixture
def terminal(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A demo terminal's data folder (seeded mirror) and a configuration file pointing at it."""
    data = seeded_data_dir(tmp_path_factory.getbasetemp(), tmp_path / "terminal")
    demo = (ROOT / "assets" / "demo" / "terminal.toml").read_text(encoding="utf-8")
    printers = demo[demo.index("[[printers]]") :]  # the demo's file printers (targets under the data folder)
    config = tmp_path / "terminal.toml"
    config.write_text(f'[terminal]\ndata_dir = "{data}"\n\n{printers}', encoding="utf-8")
    return data, config


@pytest.fixture
def kiosk_process(terminal: tuple[Path, Path]) -> Iterator[Callable[[], subprocess.Popen[str]]]:
    """Start ``kiosk run`` on the terminal (offscreen); every process is killed (-9) at the end."""
    procs: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "run", "--config", str(terminal[1])],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)


def _crash_after(data: Path, script: str) -> None:
    """Run ``script`` against the terminal's mirror in a subprocess that then dies by SIGKILL."""
    code = (
        textwrap.dedent(
            f"""
        import os, signal
        from sqlalchemy.orm import Session
        from kiosk.db import make_engine
        engine = make_engine({str(data / "mirror.db")!r})
        """
        )
        + textwrap.dedent(script)
        + "\nos.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True, check=False
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]


def _wait(predicate: Callable[[], Any], timeout_s: float, what: str, proc: subprocess.Popen[str]) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        assert proc.poll() is None, f"the kiosk exited ({proc.returncode}) before {what}"
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")


def _db(data: Path) -> Session:
    from kiosk.db import make_engine

    return Session(make_engine(data / "mirror.db"))


ACKED_BUT_NOT_PURGED = """
from datetime import datetime
from sqlalchemy import select
from kiosk import outbox
from kiosk.applications import service
from kiosk.applications.model import Applicant, ApplicantKind, Application, IdType, RequestedInfo
from kiosk.applications.tracking import CHINA_TZ
from kiosk.applications.validation import resident_id_check_digit
from kiosk.mirror.models import Zone
body = "43130219851111002"
app = Application(
    applicant=Applicant(kind=ApplicantKind.CITIZEN, name="陈七", id_type=IdType.RESIDENT_ID,
                        id_number=body + resident_id_check_digit(body), phone="13912345678", address="万宝镇"),
    request=RequestedInfo(description="万宝镇2025年道路建设项目招标公告"),
    pledge_accepted=True, consent_personal_data=True,
)
with Session(engine) as s:
    service.submit(s, app, zone=s.get(Zone, "wanbao"), terminal_id="demo-wanbao-01", now=datetime.now(CHINA_TZ))
with Session(engine) as s:
    for entry in s.scalars(select(outbox.OutboxEntry)):
        outbox.mark_acked(entry, {"ok": True})
    s.commit()
# the server has acknowledged it; the process dies before purge_delivered runs
"""


def test_personal_data_acknowledged_before_a_crash_is_purged_at_the_next_start(
    terminal: tuple[Path, Path], kiosk_process: Callable[[], subprocess.Popen[str]]
) -> None:
    from kiosk.applications.records import ApplicationRecord

    data, _config = terminal
    _crash_after(data, ACKED_BUT_NOT_PURGED)
    with _db(data) as s:
        row = s.scalars(select(ApplicationRecord)).one()
        assert row.payload is not None and "陈七" in row.payload, "the crash left the applicant's data"

    proc = kiosk_process()

    def purged() -> bool:
        with _db(data) as s:
            return s.scalars(select(ApplicationRecord)).one().payload is None

    _wait(purged, 60, "the start-up purge", proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    with _db(data) as s:
        row = s.scalars(select(ApplicationRecord)).one()
        assert (row.payload, row.status) == (None, "delivered")
    held = (data / "mirror.db").read_bytes()
    assert b"13912345678" not in held and b"43130219851111002" not in held, "phone and ID number left the file"


CLAIMED_AND_QUEUED = """
from printing.queue import PrintQueue
queue = PrintQueue(engine)
first = queue.add("小票打印机", b"interrupted receipt", content_type="escpos", kind="receipt", label="first")
second = queue.add("小票打印机", b"queued receipt", content_type="escpos", kind="receipt", label="second")
claimed = queue.claim_next()
assert claimed is not None and claimed.id == first
# the first job is being printed, the second waits; the process dies
"""


def test_the_print_queue_recovers_at_start_without_anyone_printing(
    terminal: tuple[Path, Path], kiosk_process: Callable[[], subprocess.Popen[str]]
) -> None:
    from kiosk.config import load
    from kiosk.printjobs import PrintJob

    data, config = terminal
    receipt = next(p for p in load(config).printers if p.role == "receipt")
    script = CLAIMED_AND_QUEUED.replace("小票打印机", receipt.name)
    _crash_after(data, script)
    with _db(data) as s:
        assert [j.state for j in s.scalars(select(PrintJob).order_by(PrintJob.id))] == ["printing", "queued"]

    proc = kiosk_process()
    folder = Path(receipt.target)
    assert folder.is_relative_to(data)

    def printed() -> list[Path]:
        return (
            [p for p in folder.glob("*") if p.is_file() and b"queued receipt" in p.read_bytes()]
            if folder.is_dir()
            else []
        )

    _wait(printed, 60, "the queued receipt to print", proc)

    def states() -> list[tuple[str, str]]:
        with _db(data) as s:
            return [(j.state, j.reason or "") for j in s.scalars(select(PrintJob).order_by(PrintJob.id))]

    _wait(lambda: states()[1][0] == "done", 20, "the queued job to be done", proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert states() == [("failed", "interrupted"), ("done", "")]
    assert not any(b"interrupted receipt" in p.read_bytes() for p in folder.glob("*") if p.is_file()), (
        "a job that may have printed is not printed again by itself: staff decide"
    )
