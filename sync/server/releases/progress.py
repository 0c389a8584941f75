"""Releases on the fleet page: what each terminal's heartbeat says of its software (``update``: the state
of its updater, the version concerned, a plain-Chinese note, when), and how far each release has come in
each zone it is rolled out to.

Updater states (``kiosk.update.state``): ``current`` (runs the newest release for its zone), ``downloading``
(with a percentage), ``staged`` (unpacked beside the running version, waiting for closing time),
``switched`` (running the new version, its self-test pending), ``confirmed`` (switched and healthy),
``rolled_back`` (the new version did not come up healthy within the bound; the note says why) and
``failed`` (a download or unpack refused; the note says why, it is retried).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.protocol.requests import UpdateReport
from sync.server.db import Terminal
from sync.server.releases.models import ReleaseRow

UPDATE_LABELS = {
    "current": "已是最新",
    "downloading": "正在下载",
    "staged": "已下载，等待切换",
    "switched": "已切换，正在自检",
    "confirmed": "已更新",
    "rolled_back": "已自动退回",
    "failed": "更新出错",
}


def store_update(term: Terminal, report: UpdateReport | None) -> None:
    if report is None:
        return
    term.update_state = report.state
    term.update_version = report.version
    note = report.note
    if report.state == "downloading" and report.percent is not None:
        note = f"{report.percent}%"
    term.update_note = note or None
    try:
        at = dt.datetime.fromisoformat(report.at.replace("Z", "+00:00"))
        term.update_at = at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at
    except ValueError:
        term.update_at = None


def update_text(t: Terminal) -> tuple[str, str]:
    """(label, detail) of a terminal's updater state for the page; ("", "") when it never said."""
    if not t.update_state:
        return "", ""
    label = UPDATE_LABELS.get(t.update_state, t.update_state)
    if t.update_version and t.update_state in ("downloading", "staged", "switched", "confirmed", "rolled_back"):
        label = (
            f"{label} {t.update_version}"
            if t.update_state != "rolled_back"
            else f"{label}（{t.update_version} 未启用）"
        )
    return label, t.update_note or ""


@dataclass
class ZoneProgress:
    zone: str
    zone_name: str
    terminals: int
    on_it: int  # running it, healthy
    downloading: int
    waiting: int  # staged, waiting for closing time
    rolled_back: int


@dataclass
class ReleaseProgress:
    version: str
    size: int
    bundle_bytes: int
    state: str  # 未推送 / 推送中 / 已暂停
    zones: list[ZoneProgress]


def _zone_progress(version: str, zone: str, name: str, mine: list[Terminal]) -> ZoneProgress:
    def count(state: str) -> int:
        return sum(1 for t in mine if t.update_version == version and t.update_state == state)

    on_it = sum(1 for t in mine if t.app_version == version)
    return ZoneProgress(zone, name, len(mine), on_it, count("downloading"), count("staged"), count("rolled_back"))


def progress(session: Session, zone_names: dict[str, str], zone_order: list[str]) -> list[ReleaseProgress]:
    """Each release, newest first, with its zones (those it is rolled out to) and their terminals."""
    terms = list(session.scalars(select(Terminal).where(Terminal.revoked_at.is_(None))))
    out = []
    for r in session.scalars(select(ReleaseRow).order_by(ReleaseRow.published_at.desc(), ReleaseRow.version.desc())):
        codes = [z for z in r.zones.split(",") if z]
        zones = zone_order if "*" in codes else [z for z in zone_order if z in codes]
        rows = []
        for z in zones:
            mine = [t for t in terms if t.zone == z]

            rows.append(_zone_progress(r.version, z, zone_names.get(z, z), mine))
        state = "已暂停" if r.halted else ("推送中" if codes else "未推送")
        out.append(ReleaseProgress(r.version, r.size, r.bundle_bytes, state, rows))
    return out
