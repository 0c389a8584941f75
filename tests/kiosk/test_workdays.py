"""Working-day deadlines (Article 33) across Spring Festival and National Day, with make-up working days;
the server-published calendar over the packaged one; the statutory rule (provisional) where neither knows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from kiosk.workdays import WorkCalendar, extended_deadline, reply_deadline


def weekdays_after(start: date, n: int) -> date:
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        counted += day.weekday() < 5
    return day


# Due dates counted by hand on the State Council's published arrangements:
# 2025 春节 1/28–2/4 off, 1/26 (Sun) and 2/8 (Sat) worked; 2025 国庆·中秋 10/1–10/8 off, 9/28 and 10/11 worked;
# 2026 春节 2/15–2/23 off, 2/14 (Sat) and 2/28 (Sat) worked.
@pytest.mark.parametrize(
    ("received", "due", "holiday", "makeup"),
    [
        (date(2025, 1, 24), date(2025, 2, 27), "春节假期8天", 2),
        (date(2025, 9, 26), date(2025, 10, 30), "国庆节、中秋节假期8天", 2),
        (date(2026, 2, 13), date(2026, 3, 19), "春节假期9天", 2),
    ],
)
def test_deadline_across_holidays_with_makeup_days(received: date, due: date, holiday: str, makeup: int) -> None:
    d = reply_deadline(received, WorkCalendar())
    assert d.due == due
    assert d.start == received + timedelta(days=1)
    assert d.source == "package"
    assert len(d.makeup_days) == makeup
    assert all(m.weekday() >= 5 for m in d.makeup_days)
    assert f"已扣除{holiday}" in d.explanation
    assert f"含调休上班日{makeup}天" in d.explanation
    assert d.explanation.startswith(f"自受理次日（{d.start.year}年{d.start.month}月{d.start.day}日）起计20个工作日")
    # the holidays really moved the date: weekends alone would give another one
    assert weekdays_after(received, 20) != due


def test_quiet_period_is_twenty_weekdays() -> None:
    d = reply_deadline(date(2026, 11, 27), WorkCalendar())
    assert d.due == weekdays_after(date(2026, 11, 27), 20) == date(2026, 12, 25)
    assert "期间无法定节假日" in d.explanation


def test_extension_adds_twenty_working_days_after_the_deadline() -> None:
    cal = WorkCalendar()
    first = reply_deadline(date(2026, 2, 13), cal)
    ext = extended_deadline(first.due, cal)
    # 2026-03-20 … 清明 4/4–4/6 off (4/6 a Monday): 20 working days end on 2026-04-17
    assert ext.due == date(2026, 4, 17)
    assert "清明节假期3天" in ext.explanation
    assert ext.explanation.startswith("经延长，自原答复期限（2026年3月19日）次日起计20个工作日")


def test_server_calendar_wins_over_the_package() -> None:
    # A published 2026 where the district declared 2026-12-01 … 12-03 days off and Sat 12-05 worked.
    published = {
        "2026": {
            "holidays": ["2026-12-01", "2026-12-02", "2026-12-03"],
            "workdays": ["2026-12-05"],
            "names": {"2026-12-01": "地方节日"},
        }
    }
    d = reply_deadline(date(2026, 11, 27), WorkCalendar(published))
    assert d.source == "server"
    # 3 weekdays lost, 1 Saturday gained: two weekdays later than the plain count
    assert d.due == date(2026, 12, 29)
    assert "地方节日假期3天" in d.explanation
    assert "含调休上班日1天" in d.explanation


def test_year_nobody_knows_counts_every_statutory_holiday_provisionally() -> None:
    d = reply_deadline(date(2027, 9, 24), WorkCalendar())
    assert d.source == "statutory"
    assert d.provisional_years == (2027,)
    # 国庆 10/1 (Fri)–10/3 (Sun) with two days made up (Article 6 补假) on Mon 10/4 and Tue 10/5
    assert d.due == weekdays_after(date(2027, 9, 24), 23)
    assert "2027年节假日安排尚未公布，此日期为暂定" in d.explanation
    assert "全国年节及纪念日放假办法" in d.explanation
    assert "国庆节假期5天" in d.explanation


@pytest.mark.parametrize(
    ("year", "spring", "dragon", "mid_autumn", "qingming"),
    [
        # lunar dates as the State Council's own arrangements placed them
        (2024, "2024-02-09", "2024-06-10", "2024-09-17", "2024-04-04"),
        (2025, "2025-01-28", "2025-05-31", "2025-10-06", "2025-04-04"),
        (2026, "2026-02-16", "2026-06-19", "2026-09-25", "2026-04-05"),
        (2027, "2027-02-05", "2027-06-09", "2027-09-15", "2027-04-05"),
        (2028, "2028-01-25", "2028-05-28", "2028-10-03", "2028-04-04"),
    ],
)
def test_statutory_holidays_follow_the_lunar_calendar(
    year: int, spring: str, dragon: str, mid_autumn: str, qingming: str
) -> None:
    from kiosk.workdays import statutory_holidays

    days = statutory_holidays(year)
    by_name: dict[str, list[date]] = {}
    for name, d in days:
        by_name.setdefault(name, []).append(d)
    eve = date.fromisoformat(spring)
    assert by_name["春节"] == [eve + timedelta(days=i) for i in range(4)]  # 除夕 to 初三
    assert by_name["端午节"] == [date.fromisoformat(dragon)]
    assert by_name["中秋节"] == [date.fromisoformat(mid_autumn)]
    assert by_name["清明节"] == [date.fromisoformat(qingming)]
    assert by_name["元旦"] == [date(year, 1, 1)]
    assert by_name["劳动节"] == [date(year, 5, 1), date(year, 5, 2)]
    assert by_name["国庆节"] == [date(year, 10, d) for d in (1, 2, 3)]
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3 days, 2025 revision


def test_make_up_days_for_statutory_days_on_weekends_and_double_holidays() -> None:
    from kiosk.workdays import statutory_days_off

    off = statutory_days_off(2028)
    # 元旦 2028 is a Saturday: made up on Monday 1/3 (Sunday 1/2 inside the period)
    assert [d for d in off if d.month == 1 and d.day < 5] == [date(2028, 1, d) for d in (1, 2, 3)]
    # 国庆 10/1 (Sun)–10/3 with 中秋 also on 10/3: two days owed, made up on 10/4 and 10/5
    assert [d for d in off if d.month == 10] == [date(2028, 10, d) for d in range(1, 6)]
    # the net working days lost by the rule equal the statutory days (13), as under any 调休 arrangement
    for year in (2027, 2028, 2029, 2030):
        off = statutory_days_off(year)
        assert sum(1 for d in off if d.weekday() < 5) == 13, year


def test_without_the_package_every_year_is_provisional() -> None:
    d = reply_deadline(date(2025, 9, 26), WorkCalendar(use_package=False))
    assert d.source == "statutory"
    assert "公布后以正式安排为准" in d.explanation


def test_the_synced_calendar_is_read_from_the_terminal_database(session: Session) -> None:
    from kiosk.calendar_store import save_calendar
    from kiosk.workdays import load_calendar

    assert reply_deadline(date(2026, 11, 27), load_calendar(session)).source == "package"  # nothing synced yet
    save_calendar(session, {"2026": {"holidays": ["2026-12-01", "2026-12-02", "2026-12-03"], "workdays": []}})
    session.commit()
    d = reply_deadline(date(2026, 11, 27), load_calendar(session))
    assert d.source == "server"
    assert d.due == date(2026, 12, 30)  # three weekdays off, no make-up day
