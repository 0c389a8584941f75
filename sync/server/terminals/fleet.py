"""The fleet for district IT: every terminal's health, as an HTML page (``/admin/fleet``, refreshing
itself) and the same data as JSON (``/admin/api/fleet``), both for the ``it`` role.

What a row tells: the terminal's name and id, its zone by name, when it was last heard from in Beijing
time (UTC+8, labelled) and how long ago, and its state — 在线; 离线 once it has missed
``missed`` heartbeats (a heartbeat is due every sync interval the terminal reports; the allowance is
1.1 × the interval per heartbeat, as Xibo does with its collect interval); 从未联系 for a terminal
registered but never heard from; 待登记 while its enrolment code is unused; 已停用 when revoked. Then each
printer's state from the terminal's print service (正常 / 纸将用尽 / 缺纸 / 机盖未合 / 离线 / 连不上 /
故障), how far its mirror is behind the feed head and when it last synced, free disk, the outbox
(pending count and the oldest entry's age), the last sync error and the app version. Rows with a
problem are tinted and listed first; within each group terminals follow the district's zone order (the
zones' published ``sort_order``, then code) and their number. A revoked terminal that still knocks shows
how many requests were refused since and the last one (kept in the database by the token check).

The last sync error comes from the heartbeat's ``sync_failure``
(:class:`sync.protocol.requests.SyncFailureReport`: the part of the run, a short code, the terminal's
plain-Chinese sentence, when, and how many runs in a row failed), validated strictly before it is
stored: a heartbeat carrying a malformed one is refused whole (400).

No personal data is on the page: terminals report counts and states only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.protocol.requests import SyncFailureReport
from sync.server.db import Terminal, utcnow
from sync.server.recovery import lost_applications
from sync.server.releases.progress import update_text
from sync.server.terminals.enrol import is_enrolled, zones

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
DEFAULT_INTERVAL_S = 300  # a terminal that never said its interval: the kiosk's default
DEFAULT_MISSED = 2  # heartbeats missed before a terminal is 离线 (serve --offline-after-missed)
LOW_DISK_MB = 1024
REFRESH_S = 30
STATE_LABELS = {
    "online": "在线",
    "offline": "离线",
    "never": "从未联系",
    "awaiting": "待登记",
    "revoked": "已停用",
}
PRINTER_LABELS = {
    "ready": "正常",
    "paper_low": "纸将用尽",
    "paper_out": "缺纸",
    "cover_open": "机盖未合",
    "offline": "离线",
    "unreachable": "连不上",
    "error": "故障",
    "none": "未配置",
    "starting": "启动中",
    "unknown": "未知",
}
_PRINTER_BAD = {"paper_out", "cover_open", "offline", "unreachable", "error"}


PART_LABELS = {
    "purge": "清除已送达申请的个人信息",
    "lists": "更新镇街、分类或工作日历",
    "feed": "下载文件更新",
    "blobs": "下载附件",
    "pull": "下载内容",
    "push_outbox": "上传申请和评价",
    "heartbeat": "发送运行状态",
    "state": "记录同步状态",
    "update": "软件更新",
    "fork": "核对区级发布记录",
    "report_acks": "报告已确认的申请",
}


def store_failure(term: Terminal, failure: SyncFailureReport | None) -> None:
    """Copy a validated failure onto the terminal's row (all NULL after a successful run)."""
    term.failure_part = failure.part if failure else None
    term.failure_code = failure.code if failure else None
    term.failure_text = failure.text if failure else None
    term.failure_at = _parse_utc(failure.at) if failure else None
    term.failures_in_a_row = failure.in_a_row if failure else None


@dataclass
class PrinterState:
    name: str
    state: str
    label: str


@dataclass
class FleetRow:
    """One terminal as the page and the JSON show it."""

    id: str
    name: str
    zone: str
    zone_name: str
    state: str
    state_label: str
    last_contact: str | None  # ISO, Beijing time
    minutes_ago: int | None
    printers: list[PrinterState] = field(default_factory=list)
    behind: int | None = None
    synced_at: str | None = None
    free_disk_mb: int | None = None
    outbox: int | None = None
    outbox_oldest: str | None = None
    last_error: str | None = None
    failure_part: str | None = None  # the part of the run that failed, in Chinese
    failure_code: str | None = None  # its short code (disk-io, http-503, signature …)
    failure_at: str | None = None  # when, Beijing time
    failures_in_a_row: int | None = None
    version: str | None = None
    update: str = ""  # the updater's state in Chinese (已更新 V, 正在下载 V, 已自动退回 …)
    update_note: str = ""  # its detail: a percentage, or why it rolled back
    update_at: str | None = None
    refused: int | None = None  # requests refused since it was revoked
    refused_last: str | None = None  # the last of them, Beijing time
    problems: list[str] = field(default_factory=list)


def beijing(t: dt.datetime | None) -> str | None:
    """A naive UTC time as ``YYYY-MM-DD HH:MM`` Beijing time."""
    if t is None:
        return None
    return t.replace(tzinfo=dt.UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _parse_utc(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


def parse_printers(text: str | None) -> list[PrinterState]:
    """``name=state;…`` from the heartbeat (an old terminal's single word is one unnamed printer)."""
    out = []
    for raw in (text or "").split(";"):
        part = raw.strip()
        if not part:
            continue
        name, _, state = part.rpartition("=")
        out.append(PrinterState(name, state, PRINTER_LABELS.get(state, state)))
    return out


def _row(t: Terminal, zone_names: dict[str, str], head: int, now: dt.datetime, missed: int) -> FleetRow:
    interval = t.sync_interval_s or DEFAULT_INTERVAL_S
    if t.revoked_at is not None:
        state = "revoked"
    elif not is_enrolled(t):
        state = "awaiting"
    elif t.last_heartbeat_at is None:
        state = "never"
    elif (now - t.last_heartbeat_at).total_seconds() > missed * 1.1 * interval:
        state = "offline"
    else:
        state = "online"
    row = FleetRow(
        id=t.id,
        name=t.name or t.id,
        zone=t.zone,
        zone_name=zone_names.get(t.zone, t.zone),
        state=state,
        state_label=STATE_LABELS[state],
        last_contact=beijing(t.last_heartbeat_at),
        minutes_ago=None if t.last_heartbeat_at is None else int((now - t.last_heartbeat_at).total_seconds() // 60),
        printers=parse_printers(t.printer_state),
        behind=None if t.mirror_seq is None else max(0, head - t.mirror_seq),
        synced_at=beijing(_parse_utc(t.mirror_synced_at)),
        free_disk_mb=t.free_disk_mb,
        outbox=t.pending_outbox,
        outbox_oldest=beijing(_parse_utc(t.outbox_oldest)),
        last_error=t.failure_text or t.last_error,
        failure_part=PART_LABELS.get(t.failure_part or "", t.failure_part),
        failure_code=t.failure_code,
        failure_at=beijing(t.failure_at),
        failures_in_a_row=t.failures_in_a_row,
        version=t.app_version,
        update=update_text(t)[0],
        update_note=update_text(t)[1],
        update_at=beijing(t.update_at),
        refused=t.refused_count,
        refused_last=beijing(t.refused_last_at),
    )
    if state in ("offline", "never"):
        row.problems.append(row.state_label)
    if t.update_state in ("rolled_back", "failed"):
        row.problems.append(f"{row.update}：{row.update_note}" if row.update_note else row.update)
    if state == "revoked" and row.refused:
        row.problems.append(f"停用后仍尝试连接 {row.refused} 次")
    row.problems += [f"打印机{p.name}{p.label}" for p in row.printers if p.state in _PRINTER_BAD]
    if row.free_disk_mb is not None and 0 <= row.free_disk_mb < LOW_DISK_MB:
        row.problems.append("磁盘空间不足")
    if row.last_error and state == "online":
        row.problems.append(f"同步连续失败 {row.failures_in_a_row} 次" if row.failures_in_a_row else "同步出错")
    return row


def fleet(
    session: Session, head: int, *, missed: int = DEFAULT_MISSED, now: dt.datetime | None = None
) -> list[FleetRow]:
    """Every terminal, those with a problem first, each group in the district's zone order, then by id."""
    now = now or utcnow()
    known = zones(session)
    names = {code: str(z.get("name") or code) for code, z in known.items()}
    order = {code: (0, _sort_key(z.get("sort_order")), code) for code, z in known.items()}
    rows = [_row(t, names, head, now, missed) for t in session.scalars(select(Terminal))]
    rows.sort(key=lambda r: (not r.problems, order.get(r.zone, (1, 0, r.zone)), r.id))
    return rows


def _sort_key(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def fleet_json(session: Session, head: int, *, missed: int = DEFAULT_MISSED) -> dict[str, Any]:
    rows = fleet(session, head, missed=missed)
    return {
        "generated_at": beijing(utcnow()),
        "timezone": "Asia/Shanghai (UTC+8)",
        "head_seq": head,
        "offline_after_missed_heartbeats": missed,
        "terminals": [asdict(r) for r in rows],
        "lost_applications": [
            {"tracking_no": a.tracking_no, "zone": a.zone, "terminal": a.terminal_id, "acked_at": a.acked_at}
            for a in lost_applications(session)
        ],
    }


def _ago(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes < 60:
        return f"{minutes} 分钟前"
    if minutes < 48 * 60:
        return f"{minutes // 60} 小时前"
    return f"{minutes // 1440} 天前"


STATE_TONES = {"online": "ok", "offline": "bad", "never": "bad", "revoked": "muted", "awaiting": "warn"}


def page_context(session: Session, head: int, *, missed: int = DEFAULT_MISSED) -> dict[str, Any]:
    """What ``fleet.html`` shows: the rows (with how long ago, the tones of states) and the summary line."""
    rows = fleet(session, head, missed=missed)
    counts = {s: sum(1 for r in rows if r.state == s) for s in STATE_LABELS}
    summary = "，".join(f"{STATE_LABELS[s]} {n}" for s, n in counts.items() if n) or "尚无终端"
    return {
        "rows": [
            {
                "r": r,
                "ago": _ago(r.minutes_ago),
                "tone": STATE_TONES[r.state],
                "attn": bool(r.problems) and (r.state != "revoked" or bool(r.refused)),
                "update_bad": r.update.startswith(("已自动退回", "更新出错")),
                "printers": [(p, p.state in _PRINTER_BAD) for p in r.printers],
                "disk": "" if r.free_disk_mb is None else f"{r.free_disk_mb / 1024:.1f} GB",
            }
            for r in rows
        ],
        "total": len(rows),
        "summary": summary,
        "printer_bad": sum(1 for r in rows if any(p.state in _PRINTER_BAD for p in r.printers)),
        "missed": missed,
        "head": head,
        "refresh_s": REFRESH_S,
        "releases": release_progress(session),
        "lost": lost_rows(session),
    }


def zone_order(session: Session) -> tuple[dict[str, str], list[str]]:
    """The zones' names and the district's order of them (published sort order, then code)."""
    known = zones(session)
    names = {code: str(z.get("name") or code) for code, z in known.items()}
    order = sorted(known, key=lambda c: (_sort_key(known[c].get("sort_order")), c))
    return names, order


def release_progress(session: Session) -> list[Any]:
    """Each release and its progress zone by zone (sync.server.releases.progress), newest first."""
    from sync.server.releases.progress import progress

    names, order = zone_order(session)
    return progress(session, names, order)


def lost_rows(session: Session) -> list[dict[str, str]]:
    """After a restore: applications a terminal was told the server had received, which it no longer has."""
    names = {code: str(z.get("name") or code) for code, z in zones(session).items()}
    return [
        {
            "tracking_no": a.tracking_no,
            "zone": names.get(a.zone, a.zone),
            "terminal": a.terminal_id,
            "acked": beijing(_parse_utc(a.acked_at)) or "",
            "reported": beijing(a.reported_at) or "",
        }
        for a in lost_applications(session)
    ]
