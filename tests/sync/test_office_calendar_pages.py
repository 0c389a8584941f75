"""The holiday arrangement published from the console's form (no JSON): the 2027 arrangement of
tests/sync/data typed into the form is published exactly as the command publishes the file; a wrong
form is refused with every problem in Chinese and comes back as typed."""

from __future__ import annotations

import json
from pathlib import Path

from adminlogin import csrf_token, login

from sync.server.db import sessions
from sync.server.feed import calendar as cal
from sync.server.office.calendar_routes import HOLIDAYS

ARRANGEMENT = Path(__file__).parent / "data" / "arrangement-2027.json"


def test_publish_a_year_from_the_form(server) -> None:
    raw = json.loads(ARRANGEMENT.read_text(encoding="utf-8"))
    c = login(server.url, server.engine, "wang.office", ("office",))
    token = csrf_token(c, "/admin/office/calendar")
    page = c.get("/admin/office/calendar").text
    assert "JSON" not in page and "调休上班日" in page and "(chinese_calendar)" not in page
    data = {"csrf": token, "year": str(raw["year"]), "source": raw["source"]}
    for p in raw["holidays"]:
        i = HOLIDAYS.index(p["name"])
        data[f"from_{i}"], data[f"to_{i}"] = p["from"], p["to"]
    bad = {**data, "workday_0": "2027-03-03"}  # a Wednesday is not a make-up working day
    r = c.post("/admin/office/calendar", data=bad)
    assert r.status_code == 400 and "未发布" in r.text and "2027-03-03" in r.text
    assert f"value='{raw['source']}'" in r.text  # the form comes back as typed
    for i, day in enumerate(raw["workdays"]):
        data[f"workday_{i}"] = day
    r = c.post("/admin/office/calendar", data=data)
    assert r.status_code == 200 and "已发布 2027 年节假日安排" in r.text
    with sessions(server.engine)() as s:
        payload = cal.build_payload(s)
    _year, _source, expected = cal.parse_arrangement(raw)
    assert payload["years"]["2027"]["holidays"] == expected["holidays"]
    assert payload["years"]["2027"]["workdays"] == expected["workdays"]
