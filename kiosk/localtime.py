"""The terminal's local time, from its configured zone — never from the operating system's.

A terminal whose system clock runs in UTC (a fresh image, a container) must still show and print
the zone's time: the screen clock, the receipt and every time shown to a resident or staff member go
through here. The zone is ``terminal.timezone`` in the configuration (default ``Asia/Shanghai``), read
with :mod:`zoneinfo` from the system's zone database or, where there is none (Windows), the pinned
``tzdata`` package.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


class UnknownZone(ValueError):
    """The configured zone is not in the zone database."""


@lru_cache(maxsize=8)
def zone(name: str = DEFAULT_ZONE) -> tzinfo:
    """The zone called ``name`` (IANA name such as ``Asia/Shanghai``); :class:`UnknownZone` if unknown."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownZone(f"unknown time zone {name!r}") from exc


def now(zone_name: str = DEFAULT_ZONE) -> datetime:
    """The current time in the terminal's zone (aware)."""
    return datetime.now(UTC).astimezone(zone(zone_name))


def to_local(moment: datetime, zone_name: str = DEFAULT_ZONE) -> datetime:
    """``moment`` in the terminal's zone; a naive ``moment`` is taken as UTC (how the mirror stores times)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(zone_name))


def clock_text(moment: datetime) -> str:
    """``HH:MM`` of an aware local time, as the screen's clock shows it."""
    return f"{moment:%H:%M}"


def date_text(moment: datetime) -> str:
    """``2026年11月30日 星期一`` of an aware local time."""
    return f"{moment.year}年{moment.month}月{moment.day}日 {WEEKDAYS[moment.weekday()]}"


def display(moment: datetime, zone_name: str = DEFAULT_ZONE) -> str:
    """``2026-11-30 15:13`` in the terminal's zone, for times shown on screen (naive = UTC)."""
    return f"{to_local(moment, zone_name):%Y-%m-%d %H:%M}"


def deadline_text(day: date) -> str:
    """``2026年12月25日（星期五）前（含当日）``: a reply deadline as the screens, the receipt and the form
    all say it (the due day itself counts: Article 33, within 20 working days)."""
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）前（含当日）"


def deadline_text_iso(value: str) -> str:
    """:func:`deadline_text` of an ISO date at the start of ``value`` (what follows it, such as
    ``（暂定）``, is kept); ``value`` unchanged if it does not start with one."""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return deadline_text(day) + value[10:]
