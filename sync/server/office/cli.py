"""The office's commands of ``python -m sync.server``: holiday arrangements, each step of an application,
and the overdue report.

    calendar publish --db URL FILE.json --by NAME   publish a year's State Council arrangement; recounts
                                                     every open deadline and says which moved
    calendar show --db URL                           the years terminals receive, and where each came from
    case list --db URL [--state S] [--zone Z]        the cases, overdue first
    case show --db URL NO                            one case: stage, dates and its whole log
    case STEP --db URL NO --by NAME [--on DATE] [--reason TEXT] [fields]
        STEP: ask-correction --items TEXT [--within N] | correction-received | correction-lapsed |
              start-consultation --party TEXT | end-consultation | extend --approver NAME [--days N] |
              reply --type T [--agency TEXT] [--detail TEXT] | withdraw | close
    overdue --db URL [--soon N]                      replies (and corrections) overdue or due within N
                                                     working days (default 3); run daily (cron), it also
                                                     withdraws lapsed corrections (below)
    evaluation report --db URL --month YYYY-MM [--csv FILE] [--pdf FILE]
                                                     the month's 一月一评比 (table on stdout)
    evaluation weights --db URL [--satisfaction W] [--on-time W] [--usage W] [--follow-up W]
                                                     show or set the score's weights
    agency show|set --db URL [NAME]                  the issuing agency printed on notices and reports
    rating pending --db URL [--month YYYY-MM]        差评 awaiting follow-up
    rating follow-up --db URL ID --by NAME --note TEXT   record a 差评's follow-up (回访整改)

A case waiting for a correction whose period has run out is withdrawn (视为放弃申请, Art. 30) by the
server itself, before any command, console page or status lookup reads it (``lifecycle.lapse_corrections``).

Every step is refused, with the reason, when the law does not allow it now; nothing is changed then.
``--on`` is the day it happened (China time; default today): a correction that came by post yesterday is
recorded as yesterday. Exit status 0 done, 1 refused, 2 usage or database error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from sync.server.db import open_db, sessions
from sync.server.errors import ArrangementError, OfficeError, StepRefused
from sync.server.feed import calendar as cal
from sync.server.office import case_status, issued, notice_cli
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case

_STEP_ARGS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "ask-correction": [("--items", {"required": True, "help": "需要补正的事项"}), ("--within", {"type": int})],
    "correction-received": [("--request", {"help": "补正后的申请内容（所需信息的描述）"})],
    "correction-lapsed": [],
    "start-consultation": [("--party", {"required": True, "help": "征求意见的第三方或机关"})],
    "end-consultation": [],
    "extend": [("--approver", {"required": True, "help": "批准延期的负责人"}), ("--days", {"type": int})],
    "reply": [
        ("--type", {"required": True, "choices": list(lc.REPLY_TYPES), "dest": "reply_type"}),
        ("--agency", {"help": "非本机关负责公开：负责的机关名称及联系方式"}),
        ("--detail", {"help": "已主动公开：获取方式、途径"}),
        ("--applicant-class", {"dest": "applicant_class", "help": "年度报告：natural|business|research|…"}),
        ("--report-row", {"dest": "report_row", "help": "年度报告办理结果，如 3.4（不予公开·保护第三方合法权益）"}),
    ],
    "withdraw": [],
    "close": [],
    "fee-notice": [
        ("--method", {"required": True, "choices": ["per_request", "per_page"], "help": "按件计收 | 按量计收"}),
        ("--count", {"required": True, "type": int, "help": "本申请的件数（按件）或页数（按量）"}),
        ("--served-on", {"dest": "served_on", "help": "收费通知送达日期"}),
        ("--pay-how", {"dest": "pay_how", "help": "缴纳方式"}),
    ],
    "fee-paid": [],
    "ask-reasons": [("--within", {"help": "说明理由的期限（年-月-日）"})],
    "delay": [("--to", {"required": True, "dest": "delay_to", "help": "延迟答复至（年-月-日）"})],
}


def add_parsers(sub: Any) -> None:
    """Add ``calendar``, ``case``, ``evaluation``, ``rating``, ``agency`` and ``overdue`` to the server's
    subcommands."""
    c = sub.add_parser("calendar", help="节假日安排（终端据此计算答复期限）：publish、show")
    csub = c.add_subparsers(dest="calendar_cmd", required=True)
    cp = csub.add_parser("publish", help="从 JSON 文件发布某年的国务院节假日安排")
    cp.add_argument("--db", required=True)
    cp.add_argument("--by", required=True, help="发布人")
    cp.add_argument("file", type=Path)
    cs = csub.add_parser("show", help="终端收到的各年份安排")
    cs.add_argument("--db", required=True)

    k = sub.add_parser("case", help="申请的办理（受理、补正、延期、答复、办结）")
    ksub = k.add_subparsers(dest="case_cmd", required=True)
    kl = ksub.add_parser("list", help="列出办理中的申请，逾期的在前")
    kl.add_argument("--db", required=True)
    kl.add_argument("--state", choices=lc.STATES)
    kl.add_argument("--zone")
    ks = ksub.add_parser("show", help="一件申请及其办理记录")
    ks.add_argument("--db", required=True)
    ks.add_argument("tracking_no")
    for name, extra in _STEP_ARGS.items():
        sp = ksub.add_parser(name, help=lc.ACTION_LABELS[name.replace("-", "_")])
        sp.add_argument("--db", required=True)
        sp.add_argument("tracking_no")
        sp.add_argument("--by", required=True, help="经办人")
        sp.add_argument("--on", type=dt.date.fromisoformat, help="发生日期（默认今天）")
        sp.add_argument("--reason", default="")
        for flag, kw in extra:
            sp.add_argument(flag, **kw)

    _add_report_parsers(sub)
    notice_cli.add_parsers(sub)


def _add_report_parsers(sub: Any) -> None:
    ev = sub.add_parser("evaluation", help="月度评比（一月一评比）")
    evsub = ev.add_subparsers(dest="evaluation_cmd", required=True)
    er = evsub.add_parser("report", help="当月评比表；--csv/--pdf 另存文件")
    er.add_argument("--db", required=True)
    er.add_argument("--month", required=True)
    er.add_argument("--csv", type=Path)
    er.add_argument("--pdf", type=Path)
    ey = evsub.add_parser("year", help="年度优秀专区及评选优秀个人所需的人员数据")
    ey.add_argument("--db", required=True)
    ey.add_argument("--year", type=int, required=True)
    ed = evsub.add_parser("duty", help="登记某专区的值守人员（用于评选优秀个人）")
    ed.add_argument("--db", required=True)
    ed.add_argument("name")
    ed.add_argument("zone")
    ed.add_argument("start", type=dt.date.fromisoformat)
    ed.add_argument("end", type=dt.date.fromisoformat)
    ed.add_argument("--account", default="")
    ew = evsub.add_parser("weights", help="查看或设置评分权重")
    ew.add_argument("--db", required=True)
    for name in ("satisfaction", "on-time", "usage", "follow-up"):
        ew.add_argument(f"--{name}", type=float)
    rt = sub.add_parser("rating", help="差评回访整改")
    rsub = rt.add_subparsers(dest="rating_cmd", required=True)
    rp = rsub.add_parser("pending", help="待回访的差评")
    rp.add_argument("--db", required=True)
    rp.add_argument("--month")
    rf = rsub.add_parser("follow-up", help="登记差评的回访整改")
    rf.add_argument("--db", required=True)
    rf.add_argument("id", type=int)
    rf.add_argument("--by", required=True)
    rf.add_argument("--note", required=True)

    ag = sub.add_parser("agency", help="文书和报告上的行政机关名称：show、set")
    agsub = ag.add_subparsers(dest="action", required=True)
    agsub.add_parser("show", help="文书当前使用的名称").add_argument("--db", required=True)
    ags = agsub.add_parser("set", help="设置行政机关全称（会检查能否完整印出）")
    ags.add_argument("--db", required=True)
    ags.add_argument("name", help="如 娄底市娄星区人民政府办公室")

    o = sub.add_parser("overdue", help="已逾期或 N 个工作日内到期的答复")
    o.add_argument("--db", required=True)
    o.add_argument("--soon", type=int, default=lc.SOON_WORKING_DAYS)


def run(args: argparse.Namespace, today: lc.Today = lc.china_today) -> int | None:
    """Run an office command; None if ``args`` is not one. ``today`` is the clock steps and reports go by."""
    dated = {"calendar": _calendar, "case": _case, "overdue": _overdue}
    undated = {"evaluation": _evaluation, "rating": _rating, "agency": _agency}
    if args.cmd in dated:
        return dated[args.cmd](args, open_db(args.db), today())
    if args.cmd in undated:
        return undated[args.cmd](args, open_db(args.db))
    if args.cmd in ("office-settings", "notice", "register", "department", "annual-report"):
        return notice_cli.run(args, open_db(args.db), today())
    return None


def _agency(args: argparse.Namespace, engine: Engine) -> int:
    from sync.server.db import meta_get
    from sync.server.office import notices

    if args.action == "show":
        with sessions(engine)() as s:
            stored = meta_get(s, "agency_name")
        print(stored or f"{notices.DEFAULT_AGENCY}（默认名称：请用 'agency set 名称' 设置实际名称）")
        return 0
    try:
        with sessions(engine)() as s, s.begin():
            name = notices.set_agency_name(s, args.name)
    except ValueError as exc:
        print(f"未执行：{exc}；未做任何改动", file=sys.stderr)
        return 1
    print(f"行政机关名称：{name}（今后所有文书和报告都使用此名称）")
    return 0


def _evaluation(args: argparse.Namespace, engine: Engine) -> int:
    from sync.server.office import evaluation as ev
    from sync.server.office.evaluation_pdf import build_report_pdf
    from sync.server.office.notices import agency_name

    if args.evaluation_cmd in ("year", "duty"):
        return _year(args, engine)
    if args.evaluation_cmd == "weights":
        new = {
            k: v
            for k, v in (
                ("satisfaction", args.satisfaction),
                ("on_time", args.on_time),
                ("usage", args.usage),
                ("follow_up", args.follow_up),
            )
            if v is not None
        }
        with sessions(engine)() as s, s.begin():
            try:
                w = ev.set_weights(s, new) if new else ev.weights(s)
            except ValueError as exc:
                print(f"未执行：{exc}", file=sys.stderr)
                return 1
            print(ev.formula_text(w))
        return 0
    try:
        ev.parse_month(args.month)
    except ValueError:
        print(f"--month {args.month!r}：格式应为 YYYY-MM", file=sys.stderr)
        return 2
    with sessions(engine)() as s:
        report = ev.build(s, args.month)
        agency = agency_name(s)
    print("\t".join(ev.COLUMNS))
    for r in ev.rows(report):
        print("\t".join(str(v) for v in r))
    print(ev.formula_text(report.weights))
    if args.csv:
        args.csv.write_text(ev.to_csv(report), encoding="utf-8")
    if args.pdf:
        args.pdf.write_bytes(build_report_pdf(report, agency))
    return 0


def _year(args: argparse.Namespace, engine: Engine) -> int:
    from sync.server.office import annual_eval as ae

    with sessions(engine)() as s, s.begin():
        if args.evaluation_cmd == "duty":
            try:
                ae.add_duty(s, args.name, args.zone, args.start, args.end, args.account, "cli")
            except OfficeError as exc:
                print(f"未执行：{exc}", file=sys.stderr)
                return 1
            print(f"已登记值守：{args.name}，专区 {args.zone}，{args.start} 至 {args.end}")
            return 0
        for z in ae.zones_of_year(s, args.year):
            star = " ★年度优秀" if z.excellent else ""
            print(f"{z.rank}\t{z.name}\t{z.mean:.1f}\t月度第一{z.firsts}次{star}")
        for p in ae.staff_of_year(s, args.year):
            sat = "—" if p.satisfaction is None else f"{100 * p.satisfaction:.0f}%"
            print(f"{p.name}\t{p.zone}\t在岗{p.duty_days}天\t评价{p.ratings}\t满意度{sat}\t受理{p.applications}")
    return 0


def _rating(args: argparse.Namespace, engine: Engine) -> int:
    from sync.server.office import evaluation as ev

    if args.rating_cmd == "pending":
        with sessions(engine)() as s:
            for sid, zone, at, level in ev.pending_bad_ratings(s, args.month):
                print(f"{sid}\t{zone}\t{at}\t{ev.LEVELS[level]}")
        return 0
    with sessions(engine)() as s, s.begin():
        try:
            ev.follow_up(s, args.id, actor=args.by, note=args.note)
        except ValueError as exc:
            print(f"未执行：{exc}", file=sys.stderr)
            return 1
    print(f"评价 {args.id}：已登记回访整改")
    return 0


def _calendar(args: argparse.Namespace, engine: Engine, today: dt.date) -> int:
    if args.calendar_cmd == "show":
        with sessions(engine)() as s:
            payload = cal.build_payload(s)
        for y, entry in payload["years"].items():
            n_off, n_work = len(entry["holidays"]), len(entry["workdays"])
            print(f"{y}: {n_off} 天放假，{n_work} 天调休上班 — {payload['sources'][y]}")
        print("其他年份：未公布，按《全国年节及纪念日放假办法》暂定计算")
        return 0
    try:
        year, source, entry = cal.load_arrangement(args.file)
    except ArrangementError as exc:
        for p in exc.problems:
            print(f"{args.file}: {p}", file=sys.stderr)
        print("未发布：请改正后重试", file=sys.stderr)
        return 1
    with sessions(engine)() as s, s.begin():
        cal.publish_year(s, year, source, entry, by=args.by)
        moved = lc.recompute_open(s, actor=args.by, reason=f"{year}年节假日安排公布（{source}）", today=today)
    print(f"已发布 {year} 年：放假 {len(entry['holidays'])} 天，调休上班 {len(entry['workdays'])} 天")
    for no, old, new in moved:
        print(f"  {no}: {old} -> {new}")
    print(f"{len(moved)} 件办理中申请的期限已调整")
    return 0


def _lapse(engine: Engine, today: dt.date) -> list[str]:
    """Withdraw the cases whose correction period has run out (Art. 30) before anything reads them."""
    with sessions(engine)() as s, s.begin():
        return lc.lapse_corrections(s, today)


def _case(args: argparse.Namespace, engine: Engine, today: dt.date) -> int:
    _lapse(engine, today)
    if args.case_cmd == "list":
        with sessions(engine)() as s:
            q = select(Case)
            if args.state:
                q = q.where(Case.state == args.state)
            if args.zone:
                q = q.where(Case.zone == args.zone)
            rows = sorted(s.scalars(q), key=lambda c: (c.state not in lc.OPEN_STATES, c.due or dt.date.max))
            for c in rows:
                print(f"{c.tracking_no}\t{c.zone}\t{lc.STAGE_LABELS[c.state]}\t{c.due or ''}")
        return 0
    if args.case_cmd == "show":
        with sessions(engine)() as s:
            try:
                c = lc.get_case(s, args.tracking_no)
            except StepRefused as exc:
                print(exc, file=sys.stderr)
                return 1
            print(json.dumps(case_status.public_status(c, s), ensure_ascii=False, indent=1))
            for e in lc.events(s, c.tracking_no):
                print(f"{e.on} {e.actor}: {lc.ACTION_LABELS.get(e.action, e.action)} {e.reason} {e.data}")
        return 0
    action = args.case_cmd.replace("-", "_")
    names = ["items", "party", "approver", "agency", "detail", "request", "served_on", "pay_how", "within"]
    names += ["delay_to", "applicant_class", "report_row"]
    fields = {k: getattr(args, k, None) for k in names}
    step = lc.Step(actor=args.by, on=args.on or today, reason=args.reason, fields=fields, today=today)
    kw: dict[str, Any] = {}
    if action == "ask_correction" and args.within:
        kw["within_days"] = args.within
    if action == "extend" and args.days:
        kw["days"] = args.days
    if action == "reply":
        kw["reply_type"] = args.reply_type
    if action == "fee_notice":
        kw["method"], kw["count"] = args.method, args.count
    try:
        with sessions(engine)() as s, s.begin():
            c = issued.take_step(s, action, args.tracking_no, step, **kw)
            print(f"{c.tracking_no}: {lc.STAGE_LABELS[c.state]}" + (f"，答复期限 {c.due}" if c.due else ""))
            _print_issued(s, action, c.tracking_no)
    except OfficeError as exc:
        print(f"未执行：{exc}", file=sys.stderr)
        return 1
    return 0


def _print_issued(s: Any, action: str, tracking_no: str) -> None:
    if action in issued.NOTICE_OF_STEP:
        n = issued.of_case(s, tracking_no)[-1]
        print(f"出具 {n.number}（sha256 {n.sha256}）")


def _overdue(args: argparse.Namespace, engine: Engine, today: dt.date) -> int:
    for no in _lapse(engine, today):
        print(f"{no}\t补正期限届满未补正，视为放弃申请（已自动终止办理）")
    with sessions(engine)() as s:
        lines = case_status.overdue_report(s, today, args.soon)
    for ln in lines:
        when = f"逾期{-ln.working_days_left}个工作日" if ln.due < today else f"还剩{ln.working_days_left}个工作日"
        print(f"{ln.tracking_no}\t{ln.zone}\t{ln.what}期限 {ln.due}\t{when}")
    print(f"共 {len(lines)} 件已逾期或 {args.soon} 个工作日内到期")
    return 0
