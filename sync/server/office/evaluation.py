"""The monthly evaluation of the zones (一月一评比): every zone in one table, its figures, the score, the
ranking and the change from last month — as a page, a CSV and an A4 PDF report with charts.

Sources, all grouped by the local (China) month in which things happened, not when they arrived:

- ``usage`` submissions (``kiosk.usage``): per event ``at`` — sessions, documents read (by category),
  searches with and without results, prints, applications submitted at the terminal; an older
  ``usage`` entry without events counts its ``counters`` at its receive time;
- ``rating`` submissions (``at``, ``level`` 1–5): the five 好差评 levels 非常满意 … 非常不满意; a 差评 is
  level 1 or 2 and awaits follow-up until the office records one (:class:`RatingFollowUp`);
- the office's cases: applications received in the month, replies given in the month and whether
  each was on time (its deadline on the day of the reply).

The score (0–100), with weights configurable per district (``evaluation weights``; Meta
``evaluation.weights``, default :data:`DEFAULT_WEIGHTS`, normalised to sum 1)::

    score = 100 × ( w_satisfaction × S + w_on_time × T + w_usage × U + w_follow_up × F )

    S  satisfaction: mean of (level − 1) / 4 over the month's ratings (非常满意 = 1 … 非常不满意 = 0);
       0 for a zone without ratings (无评价不得分: a zone must ask its visitors)
    T  replies on time / replies given — NOT SCORED for a zone that gave no reply in the month
    U  sessions / the busiest zone's sessions (0 … 1; 0 when the district had none)
    F  差评 followed up / 差评 received (1 with ratings but no 差评) — NOT SCORED for a zone without ratings

A part that is not scored leaves the sum and its weight leaves the divisor: the score is the weighted
mean over the parts the zone has data for (``100 × Σ w·p / Σ w`` over those parts). So a zone with no
activity at all scores 0 (S and U are always scored, and are 0), never "100 % on time, 100 % followed up";
a township with one reply on time is not ranked below empty zones. Equal scores share a rank and the
next rank skips (competition ranking: 1, 1, 3); within a shared rank the table lists busier zones first.
The change is against the previous month's rank and score computed the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sync.server.db import ServerBase, Submission, ZoneRow, meta_get, meta_set, utcnow
from sync.server.office.models import Case, CaseEvent

CHINA = ZoneInfo("Asia/Shanghai")
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
DEFAULT_WEIGHTS = {"satisfaction": 40.0, "on_time": 30.0, "usage": 20.0, "follow_up": 10.0}
WEIGHT_LABELS = {"satisfaction": "满意度", "on_time": "按时答复率", "usage": "使用活跃度", "follow_up": "差评整改率"}


class RatingFollowUp(ServerBase):
    """The office followed up a 差评 (回访整改): which rating, who, when, what was done."""

    __tablename__ = "rating_followups"

    submission_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)


@dataclass
class ZoneMonth:
    code: str
    name: str
    sessions: int = 0
    docs_read: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    searches: int = 0
    searches_empty: int = 0
    prints: int = 0
    terminal_applications: int = 0
    applications: int = 0
    levels: Counter[int] = field(default_factory=Counter)
    replies: int = 0
    replies_on_time: int = 0
    bad_ratings: int = 0
    bad_followed: int = 0
    bad_pending: int = 0
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    rank: int = 0
    prev_rank: int | None = None
    prev_score: float | None = None

    @property
    def ratings(self) -> int:
        return sum(self.levels.values())

    @property
    def satisfaction(self) -> float | None:
        n = self.ratings
        return None if n == 0 else sum((lv - 1) / 4 * c for lv, c in self.levels.items()) / n


@dataclass
class Report:
    month: str
    zones: list[ZoneMonth]
    weights: dict[str, float]
    popular_queries: list[tuple[str, int]]


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """First day of ``YYYY-MM`` and first day of the next month."""
    start = dt.date.fromisoformat(f"{text}-01")
    nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, nxt


def previous_month(text: str) -> str:
    start, _ = parse_month(text)
    prev = start - dt.timedelta(days=1)
    return f"{prev.year:04d}-{prev.month:02d}"


def weights(session: Session) -> dict[str, float]:
    raw = meta_get(session, "evaluation.weights")
    w = dict(DEFAULT_WEIGHTS)
    if raw:
        w.update({k: float(v) for k, v in json.loads(raw).items() if k in w})
    return w


def set_weights(session: Session, new: dict[str, float]) -> dict[str, float]:
    w = weights(session)
    for k, v in new.items():
        if k not in w:
            raise ValueError(f"没有这一项权重：{k!r}（可设：{'、'.join(WEIGHT_LABELS.values())}）")
        if v < 0:
            raise ValueError(f"“{WEIGHT_LABELS[k]}”的权重不能为负数，不是 {v:g}")
        w[k] = float(v)
    if sum(w.values()) <= 0:
        raise ValueError("权重不能全为 0：至少一项应大于 0")
    meta_set(session, "evaluation.weights", json.dumps(w))
    return w


def _local_month(value: Any, fallback: dt.datetime) -> str:
    if isinstance(value, str) and len(value) >= 25 and value.endswith("+08:00"):
        return value[:7]  # the terminals' own form: already local time
    try:
        t = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        t = fallback.replace(tzinfo=dt.UTC)
    if t.tzinfo is None:
        t = t.replace(tzinfo=CHINA)  # the terminal's local time without an offset
    return t.astimezone(CHINA).strftime("%Y-%m")


def _zones(session: Session) -> list[ZoneMonth]:
    rows = []
    for code, data in session.execute(select(ZoneRow.code, ZoneRow.data)):
        d = json.loads(data)
        rows.append((int(d.get("sort_order") or 0), code, str(d.get("name") or code)))
    return [ZoneMonth(code, name) for _, code, name in sorted(rows)]


def _collect(session: Session, month: str) -> tuple[dict[str, ZoneMonth], Counter[str]]:  # noqa: PLR0912, PLR0915
    zones = {z.code: z for z in _zones(session)}
    queries: Counter[str] = Counter()

    def zone(code: str) -> ZoneMonth:
        if code not in zones:  # a zone the terminals know but the list lost: still shown
            zones[code] = ZoneMonth(code, code)
        return zones[code]

    followed = set(session.scalars(select(RatingFollowUp.submission_id)))
    for sub_id, kind, code, received, payload in session.execute(
        select(Submission.id, Submission.kind, Submission.zone, Submission.received_at, Submission.payload).where(
            Submission.kind.in_(("usage", "rating"))
        )
    ):
        body = json.loads(payload)
        if kind == "rating":
            if _local_month(body.get("at"), received) != month:
                continue
            level = body.get("level", body.get("score"))
            if not isinstance(level, int) or not 1 <= level <= 5:
                continue
            z = zone(code)
            z.levels[level] += 1
            if level <= 2:
                z.bad_ratings += 1
                if sub_id in followed:
                    z.bad_followed += 1
            continue
        events = body.get("events")
        if not isinstance(events, list):  # an older terminal: counters only, at its receive time
            if _local_month(None, received) != month:
                continue
            z = zone(code)
            c = body.get("counters") or {}
            z.sessions += int(c.get("session", c.get("sessions", 0)) or 0)
            z.docs_read += int(c.get("doc_read", 0) or 0)
            z.searches += int(c.get("search", 0) or 0)
            z.prints += int(c.get("print", 0) or 0)
            continue
        for ev in events:
            if not isinstance(ev, dict) or _local_month(ev.get("at"), received) != month:
                continue
            z = zone(code)
            t = ev.get("type")
            if t == "session":
                z.sessions += 1
            elif t == "doc_read":
                z.docs_read += 1
                z.by_category[str(ev.get("category") or "")] += 1
            elif t == "search":
                z.searches += 1
                if not ev.get("hits"):
                    z.searches_empty += 1
                if ev.get("query"):
                    queries[str(ev["query"])] += 1
            elif t == "print":
                z.prints += 1
            elif t == "application":
                z.terminal_applications += 1
    start, end = parse_month(month)
    for code, received_on in session.execute(select(Case.zone, Case.received_on)):
        if start <= received_on < end:
            zone(code).applications += 1
    for tn, data in session.execute(
        select(CaseEvent.tracking_no, CaseEvent.data).where(
            CaseEvent.action == "reply", CaseEvent.on >= start, CaseEvent.on < end
        )
    ):
        case = session.get(Case, tn)
        if case is None:
            continue
        z = zone(case.zone)
        z.replies += 1
        z.replies_on_time += bool(json.loads(data).get("on_time"))
    for z in zones.values():
        z.bad_pending = z.bad_ratings - z.bad_followed
    return zones, queries


def _score(zones: list[ZoneMonth], w: dict[str, float]) -> None:
    """Score each zone on the parts it has data for (see the module docstring) and rank with shared ranks."""
    busiest = max((z.sessions for z in zones), default=0)
    for z in zones:
        s = z.satisfaction
        parts: dict[str, float] = {
            "satisfaction": 0.0 if s is None else s,  # 无评价不得分
            "usage": z.sessions / busiest if busiest else 0.0,
        }
        if z.replies:  # no reply given this month: on time is not scored (neither 100 % nor 0 %)
            parts["on_time"] = z.replies_on_time / z.replies
        if z.ratings:  # no rating at all: nothing to follow up, not scored; ratings and no 差评: 100 %
            parts["follow_up"] = z.bad_followed / z.bad_ratings if z.bad_ratings else 1.0
        z.parts = parts
        counted = sum(w[k] for k in parts)
        z.score = round(100 * sum(w[k] * v for k, v in parts.items()) / counted, 1) if counted else 0.0
    for z in zones:  # competition ranking: equal scores share a rank, the next rank skips (1, 1, 3)
        z.rank = 1 + sum(other.score > z.score for other in zones)


def build(session: Session, month: str, *, with_previous: bool = True) -> Report:
    """The evaluation of ``month`` (``YYYY-MM``) with last month's ranks beside it."""
    parse_month(month)
    zones_by_code, queries = _collect(session, month)
    zones = list(zones_by_code.values())
    w = weights(session)
    _score(zones, w)
    if with_previous:
        prev = {z.code: z for z in build(session, previous_month(month), with_previous=False).zones}
        for z in zones:
            p = prev.get(z.code)
            if p is not None and (p.sessions or p.ratings or p.applications or p.replies):
                z.prev_rank, z.prev_score = p.rank, p.score
    order = {z.code: i for i, z in enumerate(zones)}
    zones.sort(key=lambda z: (z.rank, -z.sessions, order[z.code]))  # within a shared rank: busier first
    popular = [(q, n) for q, n in queries.most_common(10)]
    return Report(month, zones, w, popular)


COLUMNS = [
    "名次",
    "专区",
    "得分",
    "较上月",
    "访问次数",
    "阅读文件",
    "检索次数",
    "检索无结果",
    "打印",
    "依申请公开申请",
    "评价数",
    *LEVELS.values(),
    "满意度",
    "答复数",
    "按时答复",
    "差评",
    "差评待整改",
]


def rows(report: Report) -> list[list[Any]]:
    out = []
    for z in report.zones:
        if z.prev_rank is None:
            change = "—"
        else:
            d = z.prev_rank - z.rank
            change = f"↑{d}" if d > 0 else (f"↓{-d}" if d < 0 else "持平")
        sat = z.satisfaction
        out.append(
            [
                z.rank,
                z.name,
                f"{z.score:.1f}",
                change,
                z.sessions,
                z.docs_read,
                z.searches,
                z.searches_empty,
                z.prints,
                z.applications,
                z.ratings,
                *(z.levels.get(lv, 0) for lv in LEVELS),
                "—" if sat is None else f"{100 * sat:.0f}%",
                z.replies,
                z.replies_on_time,
                z.bad_ratings,
                z.bad_pending,
            ]
        )
    return out


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["月份", *COLUMNS])
    for r in rows(report):
        w.writerow([report.month, *r])
    return "\ufeff" + buf.getvalue()  # BOM: spreadsheet programs then read the Chinese right


def formula_text(w: dict[str, float]) -> str:
    """The formula as printed under the table: weights, and how a month without data counts."""
    total = sum(w.values())
    terms = " + ".join(f"{WEIGHT_LABELS[k]}×{100 * v / total:.0f}%" for k, v in w.items())
    return (
        f"得分 = 100 ×（{terms}），只按本月有数据的项目加权（其余项目的权重不计入）："
        f"本月无答复的专区不计“{WEIGHT_LABELS['on_time']}”，本月无评价的专区不计“{WEIGHT_LABELS['follow_up']}”"
        f"（有评价而无差评的按100%计）；无评价的“{WEIGHT_LABELS['satisfaction']}”计0分，"
        f"无访问的“{WEIGHT_LABELS['usage']}”计0分；完全无活动的专区得0分。得分相同的专区名次并列（如1、1、3）"
    )


def pending_bad_ratings(session: Session, month: str | None = None) -> list[tuple[int, str, str, int]]:
    """(submission id, zone, local time, level) of 差评 not yet followed up, oldest first."""
    out = []
    for sub_id, code, received, payload in session.execute(
        select(Submission.id, Submission.zone, Submission.received_at, Submission.payload)
        .where(Submission.kind == "rating")
        .order_by(Submission.id)
    ):
        body = json.loads(payload)
        level = body.get("level", body.get("score"))
        if not isinstance(level, int) or level > 2 or session.get(RatingFollowUp, sub_id) is not None:
            continue
        if month is not None and _local_month(body.get("at"), received) != month:
            continue
        when = str(body.get("at") or received.isoformat())
        out.append((sub_id, code, when, level))
    return out


def follow_up(session: Session, submission_id: int, *, actor: str, note: str) -> None:
    """Record the follow-up of a 差评 (in the caller's transaction)."""
    sub = session.get(Submission, submission_id)
    if sub is None or sub.kind != "rating":
        raise ValueError(f"没有编号为 {submission_id} 的评价")
    if not note.strip() or not actor.strip():
        raise ValueError("请写明经办人和整改情况")
    if session.get(RatingFollowUp, submission_id) is not None:
        raise ValueError("该差评已记录过整改")
    session.add(RatingFollowUp(submission_id=submission_id, actor=actor, note=note.strip()))


__all__ = ["Report", "ZoneMonth", "build", "follow_up", "pending_bad_ratings", "rows", "to_csv"]
