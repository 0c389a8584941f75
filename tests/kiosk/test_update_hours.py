"""kiosk.update.hours: a zone's published opening hours read well enough to switch releases only when the
hall is closed (with margins); an unreadable text never allows a switch in the daytime."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.update.hours import BEIJING, is_open, parse

DEMO = "周一至周五 上午 8:30—12:00，下午 14:30—17:30（法定节假日除外）"


def bj(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 12, day, hh, mm, tzinfo=BEIJING)  # 2026-12-07 is a Monday


@pytest.mark.parametrize(
    ("when", "open_"),
    [
        (bj(7, 10), True),
        (bj(7, 8, 5), True),  # staff arrive before 8:30
        (bj(7, 7, 50), False),
        (bj(7, 13, 0), False),  # the lunch break is closed, with margins
        (bj(7, 12, 20), True),
        (bj(7, 18, 10), False),
        (bj(7, 23, 0), False),
        (bj(12, 10), False),  # Saturday
        (bj(13, 15), False),  # Sunday
    ],
)
def test_the_demo_zones_hours(when: datetime, open_: bool) -> None:
    assert is_open(DEMO, when) is open_


def test_days_and_ranges_are_read() -> None:
    days, ranges = parse(DEMO)
    assert days == {0, 1, 2, 3, 4} and len(ranges) == 2
    assert parse("每天 9:00-21:00")[0] == set(range(7))
    assert parse("周六 9:00至12:00")[0] == {5}
    assert is_open("22:00-02:00", bj(8, 1, 0))  # past midnight belongs to the day it began


def test_an_unreadable_text_is_open_all_day() -> None:
    assert is_open("", bj(7, 12)) and is_open("请电话咨询", bj(12, 20))
    assert not is_open("", bj(7, 23, 30)) and not is_open("", bj(7, 5))


def test_naive_times_are_beijing_time() -> None:
    assert is_open(DEMO, datetime(2026, 12, 7, 10, 0)) and not is_open(DEMO, datetime(2026, 12, 7, 20, 0))
