"""Sync benchmark: ``python -m kiosk bench sync`` (or ``python -m sync.bench``); figures go to
docs/benchmarks.md, "## Sync" and "## First sync from a signed snapshot".

1. First sync of N corpus documents, by two paths (``--paths both|feed|snapshot``): the feed page by
   page (the old path; also its fetch-and-verify part alone, no writes) and the district's signed
   snapshot (:mod:`sync.snapshot`; built by the server before the terminal asks, as on publishing). Two
   baselines, each downloaded as one file from Python's ``http.server`` over the same link in the same
   run: A, the bytes of the feed path (the JSON pages); B, the bytes the snapshot path actually received.
2. Incremental sync of K changed documents on an M-document mirror: time and bytes on the wire against
   the size of the changed records, with a sync where nothing changed as the fixed cost.

The reference server runs as its own process (``python -m sync.server serve``) on 127.0.0.1, optionally
behind a rate-limited relay (``--link-mbit``) that the baselines go through too. Bytes are response
bodies counted by the client.

Why about 460 lines: one benchmark command — the server, the link, the first and incremental syncs and
the report beside its baseline — kept in one file so the figures can be read against the code that made
them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from kiosk import config as config_mod
from kiosk.config import Config
from kiosk.db import open_engine
from sync.client import SyncReport, TerminalSync
from sync.http import ServerClient
from sync.protocol import signing
from sync.server.__main__ import add_terminal
from sync.server.db import open_db
from sync.server.feed import snapshot as server_snapshot
from sync.server.feed.publish import publish_pack

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "laws.jsonl"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server process ended early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


class ThrottledLink:
    """A TCP relay on 127.0.0.1 that carries server→client bytes at ``mbit`` megabits per second (a token
    bucket shared by every connection through it), standing in for the hall's link to the district. The
    baseline download and the sync go through the same relay, so their ratio compares like with like."""

    def __init__(self, upstream_port: int, mbit: float) -> None:
        self.upstream_port = upstream_port
        self.rate = mbit * 1e6 / 8  # bytes per second
        self.lock = threading.Lock()
        self.next_free = time.monotonic()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = int(self.listener.getsockname()[1])
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _pace(self, n: int) -> None:
        with self.lock:
            start = max(self.next_free, time.monotonic())
            self.next_free = start + n / self.rate
            wait = self.next_free - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def _pipe(self, src: socket.socket, dst: socket.socket, paced: bool) -> None:
        try:
            while chunk := src.recv(16384):
                if paced:
                    self._pace(len(chunk))
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def close(self) -> None:
        self.closed = True
        self.listener.close()


class ServerProcess:
    """``python -m sync.server serve`` over a fresh SQLite database."""

    def __init__(self, folder: Path, key_dir: Path) -> None:
        folder.mkdir(parents=True)
        self.db_url = f"sqlite:///{folder / 'district.db'}"
        self.snapshot_dir = folder / "district.db-snapshots"  # where `serve` looks by default
        self.engine = open_db(self.db_url)
        self.key_dir = key_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sync.server",
                "serve",
                "--db",
                self.db_url,
                "--key",
                str(self.key_dir),
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, self.proc)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(30)
        self.engine.dispose()


def _terminal(root: Path, server: ServerProcess, name: str) -> Config:
    _tid, token = add_terminal(server.db_url, "wanbao")
    text = (
        f'[terminal]\nid = "{name}"\nzone = "wanbao"\ndata_dir = "{root / name}"\n'
        f'[server]\nurl = "{server.url}"\ntoken = "{token}"\n'
        f'trust_key = "{server.key_dir / signing.PUBLIC_NAME}"\nmax_response_mb = 64\ntimeout_s = 60\n'
    )
    path = root / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return config_mod.load(path)


ZONE = {"type": "zone", "code": "wanbao", "name": "万宝镇", "kind": "township", "prefix": "WB"}


def _write_pack(path: Path, lines: list[dict[str, Any]]) -> None:
    """A content pack of ``lines`` with the benchmark terminals' zone first (the server enrols terminals
    of published zones only)."""
    text = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in [ZONE, *lines])
    path.write_text(text, encoding="utf-8")


def _sync(
    cfg: Config, page_size: int, keep: list[bytes] | None = None, *, use_snapshot: bool = True
) -> tuple[SyncReport, float, int]:
    engine = open_engine(cfg.db_path)  # migrations happen here, outside the timed part
    runner = TerminalSync(cfg, engine, page_size=page_size, use_snapshot=use_snapshot)
    try:
        with ServerClient(cfg) as client:
            client.keep = keep
            t0 = time.perf_counter()
            report = runner.run(client)
            took = time.perf_counter() - t0
            return report, took, client.received_bytes
    finally:
        runner.close()
        engine.dispose()


def _download(root: Path, name: str, data: bytes, link_mbit: float | None) -> float:
    """Seconds to download ``data`` as one file from Python's http.server (another process), through a
    link like the sync's."""
    www = root / f"www-{name}"
    www.mkdir()
    (www / "file.bin").write_bytes(data)
    port = _free_port()
    static = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(www)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    file_link = ThrottledLink(port, link_mbit) if link_mbit else None
    try:
        _wait_port(port, static)
        file_port = file_link.port if file_link is not None else port
        with httpx.Client(timeout=600) as http:
            t0 = time.perf_counter()
            with http.stream("GET", f"http://127.0.0.1:{file_port}/file.bin") as resp:
                got = sum(len(c) for c in resp.iter_bytes())
            took = time.perf_counter() - t0
    finally:
        if file_link is not None:
            file_link.close()
        static.terminate()
        static.wait(10)
    if got != len(data):
        raise RuntimeError(f"baseline downloaded {got} bytes of {len(data)}")
    return took


def _net_verify(cfg: Config, key_dir: Path, page_size: int) -> float:
    """Fetch and verify every page of the feed, apply nothing: the protocol's own share."""
    verifier = signing.load_verifier(key_dir / signing.PUBLIC_NAME)
    with ServerClient(cfg) as client:
        t0 = time.perf_counter()
        manifest = verifier.verify(client.request("GET", "/v1/manifest", "m"), "manifest")
        after = 0
        while after < manifest["head_seq"]:
            page = client.request(
                "GET",
                "/v1/changes",
                "c",
                params={"after": after, "until": manifest["head_seq"], "limit": page_size},
            )
            for env in page["entries"]:
                verifier.verify(env, "document")
            after = verifier.verify(page["page"], "page")["next_after"]
        return time.perf_counter() - t0


def first_sync(
    root: Path,
    key_dir: Path,
    corpus: Path,
    n: int,
    page_size: int,
    *,
    link_mbit: float | None = None,
    paths: str = "both",
) -> dict[str, float]:
    """``paths``: ``feed`` (page by page, the old path), ``snapshot`` (the new one) or ``both``."""
    lines = [json.loads(line) for line in corpus.open(encoding="utf-8") if line.strip()][:n]
    pack = root / "first.jsonl"
    _write_pack(pack, lines)
    server = ServerProcess(root / "first", key_dir)
    publish_pack(server.engine, pack)
    out: dict[str, float] = {"docs": len(lines)}
    if paths != "feed":  # built on publish, before any terminal asks (the server's cost, not the sync's)
        t0 = time.perf_counter()
        env = server_snapshot.build(server.engine, signing.load_signer(key_dir), server.snapshot_dir, "own", "wanbao")
        out["build_s"] = time.perf_counter() - t0
        out["snapshot_bytes"] = env["payload"]["size"]
        out["snapshot_raw_bytes"] = env["payload"]["raw_size"]
    server.start()
    link = ThrottledLink(server.port, link_mbit) if link_mbit else None
    try:
        if link is not None:  # the terminal reaches the server through the link
            server.url = f"http://127.0.0.1:{link.port}"
        feed_bytes: bytes | None = None
        if paths != "snapshot":
            cfg = _terminal(root, server, "feed-terminal")
            out["net_verify_s"] = _net_verify(cfg, key_dir, page_size)
            kept: list[bytes] = []
            report, out["feed_sync_s"], out["feed_wire"] = _sync(cfg, page_size, kept, use_snapshot=False)
            if report.error:
                raise RuntimeError(report.error)
            feed_bytes = b"".join(kept)
        if paths != "feed":
            cfg = _terminal(root, server, "snapshot-terminal")
            kept = []
            report, out["snap_sync_s"], out["snap_wire"] = _sync(cfg, page_size, kept, use_snapshot=True)
            if report.error or report.snapshot is None:
                raise RuntimeError(f"the snapshot was not used: {report.error}")
            out["install_lock_s"] = report.snapshot.install_s
            out["snap_file_s"] = _download(root, "snapshot", b"".join(kept), link_mbit)
        if feed_bytes is None:  # the JSON feed's bytes, for the second baseline
            kept = []
            cfg = _terminal(root, server, "feed-bytes")
            with ServerClient(cfg) as client:
                client.keep = kept
                _net_verify_client(client, page_size)
            feed_bytes = b"".join(kept)
            out["feed_wire"] = len(feed_bytes)
        out["feed_file_s"] = _download(root, "feed", feed_bytes, link_mbit)
        return out
    finally:
        if link is not None:
            link.close()
        server.stop()


def _net_verify_client(client: ServerClient, page_size: int) -> None:
    """The feed's pages fetched (not verified, not applied): their bytes for a baseline."""
    manifest = client.request("GET", "/v1/manifest", "m")
    head = manifest["payload"]["head_seq"]
    after = 0
    while after < head:
        page = client.request("GET", "/v1/changes", "c", params={"after": after, "until": head, "limit": page_size})
        after = page["page"]["payload"]["next_after"]


def _synthetic(i: int, rev: int = 0) -> dict[str, Any]:
    return {
        "id": f"bench-{i:06d}",
        "title": f"关于第{i}批城乡低保资金发放情况的公示" + ("（修订）" * rev),
        "issuer": "某区民政局",
        "published": "2026-03-01",
        "body": f"第{i}号公示。" + "根据有关规定，现将低保资金发放情况予以公示，接受群众监督。" * 8,
    }


def incremental(root: Path, key_dir: Path, mirror: int, changed: int, page_size: int) -> dict[str, float]:
    server = ServerProcess(root / "inc", key_dir)
    pack = root / "mirror.jsonl"
    _write_pack(pack, [_synthetic(i) for i in range(mirror)])
    publish_pack(server.engine, pack)
    server.start()
    try:
        cfg = _terminal(root, server, "inc-terminal")
        report, t_build, _ = _sync(cfg, page_size)
        if report.error:
            raise RuntimeError(f"building the mirror failed: {report.error}")
        _, t_noop, b_noop = _sync(cfg, page_size)
        step = max(1, mirror // changed)
        changes = [_synthetic(i, rev=1) for i in range(0, step * changed, step)][:changed]
        pack2 = root / "changes.jsonl"
        _write_pack(pack2, changes)
        publish_pack(server.engine, pack2)
        from sqlalchemy import select

        from sync.server.db import FeedDoc, sessions

        with sessions(server.engine)() as s:
            ids = [c["id"] for c in changes]
            payloads = s.scalars(select(FeedDoc.payload).where(FeedDoc.id.in_(ids)))
            changed_bytes = sum(len(p.encode("utf-8")) for p in payloads)
        report, t_inc, b_inc = _sync(cfg, page_size)
        if report.error or report.applied != changed:
            raise RuntimeError(f"incremental sync applied {report.applied}: {report.error}")
        return {
            "mirror": mirror,
            "changed": changed,
            "build_s": t_build,
            "noop_s": t_noop,
            "noop_bytes": b_noop,
            "inc_s": t_inc,
            "inc_bytes": b_inc,
            "changed_record_bytes": changed_bytes,
        }
    finally:
        server.stop()


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--docs", type=int, default=3000, help="first sync: corpus documents (default: all)")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--mirror", type=int, default=10000, help="incremental: documents on the mirror")
    p.add_argument("--changed", type=int, default=100, help="incremental: documents changed")
    p.add_argument("--page-size", type=int, default=500)
    p.add_argument("--skip-first", action="store_true")
    p.add_argument("--skip-incremental", action="store_true")
    p.add_argument(
        "--paths",
        choices=["both", "feed", "snapshot"],
        default="both",
        help="first sync: the page-by-page feed (the old path), the signed snapshot (the new one), or both",
    )
    p.add_argument(
        "--link-mbit",
        type=float,
        default=None,
        help="first sync: carry server→terminal bytes at this rate for both the sync and the baseline "
        "download (a hall's link to the district); default: bare loopback",
    )


def _print_first(f: dict[str, float], link_mbit: float | None) -> None:
    over = f"over a {link_mbit:g} Mbit/s link" if link_mbit else "over bare loopback"
    print(f"first sync of {f['docs']:.0f} documents {over} (load average {_loadavg()}):")
    feed_mb = f["feed_wire"] / 1e6
    print(f"  baseline A: one-file download of the feed's bytes ({feed_mb:.1f} MB)   {f['feed_file_s']:8.2f} s   1×")
    if "feed_sync_s" in f:
        print(
            f"  old: fetch + verify every page (no apply)                {f['net_verify_s']:8.2f} s   "
            f"{f['net_verify_s'] / f['feed_file_s']:.2f}× A"
        )
        print(
            f"  old: complete first sync page by page                    {f['feed_sync_s']:8.2f} s   "
            f"{f['feed_sync_s'] / f['feed_file_s']:.2f}× A"
        )
    if "snap_sync_s" in f:
        snap_mb = f["snap_wire"] / 1e6
        print(
            f"  snapshot: {f['snapshot_bytes'] / 1e6:.1f} MB gzip ({f['snapshot_raw_bytes'] / 1e6:.1f} MB SQLite), "
            f"built by the server in {f['build_s']:.1f} s"
        )
        print(f"  baseline B: one-file download of the new path's bytes ({snap_mb:.1f} MB)   {f['snap_file_s']:8.2f} s")
        print(
            f"  new: complete first sync from the snapshot               {f['snap_sync_s']:8.2f} s   "
            f"{f['snap_sync_s'] / f['snap_file_s']:.2f}× B   {f['snap_sync_s'] / f['feed_file_s']:.2f}× A   "
            f"(install held the write lock {f['install_lock_s']:.2f} s)",
            flush=True,
        )


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as tmp:
        root = Path(tmp)
        key_dir = root / "keys"
        signing.generate(key_dir)
        if not args.skip_first:
            f = first_sync(
                root, key_dir, args.corpus, args.docs, args.page_size, link_mbit=args.link_mbit, paths=args.paths
            )
            _print_first(f, args.link_mbit)
        if not args.skip_incremental:
            r = incremental(root, key_dir, args.mirror, args.changed, args.page_size)
            print(
                f"incremental sync of {r['changed']} changed documents on a {r['mirror']}-document mirror "
                f"(mirror built by sync in {r['build_s']:.1f} s):"
            )
            print(f"  changed records (signed payloads)       {r['changed_record_bytes']:>10,} B")
            print(f"  sync with nothing changed               {r['noop_bytes']:>10,} B  {r['noop_s']:6.2f} s")
            print(
                f"  incremental sync                        {r['inc_bytes']:>10,} B  {r['inc_s']:6.2f} s  "
                f"({r['inc_bytes'] / r['changed_record_bytes']:.2f}× the changed records)"
            )
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(prog="python -m sync.bench")
    add_arguments(ap)
    raise SystemExit(run(ap.parse_args()))
