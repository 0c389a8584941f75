"""Hostile content packs: a lone surrogate deep in the pack, attachments that are a FIFO, a device, a
symbolic link out of the pack; and a write that fails half-way. Each leaves the mirror exactly as it was."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.contentpack import import_pack
from kiosk.db import open_engine, session_factory
from kiosk.errors import ContentPackError
from kiosk.mirror.blobs import BlobStore

ROOT = Path(__file__).resolve().parents[2]


def _doc(i: int, **kw: object) -> dict[str, object]:
    d: dict[str, object] = {"id": f"doc-{i:05d}", "title": f"第{i}号通知", "body": "正文。" * 50}
    d.update(kw)
    return d


def _write(pack: Path, lines: list[dict[str, object]], raw_tail: str = "") -> Path:
    pack.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n" + raw_tail, encoding="utf-8")
    return pack


def _count(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])
    finally:
        con.close()


def _import(data: Path, pack: Path) -> None:
    engine = open_engine(data / "mirror.db")
    try:
        with session_factory(engine)() as s:
            import_pack(s, BlobStore(data / "blobs"), pack)
    finally:
        engine.dispose()


@pytest.mark.parametrize("where", ["title", "body", "issuer"])
def test_a_lone_surrogate_after_600_documents_is_refused_and_nothing_is_imported(tmp_path: Path, where: str) -> None:
    lines = [_doc(i) for i in range(600)]
    pack = _write(tmp_path / "pack.jsonl", lines, json.dumps({"id": "bad", "title": "t", where: "x\ud800y"}) + "\n")
    with pytest.raises(ContentPackError, match=r"含有无法存为 UTF-8 的孤立代理字符（U\+D800）"):
        _import(tmp_path / "data", pack)
    assert _count(tmp_path / "data" / "mirror.db") == 0


def test_a_fifo_as_attachment_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "a.pdf")
    pack = _write(tmp_path / "pack.jsonl", [_doc(1, attachments=[{"name": "a.pdf", "path": "a.pdf"}])])
    done = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            _import(tmp_path / "data", pack)
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    if not done.wait(20):
        with open(tmp_path / "a.pdf", "wb"):  # unblock a reader stuck on the FIFO, then fail
            pass
        pytest.fail("the import hung on a FIFO")
    assert errors and isinstance(errors[0], ContentPackError) and "附件 'a.pdf' 不是普通文件" in str(errors[0])


@pytest.mark.parametrize("target", ["/dev/zero", "/etc/hostname", "../outside.pdf"])
def test_links_and_devices_are_not_attachments(tmp_path: Path, target: str) -> None:
    (tmp_path.parent / "outside.pdf").write_bytes(b"%PDF-1.4 outside")
    os.symlink(target, tmp_path / "link.pdf")
    pack = _write(tmp_path / "pack.jsonl", [_doc(1, attachments=[{"name": "l.pdf", "path": "link.pdf"}])])
    with pytest.raises(ContentPackError, match=r"是符号链接|超出了内容包所在的文件夹"):
        _import(tmp_path / "data", pack)
    assert _count(tmp_path / "data" / "mirror.db") == 0


def test_a_device_given_directly_is_refused(tmp_path: Path) -> None:
    pack = _write(tmp_path / "pack.jsonl", [_doc(1, attachments=[{"name": "z.pdf", "path": "../../dev/zero"}])])
    with pytest.raises(ContentPackError):
        _import(tmp_path / "data", pack)


LIMITED_IMPORT = (
    "import resource, runpy, signal, sys\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
    "limit = int(sys.argv[3])\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))\n"
    "sys.argv = ['kiosk', 'import', sys.argv[1], '--db', sys.argv[2]]\n"
    "runpy.run_module('kiosk', run_name='__main__')\n"
)


def test_a_write_that_fails_half_way_rolls_back_the_whole_pack(tmp_path: Path) -> None:
    """A real process whose files may not grow past 3 MB imports a pack of ~2,000 documents."""
    db = tmp_path / "data" / "mirror.db"
    open_engine(db).dispose()
    lines = [_doc(i, body="政务公开正文。" * 150) for i in range(2000)]
    pack = _write(tmp_path / "pack.jsonl", lines)
    proc = subprocess.run(
        [sys.executable, "-c", LIMITED_IMPORT, str(pack), str(db), str(3 * 1024 * 1024)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode != 0, proc.stdout[-2000:]
    assert _count(db) == 0, "nothing of the pack stays"
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
