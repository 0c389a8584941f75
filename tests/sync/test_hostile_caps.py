"""Caps that hold against a hostile server on loopback: decoded-byte caps while streaming (gzip bombs as
blob, manifest and error body), capped error bodies, one deadline over connect + headers (header drip,
1xx flood) with a minimum pace for bodies (a slow honest link finishes, a drip is cut), and interrupted
blobs resume."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import HostileServer, Request, body_of, gzip_bomb, http
from synchelpers import doc, mirror_docs

from sync.client import sync_once

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hostile(server) -> Iterator[HostileServer]:
    h = HostileServer(server.port)
    yield h
    h.close()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb(600)  # 600 MB of JSON whitespace, about 0.6 MB on the wire


def _gzip_answer(body: bytes, status: int = 200):
    return lambda _r, _u: [http(status, body, {"Content-Encoding": "gzip"})]


def _timed_sync(cfg):
    t0 = time.monotonic()
    report = sync_once(cfg)
    return report, time.monotonic() - t0


@pytest.mark.slow
def test_a_gzip_bomb_blob_stays_under_the_cap_in_a_real_process(
    server, hostile: HostileServer, data_dir: Path, bomb: bytes
) -> None:
    """The sync runs as its own process (``python -m kiosk sync --once``); its peak RSS is the kernel's."""
    att = b"%PDF-1.4 " + os.urandom(2000)
    server.publish_lines([doc(1, attachments=[{"name": "a.pdf", "data_base64": base64.b64encode(att).decode()}])])
    cfg = server.terminal(data_dir, url=hostile.url, max_mb=32)
    hostile.rule("/v1/blobs/", _gzip_answer(bomb))
    # The child reports its own peak RSS (VmHWM: per address space, so not the forking pytest's).
    probe = (
        "import re, runpy, sys\n"
        "sys.argv = ['kiosk', 'sync', '--once', '--config', sys.argv[1]]\n"
        "try:\n    runpy.run_module('kiosk', run_name='__main__')\n"
        "finally:\n"
        "    hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
        "    print('PEAK_KB', hwm, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(data_dir.parent / f"{data_dir.name}.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    peak_kb = int(proc.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    assert peak_kb < 200 * 1024, f"peak RSS {peak_kb // 1024} MB"
    assert len(mirror_docs(cfg.db_path)) == 1  # the feed came; the attachment did not
    sha = hashlib.sha256(att).hexdigest()
    assert not (cfg.blob_dir / sha[:2] / sha).exists()


@pytest.mark.parametrize("where", ["/v1/manifest", "/v1/changes"])
def test_a_gzip_bomb_answer_is_cut_at_the_decoded_cap(
    server, hostile: HostileServer, data_dir: Path, bomb: bytes, where: str
) -> None:
    server.publish_lines([doc(1)])
    cfg = server.terminal(data_dir, url=hostile.url, max_mb=4)
    hostile.rule(where, _gzip_answer(bomb))
    report, took = _timed_sync(cfg)
    assert report.error and "解压后超过 4096 KB" in report.error, report.error
    assert took < 10


def test_a_gzip_bomb_error_body_is_cut_at_4_kb(server, hostile: HostileServer, data_dir: Path, bomb: bytes) -> None:
    cfg = server.terminal(data_dir, url=hostile.url)
    hostile.rule("/v1/manifest", _gzip_answer(bomb, status=500))
    report, took = _timed_sync(cfg)
    assert report.error and "（500）" in report.error and "http-500" in report.codes and took < 10


def test_an_endless_error_body_is_not_read_whole(server, hostile: HostileServer, data_dir: Path) -> None:
    def endless(_r: Request, _u) -> Iterator[bytes]:
        yield http(500, b"", length=10**12)
        for _ in range(10**6):
            yield b"x" * 65536

    cfg = server.terminal(data_dir, url=hostile.url)
    hostile.rule("/v1/manifest", endless)
    report, took = _timed_sync(cfg)
    assert report.error and "（500）" in report.error and "http-500" in report.codes and took < 10
    assert hostile.sent["/v1/manifest"] < 50 * 1024 * 1024


def _drip_headers(_r: Request, _u) -> Iterator[bytes | float]:
    yield b"HTTP/1.1 200 OK\r\n"
    for _ in range(200):  # a minute: old clients that wait it out fail the time check
        yield b"X-Drip: a\r\n"
        yield 0.3


def _flood_1xx(_r: Request, _u) -> Iterator[bytes | float]:
    for _ in range(600):
        yield b"HTTP/1.1 100 Continue\r\n\r\n"
        yield 0.1


def _drip_error_body(_r: Request, _u) -> Iterator[bytes | float]:
    yield http(500, b"", length=100_000)
    for _ in range(200):
        yield b" "
        yield 0.3


def _drip_body(_r: Request, up) -> Iterator[bytes | float]:
    answer = up()
    body = body_of(answer)
    yield answer[: len(answer) - len(body)]
    for i in range(min(len(body), 200)):
        yield body[i : i + 1]
        yield 0.3


@pytest.mark.parametrize(
    "attack", [_drip_headers, _flood_1xx, _drip_error_body, _drip_body], ids=lambda f: f.__name__.strip("_")
)
def test_a_dripping_server_is_cut_off_within_the_clients_own_deadline(
    server, hostile: HostileServer, data_dir: Path, attack
) -> None:
    server.publish_lines([doc(1)])
    cfg = server.terminal(data_dir, url=hostile.url, timeout_s=1)  # header budget: 5 s
    hostile.rule("/v1/manifest", attack)
    report, took = _timed_sync(cfg)
    assert report.error and took < 5 + 5, (took, report.error)  # the budget, plus the rest of the run


def test_a_slow_honest_link_still_gets_a_page_larger_than_the_budget_allows(
    server, hostile: HostileServer, data_dir: Path
) -> None:
    """60 KB at ~6 KB/s takes ~10 s, twice the 5 s header budget: the pace rule lets it finish."""
    server.publish_lines([doc(i, body="正文" * 3000) for i in range(1, 5)])
    cfg = server.terminal(data_dir, url=hostile.url, timeout_s=1)

    def slow(_r: Request, up) -> Iterator[bytes | float]:
        answer = up()
        for i in range(0, len(answer), 3000):
            yield answer[i : i + 3000]
            yield 0.5

    hostile.rule("/v1/changes", slow)
    report, took = _timed_sync(cfg)
    assert report.error is None, report.error
    assert len(mirror_docs(cfg.db_path)) == 4 and took > 5


def test_an_interrupted_blob_resumes_where_it_stopped(server, hostile: HostileServer, data_dir: Path) -> None:
    att = os.urandom(300_000)
    sha = hashlib.sha256(att).hexdigest()
    server.publish_lines([doc(1, attachments=[{"name": "a.pdf", "data_base64": base64.b64encode(att).decode()}])])
    cfg = server.terminal(data_dir, url=hostile.url)

    def half(_r: Request, up) -> Iterator[bytes]:
        answer = up()
        yield answer[: len(answer) - 150_000]  # then the connection drops

    hostile.rule("/v1/blobs/", half)
    report = sync_once(cfg)
    assert report.error and (cfg.blob_dir / ".partial" / sha).stat().st_size > 100_000
    hostile.rules.clear()
    hostile.seen.clear()
    assert sync_once(cfg).error is None
    ranges = [r.headers.get("range") for r in hostile.seen if r.path.startswith("/v1/blobs/")]
    assert ranges and ranges[0] and ranges[0].startswith("bytes=") and ranges[0] != "bytes=0-"
    assert (cfg.blob_dir / sha[:2] / sha).read_bytes() == att
