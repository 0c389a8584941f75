"""Working days (工作日) on the Chinese calendar, and the reply deadline of an application (Article 33).

A reply is due within 20 working days of receipt (自收到申请之日起20个工作日内), extendable by at most
20 more. The count starts on the day after receipt; official holidays (法定节假日, including the weekend
days inside a holiday period) do not count, and make-up working days (调休上班日, a Saturday or Sunday
declared a working day) do.

Where the calendar comes from, best first (:func:`load_calendar`):

1. ``server``   — the calendar the district server publishes, synced to the terminal, in the shape
                  :data:`CalendarData`: ``{year: {"holidays": [iso dates], "workdays": [iso dates]}}``
                  (``holidays``: every day off of each holiday period; ``workdays``: the make-up days).
                  Year keys may be int or str (JSON). Optional ``"names": {iso date: "国庆节"}``.
2. ``package``  — the ``chinese_calendar`` package bundled with the terminal (offline fallback; it
                  knows the years up to its release).
3. ``statutory`` — neither knows the year (the State Council publishes a year's arrangement only in
                  the autumn before it): every statutory holiday of the 全国年节及纪念日放假办法 as revised
                  in 2024 (in force 2025), :func:`statutory_holidays` — 元旦 1 day, 春节 4 days (除夕 to
                  初三), 清明 1, 劳动节 2 (1–2 May), 端午 1, 中秋 1, 国庆 3 (1–3 October); the lunar
                  dates and the 清明 solar term from the ``lunar_python`` library — plus Article 6's
                  补假: a statutory day on a Saturday or Sunday (or two holidays on one day) is made up on
                  the next working day. The State Council's 调休 (weekend days swapped to make longer
                  breaks) cannot be foreseen, but it moves no working days in or out of a holiday period
                  as a whole, so the provisional date is usually the final one. The explanation says
                  which years were counted this way and that the date is provisional.

The sources combine per year: a year the server published is taken from it, one it did not from the
package, and one neither knows from the statutory rule; the deadline's ``source`` is the weakest one used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

REPLY_WORKING_DAYS = 20  # Article 33, paragraph 2
EXTENSION_WORKING_DAYS = 20

# {year: {"holidays": [iso dates], "workdays": [iso dates], "names": {iso: name}}}
CalendarData = Mapping[int | str, Mapping[str, Any]]

SOURCES = ("server", "package", "statutory")  # best first
RULE_NAME = "《全国年节及纪念日放假办法》（2025年施行）"

_PACKAGE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利纪念日",
}


@dataclass(frozen=True)
class YearCalendar:
    """One year's days off and make-up working days, and where they came from."""

    year: int
    source: str  # server | package | statutory
    holidays: frozenset[date]
    workdays: frozenset[date]
    names: Mapping[date, str] = field(default_factory=dict)


class WorkCalendar:
    """Answers "is this a working day?" for any date, year by year from the best source that has it."""

    def __init__(self, published: CalendarData | None = None, *, use_package: bool = True) -> None:
        self._published: dict[int, Mapping[str, Any]] = {}
        for key, value in (published or {}).items():
            self._published[int(key)] = value
        # A year's arrangement may reach into the next or the last one (元旦 from 31 December): each date
        # is filed under its own year, and that year counts as published only if its own entry is.
        self._spill: dict[int, dict[str, set[date]]] = {}
        self._spill_names: dict[date, str] = {}
        for value in self._published.values():
            for part in ("holidays", "workdays"):
                for d in _dates(value.get(part, ())):
                    self._spill.setdefault(d.year, {"holidays": set(), "workdays": set()})[part].add(d)
            for k, v in (value.get("names") or {}).items():
                self._spill_names[date.fromisoformat(str(k))] = str(v)
        self._use_package = use_package
        self._years: dict[int, YearCalendar] = {}

    def year(self, year: int) -> YearCalendar:
        """The calendar of ``year`` from the best source that knows it."""
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._load_year(year)
        return cached

    def is_workday(self, day: date) -> bool:
        y = self.year(day.year)
        if day in y.workdays:
            return True
        if day in y.holidays:
            return False
        return day.weekday() < 5

    def holiday_name(self, day: date) -> str:
        return self.year(day.year).names.get(day, "节假日")

    def _load_year(self, year: int) -> YearCalendar:
        if year in self._published:
            spill = self._spill.get(year, {"holidays": set(), "workdays": set()})
            holidays = frozenset(spill["holidays"])
            names = {d: n for d, n in self._spill_names.items() if d in holidays}
            for d in holidays:
                names.setdefault(d, _package_name(d) or _guess_name(d))
            return YearCalendar(year, "server", holidays, frozenset(spill["workdays"]), names)
        if self._use_package:
            from_package = _package_year(year)
            if from_package is not None:
                return from_package
        days_off = statutory_days_off(year)
        return YearCalendar(year, "statutory", frozenset(days_off), frozenset(), days_off)


def statutory_holidays(year: int) -> list[tuple[str, date]]:
    """The statutory holiday days (全体公民放假的节日) of ``year`` by the 2025 放假办法, Article 2.

    Lunar dates (除夕 to 初三, 端午 五月初五, 中秋 八月十五) and 清明 (the solar term's day) are computed by
    ``lunar_python``. A day may appear twice when two holidays fall on it (中秋 on 1 October).
    """
    from lunar_python import Lunar, Solar

    def lunar(month: int, day: int) -> date:
        s = Lunar.fromYmd(year, month, day).getSolar()
        return date(s.getYear(), s.getMonth(), s.getDay())

    new_year = lunar(1, 1)
    spring = [new_year - timedelta(days=1)] + [new_year + timedelta(days=i) for i in range(3)]
    qm = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    days: list[tuple[str, date]] = [("元旦", date(year, 1, 1))]
    days += [("春节", d) for d in spring]
    days.append(("清明节", date(qm.getYear(), qm.getMonth(), qm.getDay())))
    days += [("劳动节", date(year, 5, 1)), ("劳动节", date(year, 5, 2))]
    days.append(("端午节", lunar(5, 5)))
    days.append(("中秋节", lunar(8, 15)))
    days += [("国庆节", date(year, 10, d)) for d in (1, 2, 3)]
    return sorted(days, key=lambda x: x[1])


def statutory_days_off(year: int) -> dict[date, str]:
    """Every day off of ``year`` by the 放假办法 alone: statutory days plus Article 6's 补假.

    A statutory day on a Saturday or Sunday, or a second holiday on the same day, is made up on the first
    working day after its holiday period; the weekend days between form part of the period.
    """
    days = statutory_holidays(year)
    off: dict[date, str] = {}
    owed: dict[date, tuple[str, int]] = {}  # last day of a period -> (name, days to make up)
    for name, d in days:
        if d in off or d.weekday() >= 5:
            owed_name, n = owed.get(d, (name, 0))
            owed[d] = (owed_name, n + 1)
        off.setdefault(d, name)
    # Group into periods (consecutive days, weekends between joined) and make up what each owes.
    for d in sorted(owed):
        name, n = owed.pop(d)
        end = d
        while end + timedelta(days=1) in off:
            end += timedelta(days=1)
        day = end
        while n > 0:
            day += timedelta(days=1)
            if day.year != year:
                break
            if day in off:
                continue
            off[day] = off.get(end, name)
            if day.weekday() < 5:
                n -= 1
    return dict(sorted(off.items()))


def _dates(values: Iterable[Any]) -> Iterable[date]:
    for v in values:
        yield v if isinstance(v, date) else date.fromisoformat(str(v))


def _package_year(year: int) -> YearCalendar | None:
    try:
        from chinese_calendar import constants
    except ImportError:  # pragma: no cover - the package is a pinned dependency
        return None
    holidays = {d: _PACKAGE_NAMES.get(str(v), str(v)) for d, v in constants.holidays.items() if d.year == year}
    workdays = frozenset(d for d in constants.workdays if d.year == year)
    if not holidays:  # the package's data does not reach this year
        return None
    return YearCalendar(year, "package", frozenset(holidays), workdays, holidays)


def _package_name(day: date) -> str | None:
    try:
        from chinese_calendar import constants
    except ImportError:  # pragma: no cover
        return None
    value = constants.holidays.get(day)
    return _PACKAGE_NAMES.get(str(value), str(value)) if value is not None else None


def _guess_name(day: date) -> str:
    """A holiday's likely name from its month, for a published calendar that carries no names."""
    return {1: "元旦", 4: "清明节", 5: "劳动节", 6: "端午节", 10: "国庆节"}.get(day.month) or (
        "春节" if day.month in (2, 3) else "节假日"
    )


@dataclass(frozen=True)
class Deadline:
    """A date counted in working days, with the facts the receipt explains it by."""

    start: date  # the first day counted (the day after receipt or after the previous deadline)
    due: date  # the last working day of the period
    working_days: int
    holidays: tuple[tuple[str, int], ...]  # (holiday name(s), days off inside the period), in order
    makeup_days: tuple[date, ...]  # make-up working days counted
    source: str  # server | package | statutory (the weakest source used)
    provisional_years: tuple[int, ...]  # years counted by the statutory rule (arrangement unpublished)
    explanation: str


def count_working_days(start_after: date, working_days: int, calendar: WorkCalendar, *, lead: str) -> Deadline:
    """The ``working_days``-th working day after ``start_after`` (which itself does not count)."""
    if working_days < 1:
        raise ValueError("working_days must be at least 1")
    start = start_after + timedelta(days=1)
    day = start_after
    counted = 0
    makeup: list[date] = []
    off_days: list[date] = []
    while counted < working_days:
        day += timedelta(days=1)
        y = calendar.year(day.year)
        if calendar.is_workday(day):
            counted += 1
            if day.weekday() >= 5:
                makeup.append(day)
        elif day in y.holidays:
            off_days.append(day)
    years = set(range(start.year, day.year + 1))
    sources = {calendar.year(y).source for y in years}
    source = max(sources, key=SOURCES.index)
    provisional = tuple(sorted(y for y in years if calendar.year(y).source == "statutory"))
    runs = _holiday_runs(off_days, calendar)
    text = _explain(lead, working_days, runs, makeup, provisional)
    return Deadline(start, day, working_days, runs, tuple(makeup), source, provisional, text)


def _holiday_runs(off_days: list[date], calendar: WorkCalendar) -> tuple[tuple[str, int], ...]:
    """Consecutive days off grouped into holiday periods, each named by its holidays (国庆节、中秋节)."""
    runs: list[tuple[list[str], int]] = []
    previous: date | None = None
    for d in off_days:
        name = calendar.holiday_name(d)
        if previous is not None and (d - previous).days == 1 and runs:
            names, n = runs[-1]
            if name not in names:
                names.append(name)
            runs[-1] = (names, n + 1)
        else:
            runs.append(([name], 1))
        previous = d
    named = [([x for x in names if x != "节假日"] or names, n) for names, n in runs]
    return tuple(("、".join(names), n) for names, n in named)


def _explain(
    lead: str, working_days: int, runs: tuple[tuple[str, int], ...], makeup: list[date], provisional: tuple[int, ...]
) -> str:
    parts = [f"{lead}起计{working_days}个工作日"]
    if runs:
        parts.append("已扣除" + "、".join(f"{name}假期{n}天" for name, n in runs))
    if makeup:
        parts.append(f"含调休上班日{len(makeup)}天")
    if not runs and not makeup:
        parts.append("期间无法定节假日")
    text = "，".join(parts)
    if provisional:
        years = "、".join(f"{y}年" for y in provisional)
        text += (
            f"。{years}节假日安排尚未公布，此日期为暂定：按{RULE_NAME}规定的法定节日（春节等农历节日按农历推算）"
            "及周末补假计算，公布后以正式安排为准"
        )
    return text


def reply_deadline(received: date, calendar: WorkCalendar) -> Deadline:
    """The reply deadline of an application received on ``received`` (Article 33: 20 working days)."""
    lead = f"自受理次日（{_cn_date(received + timedelta(days=1))}）"
    return count_working_days(received, REPLY_WORKING_DAYS, calendar, lead=lead)


def extended_deadline(deadline: date, calendar: WorkCalendar) -> Deadline:
    """The deadline if extended (延长答复期限): 20 more working days after the original ``deadline``."""
    lead = f"经延长，自原答复期限（{_cn_date(deadline)}）次日"
    return count_working_days(deadline, EXTENSION_WORKING_DAYS, calendar, lead=lead)


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def load_calendar(session: Any = None) -> WorkCalendar:
    """The terminal's calendar: the server-published one when synced, else the packaged one.

    The synced calendar is read with ``kiosk.calendar_store.load_calendar(session)`` (the sync side
    stores it there) when a session is given; every year it lacks falls back as the module docstring
    says.
    """
    from kiosk import calendar_store

    stored = calendar_store.load_calendar(session) if session is not None else None
    published: CalendarData | None = None
    if stored is not None:
        published = {year: days for year, days in stored.items()}  # a copy typed as CalendarData
    return WorkCalendar(published)
