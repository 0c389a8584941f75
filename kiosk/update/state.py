"""The updater's state, one small JSON file in the data folder (``update/state.json``), replaced
atomically (written beside, fsynced, renamed), so it is always the old state or the new one.

    state      current | downloading | staged | switching | switched | confirmed | rolled_back | failed
    version    the release concerned (the target; after a rollback, the one rolled back from)
    source     the release running before the switch (what a rollback returns to)
    note       plain Chinese for the fleet page: why it rolled back or failed
    at         when the state was entered (ISO UTC)
    deadline   switched: by when the new release must have confirmed itself (ISO UTC)
    attempts   switched: how many times it was started without confirming
    refused    versions this terminal rolled back from: never offered to it again
    percent    downloading: how much of the archive is here
    published  when the running release was published (a terminal never "updates" to an older one)
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STATES = ("current", "downloading", "staged", "switching", "switched", "confirmed", "rolled_back", "failed")
STATE_LABELS = {  # as the fleet page words them (sync/server/releases/progress.py)
    "current": "已是最新",
    "downloading": "正在下载",
    "staged": "已下载，等待切换",
    "switching": "正在切换",
    "switched": "已切换，正在自检",
    "confirmed": "已更新",
    "rolled_back": "已自动退回",
    "failed": "更新出错",
}


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


@dataclass(frozen=True)
class UpdateState:
    state: str = "current"
    version: str | None = None
    source: str | None = None
    note: str = ""
    at: str = ""
    deadline: str | None = None
    attempts: int = 0
    refused: list[str] = field(default_factory=list)
    percent: int | None = None
    published: str | None = None

    def moved(self, state: str, **changes: Any) -> UpdateState:
        """This state moved to ``state`` now (``note`` cleared unless given)."""
        changes.setdefault("note", "")
        return replace(self, state=state, at=now_iso(), **changes)

    def heartbeat(self) -> dict[str, Any]:
        """What the heartbeat's ``update`` carries (sync.server.releases.progress.UpdateReport)."""
        state = "switched" if self.state == "switching" else self.state
        out: dict[str, Any] = {"state": state, "version": self.version, "note": self.note[:300], "at": self.at}
        if self.state == "downloading" and self.percent is not None:
            out["percent"] = max(0, min(100, self.percent))
        return out


def path(data_dir: Path) -> Path:
    return data_dir / "update" / "state.json"


def load(data_dir: Path) -> UpdateState:
    """The stored state; a missing or damaged file reads as ``current`` (nothing in progress)."""
    try:
        raw = json.loads(path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UpdateState(at=now_iso())
    if not isinstance(raw, dict) or raw.get("state") not in STATES:
        return UpdateState(at=now_iso())
    known = {k: raw[k] for k in UpdateState.__dataclass_fields__ if k in raw}
    try:
        return UpdateState(**known)
    except TypeError:
        return UpdateState(at=now_iso())


def save(data_dir: Path, state: UpdateState) -> None:
    """Replace the stored state atomically and durably."""
    target = path(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".new")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(asdict(state), f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    if os.name == "posix":
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
