"""Disk trouble during a sync, in a real process: a file-size limit (RLIMIT_FSIZE, the kernel's EFBIG as
a full disk would give ENOSPC) stops an attachment half-way; the run records it in plain Chinese, the
feed and the outbox still go, and the next run resumes the attachment."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from synchelpers import application_state, doc, kv, mirror_docs, submit_application

from sync.client import sync_once

ROOT = Path(__file__).resolve().parents[2]

LIMITED = (
    "import resource, runpy, signal, sys\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG\n"
    "limit = int(sys.argv[2])\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))\n"
    "sys.argv = ['kiosk', 'sync', '--once', '--config', sys.argv[1]]\n"
    "runpy.run_module('kiosk', run_name='__main__')\n"
)


def test_a_full_disk_mid_attachment_is_recorded_in_plain_chinese_and_the_rest_goes_on(server, data_dir: Path) -> None:
    big = os.urandom(3 * 1024 * 1024)
    sha = hashlib.sha256(big).hexdigest()
    server.publish_lines(
        [doc(1, attachments=[{"name": "大附件.pdf", "data_base64": base64.b64encode(big).decode()}]), doc(2)]
    )
    cfg = server.terminal(data_dir)
    tn = submit_application(cfg)
    proc = subprocess.run(
        [sys.executable, "-c", LIMITED, str(data_dir.parent / f"{data_dir.name}.toml"), str(2 * 1024 * 1024)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    error = kv(cfg.db_path, "sync.last_error") or ""
    assert "本机存储空间已满" in error and "下载附件" in error, error
    assert len(mirror_docs(cfg.db_path)) == 2, "the feed came"
    assert application_state(cfg.db_path, tn)[:2] == ("delivered", False), "the outbox went"
    assert not (cfg.blob_dir / sha[:2] / sha).exists()
    report = sync_once(cfg)  # room again: the attachment resumes and arrives
    assert report.error is None and (cfg.blob_dir / sha[:2] / sha).read_bytes() == big
    assert kv(cfg.db_path, "sync.last_error") == ""
