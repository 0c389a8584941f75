"""The year's end of 一月一评比: 年度优秀政务公开专区 from the twelve monthly evaluations, and the figures per
staff member on duty for 优秀个人.

Zones: each month's score exactly as the monthly table computes it (:func:`evaluation.build`, the same
formula and empty-month rule); the year's score is the mean of the twelve (a month before the zone
existed or with no data scores 0, as that month's table shows it), with the months ranked first and the
best and worst month beside it. Equal means share a rank (1, 1, 3); the top ``excellent`` ranks
(default 3, ties at the boundary included) are proposed as 年度优秀政务公开专区.

Staff: the office names who was on duty where and when (``duty_roster``: a name, a zone, from–to, and
optionally the person's console account); nothing is taken from residents' data. For each person, over
their duty days in the year: ratings at their zone (count, satisfaction, 差评), applications received at
their zone (any channel), and — with an account — the cases whose log shows a step by that account.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import Date, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sync.server.db import ServerBase, Submission, utcnow
from sync.server.errors import OfficeError
from sync.server.office import evaluation
from sync.server.office.models import Case, CaseEvent

DEFAULT_EXCELLENT = 3


class DutyRoster(ServerBase):
    """Who the office says was on duty at a zone from ``start`` to ``end`` (inclusive)."""

    __tablename__ = "duty_roster"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(40))
    zone: Mapped[str] = mapped_column(String(32))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    account: Mapped[str] = mapped_column(String(64), default="")
    added_by: Mapped[str] = mapped_column(String(64), default="")
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def add_duty(  # noqa: PLR0917 - one roster line
    session: Session, name: str, zone: str, start: dt.date, end: dt.date, account: str = "", by: str = ""
) -> DutyRoster:
    """Record a duty period (the caller's transaction)."""
    name = name.strip()
    if not 1 <= len(name) <= 40:
        raise OfficeError("请填写工作人员姓名（最长40个字）")
    if end < start:
        raise OfficeError("结束日期不能早于开始日期")
    if zone not in {z.code for z in evaluation._zones(session)}:
        raise OfficeError(f"本区没有专区“{zone}”")
    row = DutyRoster(name=name, zone=zone, start=start, end=end, account=account.strip(), added_by=by)
    session.add(row)
    session.flush()
    return row


@dataclass
class ZoneYear:
    code: str
    name: str
    monthly: list[float] = field(default_factory=list)  # January … December
    firsts: int = 0
    mean: float = 0.0
    rank: int = 0
    excellent: bool = False


@dataclass
class StaffYear:
    name: str
    zone: str
    duty_days: int = 0
    ratings: int = 0
    satisfaction: float | None = None
    bad: int = 0
    applications: int = 0
    handled: int = 0  # cases with a step by the person's account


def zones_of_year(session: Session, year: int, excellent: int = DEFAULT_EXCELLENT) -> list[ZoneYear]:
    """Each zone's twelve monthly scores, the mean, the rank (shared on ties) and the excellent ones."""
    out: dict[str, ZoneYear] = {}
    for m in range(1, 13):
        report = evaluation.build(session, f"{year:04d}-{m:02d}", with_previous=False)
        for z in report.zones:
            zy = out.setdefault(z.code, ZoneYear(z.code, z.name, [0.0] * (m - 1)))
            zy.monthly.append(z.score)
            zy.firsts += z.rank == 1 and z.score > 0
    for zy in out.values():
        zy.monthly += [0.0] * (12 - len(zy.monthly))
        zy.mean = round(sum(zy.monthly) / 12, 1)
    zones = list(out.values())
    for zy in zones:
        zy.rank = 1 + sum(o.mean > zy.mean for o in zones)
        zy.excellent = zy.rank <= excellent and zy.mean > 0
    return sorted(zones, key=lambda z: (z.rank, -z.firsts, z.code))


def _rating_day(body: dict[str, object], fallback: dt.datetime) -> dt.date:
    value = body.get("at")
    try:
        t = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        t = fallback.replace(tzinfo=dt.UTC)
    if t.tzinfo is None:
        t = t.replace(tzinfo=evaluation.CHINA)
    return t.astimezone(evaluation.CHINA).date()


def staff_of_year(session: Session, year: int) -> list[StaffYear]:
    """The figures of each person on the roster over their duty days in ``year`` (one line per person
    and zone)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    people: dict[tuple[str, str], StaffYear] = {}
    days: dict[tuple[str, str], set[dt.date]] = {}
    accounts: dict[tuple[str, str], set[str]] = {}
    for r in session.scalars(select(DutyRoster).order_by(DutyRoster.id)):
        key = (r.name, r.zone)
        people.setdefault(key, StaffYear(r.name, r.zone))
        d = max(r.start, first)
        while d <= min(r.end, last):
            days.setdefault(key, set()).add(d)
            d += dt.timedelta(days=1)
        if r.account:
            accounts.setdefault(key, set()).add(r.account)
    ratings: list[tuple[str, dt.date, int]] = []
    for code, received, payload in session.execute(
        select(Submission.zone, Submission.received_at, Submission.payload).where(Submission.kind == "rating")
    ):
        body = json.loads(payload)
        level = body.get("level", body.get("score"))
        if isinstance(level, int) and 1 <= level <= 5:
            ratings.append((code, _rating_day(body, received), level))
    cases = list(session.execute(select(Case.zone, Case.received_on).where(Case.received_on.between(first, last))))
    for key, sy in people.items():
        on = days.get(key, set())
        sy.duty_days = len(on)
        mine = [lv for code, day, lv in ratings if code == sy.zone and day in on]
        sy.ratings, sy.bad = len(mine), sum(lv <= 2 for lv in mine)
        sy.satisfaction = sum((lv - 1) / 4 for lv in mine) / len(mine) if mine else None
        sy.applications = sum(1 for code, day in cases if code == sy.zone and day in on)
        if accounts.get(key):
            q = select(CaseEvent.tracking_no).where(
                CaseEvent.actor.in_(accounts[key]), CaseEvent.on.between(first, last)
            )
            sy.handled = len(set(session.scalars(q)))
    return sorted(people.values(), key=lambda p: (p.zone, p.name))
