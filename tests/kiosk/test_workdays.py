"""Working-day deadlines (Article 33) across Spring Festival and National Day, with make-up working days;
the server-published calendar over the packaged one; weekends-only with a warning where neither knows."""

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


def test_year_nobody_knows_falls_back_to_weekends_with_a_warning() -> None:
    d = reply_deadline(date(2027, 9, 24), WorkCalendar())
    assert d.source == "weekends"
    assert d.provisional_years == (2027,)
    # 10/1–10/3 are fixed statutory days; 10/1 (Fri) is the only weekday among them in 2027
    assert d.due == weekdays_after(date(2027, 9, 24), 21)
    assert "2027年节假日安排尚未公布" in d.explanation


def test_without_the_package_every_year_is_provisional() -> None:
    d = reply_deadline(date(2025, 9, 26), WorkCalendar(use_package=False))
    assert d.source == "weekends"
    assert "以工作人员告知为准" in d.explanation


def test_the_synced_calendar_is_read_from_the_terminal_database(session: Session) -> None:
    from kiosk.calendar_store import save_calendar
    from kiosk.workdays import load_calendar

    assert reply_deadline(date(2026, 11, 27), load_calendar(session)).source == "package"  # nothing synced yet
    save_calendar(session, {"2026": {"holidays": ["2026-12-01", "2026-12-02", "2026-12-03"], "workdays": []}})
    session.commit()
    d = reply_deadline(date(2026, 11, 27), load_calendar(session))
    assert d.source == "server"
    assert d.due == date(2026, 12, 30)  # three weekdays off, no make-up day
