"""The figures of the 政府信息公开工作年度报告 for a calendar year, in the tables of the State Council office's
format (《中华人民共和国政府信息公开工作年度报告格式》, 国办公开办函〔2021〕30号):

二、主动公开政府信息情况 — 第二十条第（一）项: 规章 and 行政规范性文件, each 本年制发件数 / 本年废止件数 /
    现行有效件数, counted from what the district published (the categories that mean 规章 and 行政规范性文件
    are the office's setting ``report.categories``); 第（五）（六）（八）项 (行政许可, 行政处罚, 行政强制 decisions
    and 行政事业性收费 in 万元) are not in this system: the office types them in (``report.manual.YEAR``).
三、收到和处理政府信息公开申请情况 — fixed rows (:data:`ROWS`) by fixed columns (:data:`COLUMNS`: 自然人; 法人或
    其他组织 as 商业企业 / 科研机构 / 社会公益组织 / 法律服务机构 / 其他; 总计), with the format's check:
    一 + 二 = 三(七) + 四.
四、政府信息公开行政复议、行政诉讼情况 — 行政复议 and 行政诉讼 (未经复议直接起诉, 复议后起诉), each 结果维持 /
    结果纠正 / 其他结果 / 尚未审结 / 总计 (:mod:`reviews`).

What the tables need is on the case: the applicant's class (``Case.applicant_class``, chosen at the reply;
by default 自然人 for a citizen and 其他 for an organisation) and the result row (``Case.report_row``,
chosen at the reply where the reply type allows several, e.g. 不予公开 → 国家秘密 / 第三方合法权益 / …);
applications that ended without a reply count under 其他处理 (补正逾期 6.1, 缴费逾期 6.2, withdrawn 6.3).

A case counts in 一 if received in the year; in 二 if received before it and not concluded before it; in
三 if concluded in the year (replied, lapsed or withdrawn); in 四 if received by the year's end and not
concluded by then. A 复议 or suit counts in the year it was filed; its outcome is the one known at the
year's end (decided later: 尚未审结).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.server.db import FeedDoc, meta_get, meta_set
from sync.server.errors import StepRefused
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case
from sync.server.office.notices import application_of
from sync.server.office.reviews import CaseReview

COLUMNS = {
    "natural": "自然人",
    "business": "商业企业",
    "research": "科研机构",
    "nonprofit": "社会公益组织",
    "legal": "法律服务机构",
    "other_org": "其他",
}
ORG_CLASSES = ("business", "research", "nonprofit", "legal", "other_org")

# 三、本年度办理结果: (code, label); sub-rows are "N.M"
RESULT_ROWS: list[tuple[str, str]] = [
    ("1", "（一）予以公开"),
    ("2", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("3", "（三）不予公开"),
    ("3.1", "1.属于国家秘密"),
    ("3.2", "2.其他法律行政法规禁止公开"),
    ("3.3", "3.危及“三安全一稳定”"),
    ("3.4", "4.保护第三方合法权益"),
    ("3.5", "5.属于三类内部事务信息"),
    ("3.6", "6.属于四类过程性信息"),
    ("3.7", "7.属于行政执法案卷"),
    ("3.8", "8.属于行政查询事项"),
    ("4", "（四）无法提供"),
    ("4.1", "1.本机关不掌握相关政府信息"),
    ("4.2", "2.没有现成信息需要另行制作"),
    ("4.3", "3.补正后申请内容仍不明确"),
    ("5", "（五）不予处理"),
    ("5.1", "1.信访举报投诉类申请"),
    ("5.2", "2.重复申请"),
    ("5.3", "3.要求提供公开出版物"),
    ("5.4", "4.无正当理由大量反复申请"),
    ("5.5", "5.要求行政机关确认或重新出具已获取信息"),
    ("6", "（六）其他处理"),
    ("6.1", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("6.2", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("6.3", "3.其他"),
    ("7", "（七）总计"),
]
LEAVES = [code for code, _ in RESULT_ROWS if "." in code or code in ("1", "2")]

# which result rows each reply type may be reported under (the first is the default when only one)
ROWS_OF_REPLY: dict[str, tuple[str, ...]] = {
    "already_public": ("1",),
    "disclosed": ("1",),
    "partly_disclosed": ("2",),
    "withheld": ("3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8"),
    "not_exist": ("4.1", "4.2", "4.3"),
    "not_ours": ("4.1",),
    "repeated": ("5.2",),
    "not_application": ("5.1", "5.3", "5.5"),
    "excessive": ("5.4",),
    "special_law": ("6.3",),
}
ROW_LABELS = dict(RESULT_ROWS)


def classify(session: Session, case: Case, reply_type: str, applicant_class: str, report_row: str) -> tuple[str, str]:
    """The (applicant class, result row) a reply is reported under; StepRefused when a choice is needed
    or does not fit the reply type."""
    kind = str((application_of(session, case.tracking_no).get("applicant") or {}).get("kind") or "citizen")
    cls = applicant_class or ("natural" if kind == "citizen" else "other_org")
    if cls not in COLUMNS:
        raise StepRefused("申请人类别应为：" + "、".join(COLUMNS.values()))
    if (kind == "citizen") != (cls == "natural"):
        raise StepRefused(
            "公民申请人类别为自然人；法人或者其他组织请选择商业企业、科研机构、社会公益组织、法律服务机构或其他"
        )
    allowed = ROWS_OF_REPLY.get(reply_type, ())
    row = report_row or (allowed[0] if len(allowed) == 1 else "")
    if row not in allowed:
        options = "、".join(ROW_LABELS[r] for r in allowed)
        raise StepRefused(f"请选择年度报告中的办理结果：{options}")
    return cls, row


def _check_reply(session: Session, case: Case, reply_type: str, step: lc.Step) -> None:
    cls, row = classify(session, case, reply_type, step.field("applicant_class"), step.field("report_row"))
    step.fields = {**(step.fields or {}), "applicant_class": cls, "report_row": row}


lc.REPLY_CHECKS.append(_check_reply)


def _default_class(session: Session, case: Case) -> str:
    if case.applicant_class:
        return case.applicant_class
    kind = (application_of(session, case.tracking_no).get("applicant") or {}).get("kind")
    return "natural" if kind in (None, "citizen") else "other_org"


def _ended(session: Session, case: Case) -> tuple[dt.date, str] | None:
    """(the day the case was concluded, its result row), or None while it is open."""
    if case.replied_on is not None:
        return case.replied_on, case.report_row or ROWS_OF_REPLY.get(case.reply_type or "", ("6.3",))[0]
    for ev in reversed(lc.events(session, case.tracking_no)):
        if ev.action == "correction_lapsed":
            return ev.on, "6.1"
        if ev.action == "fee_lapsed":
            return ev.on, "6.2"
        if ev.action == "withdraw":
            return ev.on, "6.3"
    return None


@dataclass
class Report:
    year: int
    agency: str
    table2: dict[str, list[Any]] = field(default_factory=dict)  # row -> cells
    manual: dict[str, str] = field(default_factory=dict)
    table3: dict[str, dict[str, int]] = field(default_factory=dict)  # row key -> column -> n
    table4: dict[str, dict[str, int]] = field(default_factory=dict)  # review|direct|after -> outcome -> n


def applications(session: Session, year: int) -> dict[str, dict[str, int]]:
    """Table 三: ``{row: {column: n, "total": n}}`` for rows new, carried, every result row, 7, next."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    keys = ["new", "carried", *[c for c, _ in RESULT_ROWS], "next"]
    t = {k: dict.fromkeys([*COLUMNS, "total"], 0) for k in keys}

    def add(row: str, col: str) -> None:
        t[row][col] += 1
        t[row]["total"] += 1

    for case in session.scalars(select(Case).where(Case.received_on <= last).order_by(Case.tracking_no)):
        ended = _ended(session, case)
        if ended is not None and ended[0] < first:
            continue  # concluded before the year
        col = _default_class(session, case)
        add("new" if case.received_on >= first else "carried", col)
        if ended is not None and ended[0] <= last:
            row = ended[1]
            add(row, col)
            if "." in row:
                add(row.split(".")[0], col)
            add("7", col)
        else:
            add("next", col)
    return t


def reviews(session: Session, year: int) -> dict[str, dict[str, int]]:
    """Table 四: 行政复议 (review), 行政诉讼 未经复议直接起诉 (direct) and 复议后起诉 (after), by outcome."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out = {
        k: dict.fromkeys(("upheld", "corrected", "other", "pending", "total"), 0) for k in ("review", "direct", "after")
    }
    q = select(CaseReview).where(CaseReview.filed_on >= first, CaseReview.filed_on <= last)
    for r in session.scalars(q):
        key = "review" if r.kind == "review" else ("after" if r.after_review else "direct")
        outcome = r.outcome if r.decided_on is not None and r.decided_on <= last else "pending"
        out[key][outcome] += 1
        out[key]["total"] += 1
    return out


DEFAULT_CATEGORIES = {"rules": ("规章",), "normative": ("规范性文件", "行政规范性文件")}
MANUAL_FIELDS = {
    "licensing": "行政许可（本年处理决定数量）",
    "penalty": "行政处罚（本年处理决定数量）",
    "enforcement": "行政强制（本年处理决定数量）",
    "fees": "行政事业性收费（本年收费金额，万元）",
}


def manual(session: Session, year: int) -> dict[str, str]:
    stored: dict[str, str] = json.loads(meta_get(session, f"report.manual.{year}") or "{}")
    return stored


def set_manual(session: Session, year: int, values: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, label in MANUAL_FIELDS.items():
        v = str(values.get(k, "") or "").strip()
        if v:
            try:
                float(v)
            except ValueError:
                raise StepRefused(f"{label}应为数字") from None
        out[k] = v
    meta_set(session, f"report.manual.{year}", json.dumps(out, ensure_ascii=False))
    return out


def published(session: Session, year: int) -> dict[str, list[int]]:
    """Table 二, 第二十条第（一）项: {"rules"|"normative": [制发, 废止, 现行有效]} from the feed: published in the
    year (its ``published`` date), repealed in the year (its latest change made it 已废止 that year, China
    time), and in force now (status 现行有效; for a past year this is today's state, not the year's end)."""
    from sync.server.db import CategoryRow

    names = {
        code: str(json.loads(data).get("name") or code)
        for code, data in session.execute(select(CategoryRow.code, CategoryRow.data))
    }
    out = {"rules": [0, 0, 0], "normative": [0, 0, 0]}
    for payload, at in session.execute(select(FeedDoc.payload, FeedDoc.published_at).where(FeedDoc.op == "put")):
        doc = json.loads(payload).get("doc") or {}
        cats = {names.get(str(c), str(c)) for c in doc.get("categories") or []}
        key = next((k for k, words in DEFAULT_CATEGORIES.items() if any(w in c for c in cats for w in words)), None)
        if key is None:
            continue
        status = str(doc.get("status") or "")
        changed = at.replace(tzinfo=dt.UTC).astimezone(lc.CHINA).year
        out[key][0] += str(doc.get("published") or "")[:4] == str(year)
        out[key][1] += status == "repealed" and changed == year
        out[key][2] += status == "in_force"
    return out


def build(session: Session, year: int, agency: str) -> Report:
    return Report(
        year=year,
        agency=agency,
        table2={k: v for k, v in published(session, year).items()},
        manual=manual(session, year),
        table3=applications(session, year),
        table4=reviews(session, year),
    )
