"""I/O errors during a sync, injected at the C library's boundary in a real process: a small LD_PRELOAD
library (``eio_shim.c``, built here with gcc) makes write(2)/pwrite(2) fail with EIO — on every file of
the blob store (a failing disk under the attachments), or on the SQLite WAL frame that carries one page
of the feed (SQLite's own "disk I/O error"). The run records the failure in plain Chinese with its code,
never a traceback, and the other parts go on: the rest of the feed, the outbox, the heartbeat."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from synchelpers import application_state, doc, kv, mirror_docs, submit_application

from sync.client import sync_once
from sync.failures import DISK_IO, latin_words
from sync.server.db import Terminal, sessions

ROOT = Path(__file__).resolve().parents[2]
MARKER = "磁盘故障演练第五号文件"


@pytest.fixture(scope="module")
def eio_lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gcc = shutil.which("gcc")
    assert gcc, "gcc is needed to build the I/O-error library (scripts/setup --dev installs it)"
    out = tmp_path_factory.mktemp("eio") / "libeio.so"
    subprocess.run(
        [gcc, "-shared", "-fPIC", "-O1", "-o", str(out), str(Path(__file__).with_name("eio_shim.c")), "-ldl"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def _sync_in_process_with_eio(cfg_toml: Path, lib: Path, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "sync", "--once", "--config", str(cfg_toml), *extra],
        cwd=ROOT,
        env={**os.environ, "LD_PRELOAD": str(lib), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _heartbeat(server, terminal_id: str) -> Terminal:
    with sessions(server.engine)() as s:
        term = s.get(Terminal, terminal_id)
        assert term is not None
        s.expunge(term)
        return term


def _failure(db: Path) -> dict[str, object]:
    raw = kv(db, "sync.last_failure")
    assert raw, "no failure recorded"
    return json.loads(raw)


def test_eio_writing_an_attachment_is_recorded_and_the_feed_push_and_heartbeat_go_on(
    server, data_dir: Path, eio_lib: Path
) -> None:
    body = os.urandom(256 * 1024)
    sha = hashlib.sha256(body).hexdigest()
    server.publish_lines(
        [doc(1, attachments=[{"name": "附件.pdf", "data_base64": base64.b64encode(body).decode()}]), doc(2)]
    )
    cfg = server.terminal(data_dir)
    tn = submit_application(cfg)
    cfg.blob_dir.mkdir(parents=True, exist_ok=True)
    proc = _sync_in_process_with_eio(
        data_dir.parent / f"{data_dir.name}.toml", eio_lib, EIO_UNDER=str(cfg.blob_dir.resolve())
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    error = kv(cfg.db_path, "sync.last_error") or ""
    assert error == f"下载附件失败：{DISK_IO}", error
    assert not latin_words(error)
    failure = _failure(cfg.db_path)
    assert (failure["part"], failure["code"], failure["text"]) == ("blobs", "disk-io", error)
    assert kv(cfg.db_path, "sync.failures_in_a_row") == "1"
    assert len(mirror_docs(cfg.db_path)) == 2, "the feed came"
    assert application_state(cfg.db_path, tn)[:2] == ("delivered", False), "the outbox went"
    term = _heartbeat(server, cfg.terminal.id)
    assert term.last_heartbeat_at is not None and term.last_error == error, "the heartbeat went, with the reason"
    assert not (cfg.blob_dir / sha[:2] / sha).exists()
    status = subprocess.run(  # what IT sees at the terminal, read on a read-only engine
        [
            sys.executable,
            "-m",
            "kiosk",
            "sync",
            "--status",
            "--json",
            "--config",
            str(data_dir.parent / f"{data_dir.name}.toml"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    shown = json.loads(status.stdout.strip().splitlines()[-1])
    assert (
        shown["last_failure"]["code"] == "disk-io" and shown["failures_in_a_row"] == 1 and shown["last_error"] == error
    )
    report = sync_once(cfg)  # the disk works again: the attachment arrives and the error clears
    assert report.error is None and (cfg.blob_dir / sha[:2] / sha).read_bytes() == body
    assert kv(cfg.db_path, "sync.last_error") == "" and kv(cfg.db_path, "sync.failures_in_a_row") == "0"


def test_sqlite_disk_io_error_on_one_page_is_recorded_and_the_run_goes_on(
    server, data_dir: Path, eio_lib: Path
) -> None:
    server.publish_lines([doc(i, title=f"{MARKER}" if i == 5 else doc(i)["title"]) for i in range(1, 7)])
    cfg = server.terminal(data_dir)
    tn = submit_application(cfg)
    proc = _sync_in_process_with_eio(
        data_dir.parent / f"{data_dir.name}.toml", eio_lib, "--page-size", "2", EIO_MARKER=MARKER
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    error = kv(cfg.db_path, "sync.last_error") or ""
    assert error == f"下载文件更新失败：{DISK_IO}", error
    assert _failure(cfg.db_path)["code"] == "disk-io"
    assert set(mirror_docs(cfg.db_path)) == {"doc-00001", "doc-00002", "doc-00003", "doc-00004"}
    assert kv(cfg.db_path, "sync.cursor") == "4", "the mirror stays at the page boundary before the failing page"
    assert application_state(cfg.db_path, tn)[:2] == ("delivered", False), "the outbox went"
    term = _heartbeat(server, cfg.terminal.id)
    assert term.last_heartbeat_at is not None and term.last_error == error
    report = sync_once(cfg, page_size=2)  # the disk works again: the feed resumes from the boundary
    assert report.error is None and len(mirror_docs(cfg.db_path)) == 6
