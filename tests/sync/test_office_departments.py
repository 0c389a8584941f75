"""Departments on the real server under uvicorn: the office adds departments and binds department
accounts; assigns a registered postal application with a due date (refused after the reply's deadline),
reassigns it; the department sees only its cases, uploads a draft and a material, hands it back; the
office returns it once, then replies — the reply notice lists the department's material, the log shows
the approval and who held the case when; overdue and nearly-due lists per department."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from adminlogin import csrf_token, login
from synchelpers import ZONES, configure_office
from test_office_issued import pdf_text
from test_office_register import SCAN, form

from sync.server.db import sessions
from sync.server.feed.calendar import work_calendar
from sync.server.office import departments as dp
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case


def _register(c, token: str) -> str:
    r = c.post(
        "/admin/office/register",
        data=form(token, channel="post", received_on=lc.china_today().isoformat()),
        files={"scan": ("申请表.pdf", SCAN, "application/pdf")},
    )
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("/", 1)[1]


def test_assign_draft_return_approve_and_custody(server, tmp_path: Path) -> None:
    server.publish_lines(ZONES)
    configure_office(server.engine)
    office = login(server.url, server.engine, "wang.office", ("office",))
    token = csrf_token(office, "/admin/office/departments")
    for code, name in (("zhujian", "区住房和城乡建设局"), ("wanbao", "万宝镇人民政府")):
        r = office.post("/admin/office/departments", data={"csrf": token, "code": code, "name": name})
        assert r.status_code == 303
    zhang = login(server.url, server.engine, "zhang.zj", ("department",))
    li = login(server.url, server.engine, "li.wb", ("department",))
    for user, dept in (("zhang.zj", "zhujian"), ("li.wb", "wanbao")):
        r = office.post("/admin/office/departments/members", data={"csrf": token, "username": user, "department": dept})
        assert r.status_code == 303
    no, other = _register(office, token), _register(office, token)
    today = lc.china_today()
    with sessions(server.engine)() as s:
        due = s.get(Case, no).due  # type: ignore[union-attr]
    assert due is not None

    # assignment refused after the reply's deadline; then to 万宝镇, then reassigned to 区住建局
    r = office.post(
        f"/admin/office/cases/{no}/assign",
        data={"csrf": token, "department": "wanbao", "due": (due + dt.timedelta(days=1)).isoformat()},
    )
    assert r.status_code == 400 and "不能晚于答复期限" in r.text
    r = office.post(f"/admin/office/cases/{no}/assign", data={"csrf": token, "department": "wanbao", "due": str(due)})
    assert r.status_code == 303
    dept_due = today + dt.timedelta(days=7)
    r = office.post(
        f"/admin/office/cases/{no}/assign", data={"csrf": token, "department": "zhujian", "due": str(dept_due)}
    )
    assert r.status_code == 303
    r = office.post(
        f"/admin/office/cases/{other}/assign", data={"csrf": token, "department": "wanbao", "due": str(today)}
    )
    assert r.status_code == 303

    # each department sees its own; the 万宝镇 account still sees the case it held before, read-only
    zj_token = csrf_token(zhang, "/admin/dept")
    assert no in zhang.get("/admin/dept").text and other not in zhang.get("/admin/dept").text
    assert zhang.get(f"/admin/dept/cases/{other}").status_code == 404
    assert zhang.get(f"/admin/office/cases/{no}").status_code == 403  # not the office's console
    wb_page = li.get(f"/admin/dept/cases/{no}")
    assert wb_page.status_code == 200 and "报送答复草稿" not in wb_page.text
    assert "已不由本部门承办" in li.get("/admin/dept").text
    page = zhang.get(f"/admin/dept/cases/{no}").text
    assert "万宝镇2026年农村危房改造补助对象名单" in page and "11010519491231002X" not in page  # no ID number

    # handing back without a draft is refused; with one, it reaches the office
    r = zhang.post(f"/admin/dept/cases/{no}/submit", data={"csrf": zj_token}, follow_redirects=True)
    assert "请先上传答复草稿" in r.text
    for role, name in (("draft", "答复草稿.docx"), ("reply", "补助对象名单（已隐去身份证号）.pdf")):
        up = zhang.post(
            f"/admin/dept/cases/{no}/files", data={"csrf": zj_token, "role": role}, files={"file": (name, b"x" * 10)}
        )
        assert up.status_code == 303
    assert zhang.post(f"/admin/dept/cases/{no}/submit", data={"csrf": zj_token, "note": "请审核"}).status_code == 303
    # the office returns it once, the department hands it back again
    r = office.post(f"/admin/office/cases/{no}/return", data={"csrf": token, "reason": "请注明名单的形成时间"})
    assert r.status_code == 303
    assert "报送答复草稿" in zhang.get(f"/admin/dept/cases/{no}").text
    assert zhang.post(f"/admin/dept/cases/{no}/submit", data={"csrf": zj_token}).status_code == 303

    # the office approves by replying: the notice lists the department's material
    r = office.post(f"/admin/office/cases/{no}/step/reply", data={"csrf": token, "reply_type": "disclosed"})
    assert r.status_code == 303, r.text
    with sessions(server.engine)() as s:
        case = s.get(Case, no)
        assert case is not None
        actions = [(e.action, e.actor) for e in lc.events(s, no)]
        assert actions[1:] == [
            ("assign", "wang.office"),
            ("reassign", "wang.office"),
            ("dept_submit", "zhang.zj"),
            ("dept_return", "wang.office"),
            ("dept_submit", "zhang.zj"),
            ("approve_draft", "wang.office"),
            ("reply", "wang.office"),
            ("issue_notice", "wang.office"),
        ]
        held = [(h.holder, h.until is None) for h in dp.holders(s, case)]
        assert held == [
            ("政务公开办", False),
            ("万宝镇人民政府", False),
            ("区住房和城乡建设局", False),
            ("政务公开办", False),
            ("区住房和城乡建设局", False),
            ("政务公开办", True),
        ]
        # overdue and nearly due per department: the other case is due today at 万宝镇
        cal = work_calendar(s)
        lists = dp.due_lists(s, today, cal)
        assert [x.tracking_no for x in lists["wanbao"][1]] == [other] and lists["wanbao"][0] == []
        later = dp.due_lists(s, today + dt.timedelta(days=1), cal)
        assert [x.tracking_no for x in later["wanbao"][0]] == [other] and later["zhujian"] == ([], [])
    notice = office.get(f"/admin/office/cases/{no}/notice/reply.pdf").content
    flat = "".join(pdf_text(notice, tmp_path, "reply-department").split())
    assert "附件：1.补助对象名单（已隐去身份证号）.pdf" in flat and "答复草稿" not in flat
    page = office.get(f"/admin/office/cases/{no}").text
    assert "区住房和城乡建设局" in page and "审核通过承办部门草稿" in page
    overview = office.get("/admin/office/departments").text
    assert "万宝镇人民政府" in overview and other in overview
