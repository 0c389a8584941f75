"""The working-day calendar the server publishes: each year's State Council holiday arrangement
(国务院办公厅关于××年部分节假日安排的通知 — days off and make-up working days), signed and synced to
every terminal like content (``GET /v1/calendar``, its hash in the manifest).

Where a year comes from, best first: the arrangement the office published (``python -m sync.server
calendar publish --db URL FILE.json`` or the console), else the ``chinese_calendar`` package for the years
it knows. A year in neither is left out: terminal and server then both count it by the statutory rule of
``kiosk.workdays`` (provisional). The server counts every deadline with ``kiosk.workdays`` on exactly the
payload the terminals receive (:func:`work_calendar`), so both sides give the same date.

An arrangement file (JSON)::

    {"year": 2027,
     "source": "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）",
     "holidays": [{"name": "春节", "from": "2027-02-05", "to": "2027-02-12"}, …],
     "workdays": ["2027-02-14", …]}

``holidays`` are periods (every day from ``from`` to ``to`` is off, weekends inside included);
``workdays`` the make-up working days, each a Saturday or Sunday. Checked before anything is stored: dates
real and in or next to the year, no day both off and worked, and every statutory holiday of the 放假办法
(``kiosk.workdays.statutory_holidays``) off.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.workdays import WorkCalendar, statutory_holidays
from sync.server.errors import ArrangementError
from sync.server.office.models import CalendarYear

PACKAGE_SOURCE = "国务院办公厅节假日安排（随软件提供的数据）"


@functools.lru_cache(maxsize=64)
def _package_entry(year: int) -> str | None:
    entry = year_entry(year)
    return None if entry is None else json.dumps(entry)


def year_entry(year: int) -> dict[str, Any] | None:
    """Every day off of each official holiday period, and the make-up working days, of one year (None if unknown)."""
    holidays: list[str] = []
    workdays: list[str] = []
    day = dt.date(year, 1, 1)
    try:
        while day.year == year:
            weekend = day.weekday() >= 5
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if weekend and not on_holiday:
                workdays.append(day.isoformat())
            elif on_holiday and name is not None:
                holidays.append(day.isoformat())
            day += dt.timedelta(days=1)
    except NotImplementedError:
        return None
    return {"holidays": holidays, "workdays": workdays}


def published_years(session: Session) -> dict[int, CalendarYear]:
    return {row.year: row for row in session.scalars(select(CalendarYear))}


def build_payload(session: Session, today: dt.date | None = None) -> dict[str, Any]:
    """The signed calendar's payload: ``{"kind": "calendar", "years": {"2026": {...}}, "sources": {…}}``.

    Every year the office published, and the package's years from two years back to next year.
    """
    today = today or dt.date.today()
    years: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for y in range(today.year - 2, today.year + 2):
        entry = _package_entry(y)
        if entry is not None:
            years[str(y)] = json.loads(entry)
            sources[str(y)] = PACKAGE_SOURCE
    for y, row in published_years(session).items():
        years[str(y)] = json.loads(row.data)
        sources[str(y)] = row.source
    years = dict(sorted(years.items()))
    return {"kind": "calendar", "years": years, "sources": dict(sorted(sources.items()))}


def work_calendar(session: Session, today: dt.date | None = None) -> WorkCalendar:
    """The calendar the server counts deadlines by: the published payload, through ``kiosk.workdays``."""
    return WorkCalendar(build_payload(session, today)["years"])


def _date(value: Any, where: str, problems: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}：“{value}”不是日期（应为 YYYY-MM-DD）")
        return None


def parse_arrangement(raw: Any) -> tuple[int, str, dict[str, Any]]:  # noqa: PLR0912, PLR0915 - one check per rule
    """Check an arrangement (the file's JSON); returns (year, source, the year's payload entry)."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise ArrangementError(["文件内容应为一个 JSON 对象"])
    year = raw.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise ArrangementError(["year 应为年份（如 2027）"])
    source = str(raw.get("source") or "").strip()
    if not source:
        problems.append("source：请注明所依据的通知（如 国办发明电〔2026〕N号）")
    periods = raw.get("holidays")
    if not isinstance(periods, list) or not periods:
        problems.append("holidays：应列出各假期（name、from、to）")
        periods = []
    off: dict[dt.date, str] = {}
    for i, p in enumerate(periods, 1):
        where = f"holidays 第{i}项"
        if not isinstance(p, dict) or not str(p.get("name") or "").strip():
            problems.append(f"{where}：应有 name、from、to")
            continue
        start = _date(p.get("from"), where, problems)
        end = _date(p.get("to", p.get("from")), where, problems)
        if start is None or end is None:
            continue
        if end < start or (end - start).days > 14:
            problems.append(f"{where}：{start} 至 {end} 不是合理的假期")
            continue
        if not (dt.date(year - 1, 12, 1) <= start and end <= dt.date(year + 1, 1, 31)):
            problems.append(f"{where}：{start} 至 {end} 不在 {year} 年")
            continue
        d = start
        while d <= end:
            off[d] = str(p["name"]).strip()
            d += dt.timedelta(days=1)
    work: list[dt.date] = []
    raw_work = raw.get("workdays", [])
    if not isinstance(raw_work, list):
        problems.append("workdays：应为调休上班日期的列表")
        raw_work = []
    for value in raw_work:
        d2 = _date(value, "workdays", problems)
        if d2 is None:
            continue
        if d2.weekday() < 5:
            problems.append(f"workdays：{d2} 是工作日，不是调休上班的周末")
        elif d2 in off:
            problems.append(f"workdays：{d2} 同时被列为放假日")
        elif abs(d2.year - year) > 1:
            problems.append(f"workdays：{d2} 不在 {year} 年")
        else:
            work.append(d2)
    for name, d3 in statutory_holidays(year):
        if d3 not in off:
            problems.append(f"缺少法定节假日：{d3} {name}（《全国年节及纪念日放假办法》第二条）")
    if problems:
        raise ArrangementError(problems)
    entry = {
        "holidays": [d.isoformat() for d in sorted(off)],
        "workdays": [d.isoformat() for d in sorted(work)],
        "names": {d.isoformat(): n for d, n in sorted(off.items())},
    }
    return year, source, entry


def load_arrangement(path: Path) -> tuple[int, str, dict[str, Any]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ArrangementError([f"无法读取 {path}：{exc.strerror}"]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArrangementError([f"{path} 不是 UTF-8 JSON：{exc}"]) from None
    return parse_arrangement(raw)


def publish_year(session: Session, year: int, source: str, entry: dict[str, Any], *, by: str) -> None:
    """Store (or replace) ``year``'s arrangement in the caller's transaction.

    The manifest's calendar hash changes with it, so every terminal fetches the new calendar on its next
    sync; the caller recomputes the open deadlines (``sync.server.office.lifecycle.recompute_open``).
    """
    row = session.get(CalendarYear, year)
    data = json.dumps(entry, ensure_ascii=False, sort_keys=True)
    if row is None:
        session.add(CalendarYear(year=year, data=data, source=source, published_by=by))
    else:
        row.data, row.source, row.published_by = data, source, by
        row.published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    session.flush()
