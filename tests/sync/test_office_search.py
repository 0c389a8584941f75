"""The case list finds by tracking number, name and telephone, filters by department, and pages (50 a page),
on the real server: 55 registered applications."""

from __future__ import annotations

import re

from adminlogin import login
from synchelpers import ZONES
from test_office_register import CITIZEN

from sync.server.db import sessions
from sync.server.office import departments, register
from sync.server.office import lifecycle as lc
from sync.server.office.models import DataView


def numbers(html: str) -> list[str]:
    return re.findall(r"href='/admin/office/cases/([A-Z0-9-]+)'", html)


def test_search_filter_and_pages(server) -> None:
    server.publish_lines(ZONES)
    today = lc.china_today()
    app = {
        "applicant": {k: v for k, v in CITIZEN.items() if k not in ("description", "media", "delivery")},
        "request": {"description": CITIZEN["description"]},
    }
    other = {**app, "applicant": {**app["applicant"], "name": "王五", "phone": "0738-8123456-806"}}
    with sessions(server.engine)() as s, s.begin():
        for i in range(55):
            reg = register.Registration("counter", "district", today, other if i >= 50 else app, "表.pdf", "", b"%")
            register.register(s, reg, actor="wang.office", today=today)
        departments.add_department(s, "zhujian", "区住房和城乡建设局")
    with sessions(server.engine)() as s, s.begin():
        departments.assign(s, f"QZ0C-{today:%Y%m%d}-0007", "zhujian", today, "wang.office", today, today)
    c = login(server.url, server.engine, "wang.office", ("office",))
    first = c.get("/admin/office/cases").text
    assert len(numbers(first)) == 50 and "第 1/2 页" in first and "下一页" in first
    second = c.get("/admin/office/cases", params={"page_no": 2}).text
    assert len(numbers(second)) == 5 and not set(numbers(first)) & set(numbers(second))
    assert len(numbers(c.get("/admin/office/cases", params={"q": "王五"}).text)) == 5
    assert len(numbers(c.get("/admin/office/cases", params={"q": "3456 806"}).text)) == 5  # spaces forgiven
    assert numbers(c.get("/admin/office/cases", params={"q": "-0053"}).text) == [f"QZ0C-{today:%Y%m%d}-0053"]
    assert numbers(c.get("/admin/office/cases", params={"dept": "zhujian"}).text) == [f"QZ0C-{today:%Y%m%d}-0007"]
    assert numbers(c.get("/admin/office/cases", params={"q": "123"}).text) == []  # too few digits for a phone
    with sessions(server.engine)() as s:
        assert s.query(DataView).filter(DataView.what == "search").count() == 4  # each search by q is logged
