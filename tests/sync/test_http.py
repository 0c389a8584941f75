"""The last leaks of the terminal's HTTP bodies, against a hostile server on loopback: a declared length
over the cap refused before reading, an overall body deadline (a body that keeps the pace while decoding
to nothing still ends), the decoded-memory peak of a gzip bomb within the cap plus a fixed margin
(measured with tracemalloc), a resumed blob whose kept bytes fail the hash fetched whole in the same
run, and the outbox delivered between feed pages so a slow pull holds an application back one page at
most."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import HostileServer, Request, gzip_bomb, http
from sqlalchemy import select
from synchelpers import doc, kv, submit_application

from sync.client import sync_once
from sync.http import MIN_RATE, ServerClient, TooBig, TooSlow, wire_cap
from sync.server.db import Submission, sessions


@pytest.fixture
def hostile(server) -> Iterator[HostileServer]:
    h = HostileServer(server.port)
    yield h
    h.close()


def test_a_declared_length_over_the_cap_is_refused_before_reading(
    server, hostile: HostileServer, data_dir: Path
) -> None:
    cfg = server.terminal(data_dir, url=hostile.url, max_mb=32)

    def huge(_r: Request, _up) -> Iterator[bytes | float]:
        yield http(200, b"", length=1 << 30)  # 1 GB declared …
        for _ in range(200):  # … then 128 KB/s
            yield b" " * 16384
            yield 0.125

    hostile.rule("/v1/manifest", huge)
    t0 = time.monotonic()
    with ServerClient(cfg) as client, pytest.raises(TooBig, match="声明的回应大小"):
        client.request("GET", "/v1/manifest", "下载清单")
    assert time.monotonic() - t0 < 2
    assert client.received_bytes < 256 * 1024  # what the socket had buffered at most, not the body


def _endless_empty_blocks(per_second: int) -> Iterator[bytes | float]:
    """A gzip body that never ends and decodes to nothing: empty stored deflate blocks, at a steady pace."""
    yield b"HTTP/1.1 200 X\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n"
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"  # gzip header
    empty = b"\x00\x00\x00\xff\xff"  # a non-final stored block of length 0
    for _ in range(40 * 10):  # 40 s at most
        yield empty * (per_second // 10 // len(empty))
        yield 0.1


def test_a_body_that_keeps_the_pace_but_decodes_to_nothing_still_ends(
    server, hostile: HostileServer, data_dir: Path
) -> None:
    cfg = server.terminal(data_dir, url=hostile.url)
    hostile.rule("/v1/manifest", lambda _r, _u: _endless_empty_blocks(3 * MIN_RATE))
    cap = 8 * 1024
    t0 = time.monotonic()
    with ServerClient(cfg) as client, pytest.raises((TooBig, TooSlow)):
        client.request("GET", "/v1/manifest", "下载清单", cap=cap)
    bound = max(3 * cfg.server.timeout_s, 5.0) + wire_cap(cap, "gzip") / MIN_RATE
    assert time.monotonic() - t0 < bound + 1


FIXED_MARGIN = 1024 * 1024  # zlib's state and window, the socket's raw chunk, the chunk list: not the cap's size


@pytest.mark.parametrize("cap_mb", [8, 32])
def test_a_gzip_bomb_is_dropped_holding_the_cap_plus_a_fixed_margin(
    server, hostile: HostileServer, data_dir: Path, cap_mb: int
) -> None:
    cfg = server.terminal(data_dir, url=hostile.url, max_mb=32)
    bomb = gzip_bomb(100)
    hostile.rule("/v1/manifest", lambda _r, _u: [http(200, bomb, {"Content-Encoding": "gzip"})])
    cap = cap_mb * 1024 * 1024
    with ServerClient(cfg) as client:
        tracemalloc.start()
        base, _ = tracemalloc.get_traced_memory()
        with pytest.raises(TooBig):
            client.request("GET", "/v1/manifest", "下载清单", cap=cap)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    over = peak - base - cap
    print(f"\ngzip bomb, cap {cap // 2**20} MB: peak {(peak - base) / 2**20:.2f} MB, {over / 1024:.0f} KB over the cap")
    assert over < FIXED_MARGIN, f"{over} bytes over the cap"


def test_a_resumed_blob_with_bad_kept_bytes_is_fetched_whole_in_the_same_run(server, data_dir: Path) -> None:
    att = os.urandom(300_000)
    sha = hashlib.sha256(att).hexdigest()
    server.publish_lines([doc(1, attachments=[{"name": "a.pdf", "data_base64": base64.b64encode(att).decode()}])])
    cfg = server.terminal(data_dir)
    partial = cfg.blob_dir / ".partial"
    partial.mkdir(parents=True)
    (partial / sha).write_bytes(os.urandom(120_000))  # what a hostile server had sent before
    report = sync_once(cfg)
    assert report.error is None, report.error
    assert report.blobs_fetched == 1 and (cfg.blob_dir / sha[:2] / sha).read_bytes() == att
    assert not (partial / sha).exists()


def test_the_outbox_goes_between_feed_pages_on_a_slow_pull(server, hostile: HostileServer, data_dir: Path) -> None:
    server.publish_lines([doc(i) for i in range(1, 81)])
    cfg = server.terminal(data_dir, url=hostile.url)

    def slow_page(_r: Request, up) -> Iterator[bytes | float]:
        answer = up()
        yield 1.5  # a poor link: each page takes 1.5 s
        yield answer

    hostile.rule("/v1/changes", slow_page)
    tracking_no = submit_application(cfg)
    done = threading.Event()
    reports: list[object] = []
    runner = threading.Thread(target=lambda: (reports.append(sync_once(cfg, page_size=10)), done.set()))
    t0 = time.monotonic()
    runner.start()
    arrived, cursor_then = None, None
    while not done.is_set():
        with sessions(server.engine)() as s:
            if s.scalar(select(Submission.id).where(Submission.tracking_no == tracking_no)) is not None:
                arrived = time.monotonic() - t0
                cursor_then = int(kv(cfg.db_path, "sync.cursor") or 0)
                break
        time.sleep(0.05)
    runner.join(120)
    took = time.monotonic() - t0
    assert arrived is not None and cursor_then is not None, "delivered only after the pull"
    # while the first page was downloading: at most one page of the feed (10 entries) had been applied
    assert cursor_then <= 10 and arrived < took, (cursor_then, arrived, took)
    assert reports and reports[0].error is None  # type: ignore[attr-defined]


def test_wire_cap_allows_a_compressed_body_its_overhead_only() -> None:
    data = os.urandom(1 << 20)  # incompressible: deflate stores it
    packed = zlib.compress(data, 9)
    assert len(data) < len(packed) <= wire_cap(len(data), "deflate")
    assert wire_cap(1000, "identity") == 1000
