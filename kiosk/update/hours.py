"""A zone's opening hours (the ``hours`` text the district publishes with each zone, e.g.
``周一至周五 上午 8:30—12:00，下午 14:30—17:30（法定节假日除外）``) read well enough to know when the hall is
closed, so a terminal switches to a new release only then.

The text gives time ranges (``8:30—12:00``, ``14:30-17:30``, ``9:00至17:00``) and, optionally, the days
(``周一至周五``, ``周六``, ``每天``); without days every day counts. A text with no time range at all is
read as open from 07:00 to 21:00 every day, so an unreadable text never lets a switch happen while the
hall may be open. Times are Beijing time; a margin of 30 minutes before opening and after closing counts
as open (staff arrive early, residents leave late).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
MARGIN = timedelta(minutes=30)
_RANGE = re.compile(r"(\d{1,2})[:：](\d{2})\s*[-—–~～至到]+\s*(\d{1,2})[:：](\d{2})")
_DAYS = "一二三四五六日天"
_DAY_RANGE = re.compile(r"周([一二三四五六日天])\s*[至到\-—~～]\s*周?([一二三四五六日天])")
_DAY_ONE = re.compile(r"周([一二三四五六日天])")
FALLBACK = [(time(7, 0), time(21, 0))]


def _day(ch: str) -> int:
    return min(_DAYS.index(ch), 6)  # 日 and 天 are Sunday (6)


def parse(text: str) -> tuple[set[int], list[tuple[time, time]]]:
    """(weekdays 0=Monday…, time ranges) of an opening-hours text; see the module docstring."""
    ranges = [(time(int(a) % 24, int(b) % 60), time(int(c) % 24, int(d) % 60)) for a, b, c, d in _RANGE.findall(text)]
    days: set[int] = set()
    for a, b in _DAY_RANGE.findall(text):
        lo, hi = _day(a), _day(b)
        days |= set(range(lo, hi + 1)) if lo <= hi else set(range(lo, 7)) | set(range(hi + 1))
    if not days:
        days = {_day(c) for c in _DAY_ONE.findall(text)}
    if not days or "每天" in text or "每日" in text:
        days = set(range(7))
    return days, ranges or FALLBACK


def is_open(text: str, now: datetime) -> bool:
    """Whether the hall may be open at ``now`` (aware, or naive Beijing time), margins included."""
    local = now.astimezone(BEIJING).replace(tzinfo=None) if now.tzinfo else now
    days, ranges = parse(text)
    for start, end in ranges:
        for offset in (0, -1):  # a range past midnight belongs to the day it began
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in days:
                continue
            begin = datetime.combine(day, start) - MARGIN
            finish = datetime.combine(day, end) + MARGIN
            if end <= start:
                finish += timedelta(days=1)
            if begin <= local < finish:
                return True
    return False
