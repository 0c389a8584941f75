"""The terminal's updater, run at the end of each sync (after the outbox, before the heartbeat, so the
heartbeat reports where it stands): learn of a release for this zone from the signed list the manifest
names, download its archive in slices under the sync's caps and pace (resumable across runs and
crashes, hash-checked), unpack it beside the running release, and switch to it when the zone's hall is
closed and no visit or print job is under way. After a switch the process asks to be restarted; the new
release confirms itself or is switched back (:mod:`kiosk.update.guard`).

Only an installed release updates itself (:func:`kiosk.update.layout.installed_layout`); a checkout or
the demo never does. Everything the updater keeps is in ``<data>/update/``: ``state.json``, the signed
list as received (``releases.json``) and the archive being fetched (``<version>.tar.gz.partial``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.config import Config
from kiosk.errors import StorageError
from kiosk.mirror.models import Zone
from kiosk.printjobs import PrintJob
from kiosk.update import guard, hours
from kiosk.update import state as st
from kiosk.update.crashpoints import crash_point
from kiosk.update.layout import Layout
from kiosk.update.unpack import clear_partials, unpack
from sync.http import ServerClient
from sync.protocol.releases import ReleaseItem, Verifies, newest_for, verify_releases
from sync.protocol.signing import canonical

log = logging.getLogger("sync.updater")

SLICE = 4 * 1024 * 1024  # bytes per ranged request
RUN_BUDGET_S = 120.0  # download time per sync run; the rest comes in the next runs
RECENT_QUEUED = timedelta(minutes=10)  # a job queued this recently is about to print


class Updater:
    """One sync run's update step for the installed release ``running`` under ``layout``."""

    def __init__(
        self,
        cfg: Config,
        layout: Layout,
        running: str,
        verifier: Verifies,
        session: Session,
        *,
        busy: Callable[[], str | None] | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.cfg, self.layout, self.running = cfg, layout, running
        self.verifier, self.session = verifier, session
        self.busy = busy
        self.now = now or (lambda: datetime.now(UTC))
        self.folder = cfg.data_dir / "update"

    # -- the signed list -----------------------------------------------------------------------------
    def releases(self, client: ServerClient, manifest: dict[str, Any]) -> list[ReleaseItem]:
        """The verified list: fetched when the manifest's hash changed, else the stored copy (re-verified)."""
        want = manifest.get("releases_sha256")
        if not isinstance(want, str):
            return []
        stored = self.folder / "releases.json"
        envelope: Any = None
        if stored.is_file():
            try:
                envelope = json.loads(stored.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                envelope = None
        payload_hash = None
        if isinstance(envelope, dict) and isinstance(envelope.get("payload"), dict):
            payload_hash = hashlib.sha256(canonical(envelope["payload"])).hexdigest()
        if payload_hash != want:
            envelope = client.request("GET", "/v1/releases", "下载版本信息")
        items = verify_releases(self.verifier, envelope)
        if hashlib.sha256(canonical(envelope["payload"])).hexdigest() != want:
            raise StorageError("版本信息与清单不符，已拒绝")
        if payload_hash != want:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = stored.with_name("releases.json.new")
            tmp.write_text(json.dumps(envelope, ensure_ascii=False), encoding="utf-8")
            tmp.replace(stored)
        return items

    # -- one step --------------------------------------------------------------------------------------
    def run(self, client: ServerClient, manifest: dict[str, Any]) -> bool:
        """Move the update one step on; True when this process switched releases and must restart."""
        cur = st.load(self.cfg.data_dir)
        if cur.state in ("switched", "switching"):
            return False  # the new release confirms itself (or the boot guard rolls it back)
        items = self.releases(client, manifest)
        mine = {r.version: r for r in items}
        if self.running in mine and cur.published != mine[self.running].published_at:
            cur = self._save(cur, cur.state, published=mine[self.running].published_at, note=cur.note)
        target = newest_for(items, self.cfg.terminal.zone, set(cur.refused))
        if target is None or target.version == self.running or (cur.published and target.published_at <= cur.published):
            if cur.state not in ("current", "rolled_back", "confirmed"):
                self._save(cur, "current", version=self.running)
            return False
        if not self.layout.release(target.version).is_dir() and not self._download_and_unpack(client, target, cur):
            return False
        cur = st.load(self.cfg.data_dir)
        why = self.why_not_now()
        if why is not None:
            if cur.state != "staged" or cur.version != target.version or cur.note != why:
                self._save(cur, "staged", version=target.version, note=why)
            return False
        log.info("switching from %s to release %s", self.running, target.version)
        done = guard.switch(self.layout, self.cfg.data_dir, target.version)
        self._save(done, "switched", published=target.published_at, note="", deadline=done.deadline)
        return True

    def _save(self, cur: st.UpdateState, state: str, **changes: Any) -> st.UpdateState:
        new = cur.moved(state, **changes)
        st.save(self.cfg.data_dir, new)
        return new

    def why_not_now(self) -> str | None:
        """Why the switch must wait (plain Chinese), or None when the hall is closed and nobody is served."""
        zone = self.session.get(Zone, self.cfg.terminal.zone)
        if hours.is_open(zone.hours if zone is not None else "", self.now()):
            return "等闭馆后切换（开放时间内不切换）"
        if self.busy is not None:
            reason = self.busy()
            if reason:
                return reason
        recent = self.now().replace(tzinfo=None) - RECENT_QUEUED
        printing = self.session.scalar(
            select(PrintJob.id).where(
                (PrintJob.state == "printing") | ((PrintJob.state == "queued") & (PrintJob.created_at > recent))
            )
        )
        self.session.rollback()
        return "正在打印，打印完成后切换" if printing is not None else None

    def _download_and_unpack(self, client: ServerClient, target: ReleaseItem, cur: st.UpdateState) -> bool:
        """Fetch what is missing of the archive (within this run's budget), check it, unpack it. True when
        the release is unpacked; False when more is to come, or it failed (recorded, retried later)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.tar.gz.partial"):
            if old.name != f"{target.version}.tar.gz.partial":
                old.unlink(missing_ok=True)  # an earlier target superseded
        part = self.folder / f"{target.version}.tar.gz.partial"
        started = time.monotonic()
        with part.open("ab+") as f:
            have = f.tell()
            if have > target.size:
                f.truncate(0)
                have = 0
            while have < target.size:
                if time.monotonic() - started > RUN_BUDGET_S:
                    break
                end = min(target.size, have + SLICE) - 1
                client.download(f"/v1/releases/{target.version}/archive", f, have, target.size, "下载新版本", end=end)
                f.flush()
                os.fsync(f.fileno())
                have = f.tell()
                self._progress(cur, target.version, have, target.size)
                crash_point("download")
        if have < target.size:
            return False
        if _sha256(part) != target.sha256:
            part.unlink(missing_ok=True)
            self._save(
                cur, "failed", version=target.version, note=f"新版本 {target.version} 的安装包校验失败，将重新下载"
            )
            return False
        clear_partials(self.layout)
        try:
            unpack(self.layout, part, target.version)
        except StorageError as exc:
            self._save(cur, "failed", version=target.version, note=str(exc))
            return False
        part.unlink(missing_ok=True)
        self._save(cur, "staged", version=target.version, note="")
        return True

    def _progress(self, cur: st.UpdateState, version: str, have: int, size: int) -> None:
        percent = int(have * 100 // size)
        if cur.state != "downloading" or cur.version != version or cur.percent != percent:
            st.save(self.cfg.data_dir, cur.moved("downloading", version=version, percent=percent))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
