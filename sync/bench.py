"""Sync benchmark: ``python -m kiosk bench sync`` (figures go to docs/benchmarks.md, "## Sync").

1. First sync of N corpus documents against downloading the same bytes as one file from the same
   server over the same loopback, in the same run (ratio), plus the network-and-verify part alone.
2. Incremental sync of K changed documents on an M-document mirror: time and bytes on the wire against
   the size of the changed records, and a sync with nothing changed as the fixed cost.

Everything runs in this process: the real reference server under uvicorn on 127.0.0.1 in a thread, the
real client, fresh temporary folders. Bytes are HTTP response bodies counted by an ASGI wrapper.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx

from kiosk import config as config_mod
from kiosk.config import Config
from sync import signing
from sync.client import sync_once
from sync.http import ServerClient
from sync.server.__main__ import add_terminal
from sync.server.app import create_app
from sync.server.db import open_db
from sync.server.publish import publish_pack

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "laws.jsonl"


class ByteCounter:
    """ASGI wrapper that counts (and optionally keeps) response body bytes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.bytes = 0
        self.keep: list[bytes] | None = None

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        async def counting_send(msg: Message) -> None:
            if msg["type"] == "http.response.body":
                body = msg.get("body", b"")
                self.bytes += len(body)
                if self.keep is not None:
                    self.keep.append(body)
            await send(msg)

        await self.app(scope, receive, counting_send)


class BenchServer:
    def __init__(self, root: Path, key_dir: Path) -> None:
        import uvicorn

        self.url_db = f"sqlite:///{root / 'district.db'}"
        self.engine = open_db(self.url_db)
        app = create_app(self.engine, signing.load_signer(key_dir))
        self.file_bytes = b""

        async def one_file(scope: Scope, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", str(len(self.file_bytes)).encode())]})
            await send({"type": "http.response.body", "body": self.file_bytes})

        async def router(scope: Scope, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == "/bench/file":
                await one_file(scope, receive, send)
            else:
                await app(scope, receive, send)

        self.counter = ByteCounter(router)
        self.uv = uvicorn.Server(uvicorn.Config(self.counter, host="127.0.0.1", port=0, log_level="warning",
                                                lifespan="off"))
        self.thread = threading.Thread(target=self.uv.run, daemon=True)
        self.thread.start()
        while not self.uv.started:
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.uv.servers[0].sockets[0].getsockname()[1]}"

    def stop(self) -> None:
        self.uv.should_exit = True
        self.thread.join(10)
        self.engine.dispose()


def _terminal(root: Path, server: BenchServer, key_dir: Path, name: str) -> Config:
    _tid, token = add_terminal(server.url_db, "wanbao")
    text = (f'[terminal]\nid = "{name}"\nzone = "wanbao"\ndata_dir = "{root / name}"\n'
            f'[server]\nurl = "{server.url}"\ntoken = "{token}"\n'
            f'trust_key = "{key_dir / signing.PUBLIC_NAME}"\nmax_response_mb = 64\n')
    path = root / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return config_mod.load(path)


def _write_pack(path: Path, lines: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")


def first_sync(root: Path, key_dir: Path, corpus: Path, n: int, page_size: int) -> dict[str, float]:
    lines = [json.loads(line) for line in corpus.open(encoding="utf-8") if line.strip()][:n]
    pack = root / "first.jsonl"
    _write_pack(pack, lines)
    (root / "first").mkdir()
    server = BenchServer(root / "first", key_dir)
    try:
        publish_pack(server.engine, pack)
        cfg = _terminal(root, server, key_dir, "first-terminal")
        # network and verification alone: fetch and verify every page, apply nothing
        verifier = signing.load_verifier(key_dir / signing.PUBLIC_NAME)
        with ServerClient(cfg) as client:
            t0 = time.perf_counter()
            manifest = verifier.verify(client.request("GET", "/v1/manifest", "m"), "manifest")
            after = 0
            while after < manifest["head_seq"]:
                page = client.request("GET", "/v1/changes", "c", params={
                    "after": after, "until": manifest["head_seq"], "limit": page_size})
                for env in page["entries"]:
                    verifier.verify(env, "document")
                after = verifier.verify(page["page"], "page")["next_after"]
            t_net = time.perf_counter() - t0
        server.counter.bytes = 0
        server.counter.keep = []
        t0 = time.perf_counter()
        report = sync_once(cfg, page_size=page_size)
        t_sync = time.perf_counter() - t0
        if report.error:
            raise RuntimeError(report.error)
        wire = server.counter.bytes
        server.file_bytes = b"".join(server.counter.keep)
        server.counter.keep = None
        with httpx.Client(timeout=60) as http:
            t0 = time.perf_counter()
            with http.stream("GET", f"{server.url}/bench/file") as resp:
                got = sum(len(c) for c in resp.iter_bytes())
            t_file = time.perf_counter() - t0
        assert got == len(server.file_bytes)
        return {"docs": len(lines), "wire_bytes": wire, "sync_s": t_sync, "file_s": t_file, "net_verify_s": t_net}
    finally:
        server.stop()


def incremental(root: Path, key_dir: Path, mirror: int, changed: int, page_size: int) -> dict[str, float]:
    def synthetic(i: int, rev: int = 0) -> dict[str, Any]:
        return {"id": f"bench-{i:06d}", "title": f"关于第{i}批城乡低保资金发放情况的公示" + ("（修订）" * rev),
                "issuer": "某区民政局", "published": "2026-03-01",
                "body": f"第{i}号公示。" + "根据有关规定，现将低保资金发放情况予以公示，接受群众监督。" * 8}

    (root / "inc").mkdir()
    server = BenchServer(root / "inc", key_dir)
    try:
        pack = root / "mirror.jsonl"
        _write_pack(pack, [synthetic(i) for i in range(mirror)])
        publish_pack(server.engine, pack)
        cfg = _terminal(root, server, key_dir, "inc-terminal")
        t0 = time.perf_counter()
        if sync_once(cfg, page_size=page_size).error:
            raise RuntimeError("building the mirror failed")
        t_build = time.perf_counter() - t0
        server.counter.bytes = 0
        t0 = time.perf_counter()
        sync_once(cfg, page_size=page_size)
        t_noop, b_noop = time.perf_counter() - t0, server.counter.bytes
        step = max(1, mirror // changed)
        changes = [synthetic(i, rev=1) for i in range(0, step * changed, step)][:changed]
        pack2 = root / "changes.jsonl"
        _write_pack(pack2, changes)
        publish_pack(server.engine, pack2)
        from sqlalchemy import select

        from sync.server.db import FeedDoc, sessions

        with sessions(server.engine)() as s:
            ids = [c["id"] for c in changes]
            changed_bytes = sum(len(p.encode()) for p in s.scalars(select(FeedDoc.payload).where(FeedDoc.id.in_(ids))))
        server.counter.bytes = 0
        t0 = time.perf_counter()
        report = sync_once(cfg, page_size=page_size)
        t_inc, b_inc = time.perf_counter() - t0, server.counter.bytes
        if report.error or report.applied != changed:
            raise RuntimeError(f"incremental sync applied {report.applied}: {report.error}")
        return {"mirror": mirror, "changed": changed, "build_s": t_build, "noop_s": t_noop, "noop_bytes": b_noop,
                "inc_s": t_inc, "inc_bytes": b_inc, "changed_record_bytes": changed_bytes}
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


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as tmp:
        root = Path(tmp)
        key_dir = root / "keys"
        signing.generate(key_dir)
        if not args.skip_first:
            f = first_sync(root, key_dir, args.corpus, args.docs, args.page_size)
            print(f"first sync of {f['docs']} documents, {f['wire_bytes'] / 1e6:.1f} MB of response bodies:")
            print(f"  baseline: one-file download of the same bytes   {f['file_s']:8.2f} s   1×")
            print(f"  fetch + verify every page (no apply)             {f['net_verify_s']:8.2f} s   "
                  f"{f['net_verify_s'] / f['file_s']:.1f}×")
            print(f"  complete first sync (apply + search index)       {f['sync_s']:8.2f} s   "
                  f"{f['sync_s'] / f['file_s']:.1f}×")
        if not args.skip_incremental:
            r = incremental(root, key_dir, args.mirror, args.changed, args.page_size)
            print(f"incremental sync of {r['changed']} changed documents on a {r['mirror']}-document mirror "
                  f"(mirror built by sync in {r['build_s']:.1f} s):")
            print(f"  changed records (signed payloads)       {r['changed_record_bytes']:>10,} B")
            print(f"  sync with nothing changed               {r['noop_bytes']:>10,} B  {r['noop_s']:6.2f} s")
            print(f"  incremental sync                        {r['inc_bytes']:>10,} B  {r['inc_s']:6.2f} s  "
                  f"({r['inc_bytes'] / r['changed_record_bytes']:.2f}× the changed records)")
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(prog="python -m sync.bench")
    add_arguments(ap)
    raise SystemExit(run(ap.parse_args()))
