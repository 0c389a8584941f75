"""A real reference district server under uvicorn on 127.0.0.1, for the sync tests (its own module
so tests can import it by a name no other folder's conftest shadows)."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import tomli_w
import uvicorn
from sqlalchemy import Engine
from synchelpers import CATEGORIES, ZONES

from kiosk import config as config_mod
from kiosk.config import Config
from sync.protocol import signing
from sync.server.__main__ import add_terminal
from sync.server.app import create_app
from sync.server.db import utcnow
from sync.server.feed.publish import publish_pack
from sync.server.office.lifecycle import china_today


def write_terminal_config(
    out: Path,
    *,
    terminal_id: str,
    zone: str,
    server: str,
    token: str,
    trust: Path,
    data: Path,
    ca_bundle: Path | None = None,
    mirror_all: bool = False,
) -> None:
    """Write a terminal's configuration (0600) with the key copied beside it, as ``kiosk enrol`` does,
    for a token the test got from ``add_terminal`` (no command prints or takes a token)."""
    signing.load_verifier(trust)  # a harness given a bad key fails here, not in the middle of a test
    out.parent.mkdir(parents=True, exist_ok=True)
    trust_copy = out.parent / signing.PUBLIC_NAME
    if trust.resolve() != trust_copy.resolve():
        shutil.copyfile(trust, trust_copy)
    terminal: dict[str, Any] = {"id": terminal_id, "zone": zone, "mirror_all_zones": mirror_all}
    terminal["data_dir"] = str(data.resolve())
    srv: dict[str, Any] = {"url": server, "token": token, "trust_key": trust_copy.name}
    if ca_bundle is not None:
        srv["ca_bundle"] = str(ca_bundle.resolve())
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(tomli_w.dumps({"terminal": terminal, "server": srv}))


@dataclass
class RunningServer:
    db_url: str
    db_path: Path
    key_dir: Path
    engine: Engine
    port: int = 0
    url: str = ""
    manifest_ttl_s: int = 7 * 86400
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    trust_proxy: bool = False
    today: date | None = None  # the server's clock: China's date unless a test fixes the day
    clock: datetime | None = None  # the server's time (naive UTC) for dating what arrives; None: now
    snapshot_dir: Path | None = None  # first-sync snapshots offered
    build_snapshots: bool = False  # built lazily by the server when asked for (else by the test)
    release_dir: Path | None = None  # release archives served (``release publish`` writes them)
    _uv: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    tmp: Path = field(default_factory=Path)

    def start(self) -> None:
        app = create_app(
            self.engine,
            signing.load_signer(self.key_dir),
            manifest_ttl_s=self.manifest_ttl_s,
            trust_proxy=self.trust_proxy,
            today=lambda: self.today or china_today(),
            now=lambda: self.clock or utcnow(),
            snapshot_dir=self.snapshot_dir,
            build_snapshots=self.build_snapshots,
            release_dir=self.release_dir or self.db_path.with_name(self.db_path.name + "-releases"),
            key_dir=self.key_dir,
        )
        cfg = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            proxy_headers=False,  # as `serve` runs it: the app alone decides whether to believe a proxy
            ssl_certfile=self.ssl_certfile,
            ssl_keyfile=self.ssl_keyfile,
        )
        self._uv = uvicorn.Server(cfg)
        self._thread = threading.Thread(target=self._uv.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._uv.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        self.port = self._uv.servers[0].sockets[0].getsockname()[1]
        self.url = f"{'https' if self.ssl_certfile else 'http'}://127.0.0.1:{self.port}"

    def start_on_same_port(self) -> None:
        """Start again after :meth:`stop` (e.g. with another key folder), where terminals expect it."""
        self.start()

    def stop(self) -> None:
        if self._uv is not None:
            self._uv.should_exit = True
            assert self._thread is not None
            self._thread.join(10)
            self._uv = None

    def publish_lines(self, lines: list[dict[str, Any]], name: str = "pack.jsonl") -> dict[str, int]:
        pack = self.tmp / name
        pack.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
        return publish_pack(self.engine, pack)

    def ensure_zone(self, zone: str) -> None:
        """Publish the test district's zones and categories unless ``zone`` is known already (the server
        refuses a terminal of a zone it does not know)."""
        from sync.server.db import ZoneRow, sessions

        with sessions(self.engine)() as s:
            known = s.get(ZoneRow, zone) is not None
        if not known:
            self.publish_lines(ZONES + CATEGORIES, "district.jsonl")

    def terminal(
        self,
        data_dir: Path,
        zone: str = "wanbao",
        *,
        url: str | None = None,
        trust: Path | None = None,
        mirror_all: bool = False,
        timeout_s: float | None = None,
        max_mb: int | None = None,
        ca_bundle: Path | None = None,
    ) -> Config:
        self.ensure_zone(zone)
        tid, token = add_terminal(self.db_url, zone)
        out = data_dir.parent / f"{data_dir.name}.toml"
        write_terminal_config(
            out,
            terminal_id=tid,  # the id the server knows it by
            zone=zone,
            server=url or self.url,
            token=token,
            trust=trust or (self.key_dir / signing.PUBLIC_NAME),
            data=data_dir,
            ca_bundle=ca_bundle,
            mirror_all=mirror_all,
        )
        text = out.read_text(encoding="utf-8")
        if timeout_s is not None:
            text = text.replace("[server]\n", f"[server]\ntimeout_s = {timeout_s}\n")
        if max_mb is not None:
            text = text.replace("[server]\n", f"[server]\nmax_response_mb = {max_mb}\n")
        out.write_text(text, encoding="utf-8")
        return config_mod.load(out)
