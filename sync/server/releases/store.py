"""Publishing a release (the bundle folder packed into a gzip-compressed tar, its sha256 and size
recorded), rolling it out to zones, halting it, and the signed list terminals read.

The archive is packed deterministically (sorted names, no owners, fixed times), so the same folder gives
the same bytes and the same sha256 wherever it is packed. Every version is published once: a second
``publish`` of a version is refused (a terminal may already hold the first one's hash).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sync.protocol.releases import RELEASE_ROLE, ReleaseItem
from sync.protocol.signing import Signer
from sync.server.db import sessions, utcnow
from sync.server.deps import iso
from sync.server.errors import ServerRefusal
from sync.server.releases.models import ReleaseRow
from sync.server.terminals.enrol import zones as known_zones


class ReleaseError(ServerRefusal):
    """A release command that cannot be done as asked (unknown version, zone, a bad bundle)."""


@dataclass(frozen=True)
class Published:
    version: str
    sha256: str
    size: int
    bundle_bytes: int
    archive: Path


def archive_path(folder: Path, version: str) -> Path:
    return folder / f"{version}.tar.gz"


def _pack(bundle: Path, out: Path) -> int:
    """Write ``bundle``'s contents as a deterministic tar.gz at ``out``; returns the folder's bytes."""
    total = 0

    def clean(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = 0
        return info

    tmp = out.with_name(out.name + ".partial")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0, compresslevel=6) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for path in sorted(bundle.rglob("*")):
                rel = path.relative_to(bundle).as_posix()
                if path.is_symlink():  # PyInstaller links shared libraries; kept only within the bundle
                    target = os.readlink(path)
                    inside = (path.parent / target).resolve().is_relative_to(bundle.resolve())
                    if os.path.isabs(target) or not inside:
                        raise ReleaseError(f"{rel}：符号链接指向软件包之外（{target}）")
                elif path.is_file():
                    total += path.stat().st_size
                tar.add(path, arcname=rel, recursive=False, filter=clean)
        gz.flush()
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, out)
    return total


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def mirror_schema_head() -> str:
    """The newest mirror schema revision of the code publishing (what the bundle built from it needs)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from kiosk.paths import migrations_dir

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    return head or "base"


def publish(engine: Engine, folder: Path, bundle: Path, version: str, min_schema: str | None = None) -> Published:
    """Pack ``bundle`` (a folder holding the ``kiosk`` program) as release ``version`` into ``folder``."""
    try:
        ReleaseItem.model_validate(
            {
                "version": version,
                "sha256": "0" * 64,
                "size": 1,
                "min_schema": "x",
                "zones": ["*"],
                "published_at": "2026-01-01T00:00:00Z",
            }
        )
    except ValidationError:
        raise ReleaseError(f"{version!r} 不是有效的版本号（只能由数字、字母和 . + _ - 组成）") from None
    if not bundle.is_dir() or not any((bundle / name).is_file() for name in ("kiosk", "kiosk.exe")):
        raise ReleaseError(f"{bundle} 不是软件包文件夹（顶层没有 kiosk 程序）")
    with sessions(engine)() as s:
        if s.get(ReleaseRow, version) is not None:
            raise ReleaseError(f"版本 {version} 已发布过（请发布一个新版本号）")
    folder.mkdir(parents=True, exist_ok=True)
    out = archive_path(folder, version)
    bundle_bytes = _pack(bundle, out)
    sha, size = _sha256(out)
    with sessions(engine)() as s, s.begin():
        s.add(
            ReleaseRow(
                version=version,
                sha256=sha,
                size=size,
                bundle_bytes=bundle_bytes,
                min_schema=min_schema or mirror_schema_head(),
                zones="",
            )
        )
    return Published(version, sha, size, bundle_bytes, out)


def _row(s: Session, version: str) -> ReleaseRow:
    row = s.get(ReleaseRow, version)
    if row is None:
        known = "、".join(s.scalars(select(ReleaseRow.version).order_by(ReleaseRow.published_at))) or "无"
        raise ReleaseError(f"没有版本 {version!r}（已发布：{known}）")
    return row


def rollout(engine: Engine, version: str, zones: list[str] | None) -> list[str]:
    """Offer ``version`` to ``zones`` besides those it has (None: every zone); lifts a halt. Returns the
    zones it is rolled out to now (``["*"]`` for all)."""
    with sessions(engine)() as s, s.begin():
        row = _row(s, version)
        if zones is None:
            now = ["*"]
        else:
            known = known_zones(s)
            unknown = [z for z in zones if z not in known]
            if unknown:
                raise ReleaseError(f"未知专区 {'、'.join(unknown)}（已有专区：{'、'.join(sorted(known))}）")
            have = [z for z in row.zones.split(",") if z]
            now = ["*"] if "*" in have else sorted(set(have) | set(zones))
        row.zones = ",".join(now)
        row.halted = False
        row.rolled_out_at = utcnow()
        return now


def halt(engine: Engine, version: str) -> None:
    """Stop offering ``version``: terminals that have not switched to it do not; those that have stay."""
    with sessions(engine)() as s, s.begin():
        _row(s, version).halted = True


def releases_payload(session: Session) -> dict[str, Any]:
    """The signed list's payload: releases rolled out somewhere and not halted, oldest first."""
    rows = session.scalars(select(ReleaseRow).order_by(ReleaseRow.published_at, ReleaseRow.version))
    items = [
        {
            "version": r.version,
            "sha256": r.sha256,
            "size": r.size,
            "min_schema": r.min_schema,
            "zones": [z for z in r.zones.split(",") if z],
            "published_at": iso(r.published_at),
        }
        for r in rows
        if r.zones and not r.halted
    ]
    return {"kind": "releases", "role": RELEASE_ROLE, "items": items}


def signed_releases(session: Session, signer: Signer) -> dict[str, Any]:
    """The list, signed with the release role's key (today: the district's signing key)."""
    return signer.sign(releases_payload(session))


def list_rows(engine: Engine) -> list[ReleaseRow]:
    with sessions(engine)() as s:
        return list(s.scalars(select(ReleaseRow).order_by(ReleaseRow.published_at, ReleaseRow.version)))


def describe(row: ReleaseRow) -> str:
    where = "all zones" if row.zones == "*" else (row.zones.replace(",", ", ") or "no zone yet")
    state = "halted" if row.halted else "offered"
    return json.dumps(
        {"version": row.version, "size": row.size, "sha256": row.sha256[:16], "zones": where, "state": state},
        ensure_ascii=False,
    )
