"""The working-day calendar the server publishes: official holidays and make-up working days (调休上班)
per year, from the ``chinese_calendar`` package for the years it knows.

Terminals count reply deadlines (20 working days, 政府信息公开条例 Article 33) with it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import chinese_calendar


def year_entry(year: int) -> dict[str, list[str]] | None:
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


def build_payload(years: range | None = None) -> dict[str, Any]:
    """The signed calendar's payload: ``{"kind": "calendar", "years": {"2026": {...}}, "source": …}``."""
    today = dt.date.today()
    years = years or range(today.year - 2, today.year + 2)
    out: dict[str, Any] = {}
    for y in years:
        entry = year_entry(y)
        if entry is not None:
            out[str(y)] = entry
    return {"kind": "calendar", "years": out, "source": "国务院办公厅节假日安排 (chinese_calendar)"}


def add_working_days(start: dt.date, n: int, years: dict[str, Any]) -> dt.date:
    """The date ``n`` working days after ``start`` under the calendar ``years`` (weekends off by default)."""
    holidays = {d for y in years.values() for d in y.get("holidays", [])}
    workdays = {d for y in years.values() for d in y.get("workdays", [])}
    day = start
    while n > 0:
        day += dt.timedelta(days=1)
        iso = day.isoformat()
        if iso in workdays or (day.weekday() < 5 and iso not in holidays):
            n -= 1
    return day
