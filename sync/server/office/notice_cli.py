"""The commands for notices as issued and the district's notice settings (``python -m sync.server``):

    office-settings show --db URL                   文号 prefix, contact, address, 复议机关, court
    office-settings set --db URL [--number-prefix P] [--contact-person N] [--contact-phone T]
                        [--address A] [--postcode C] [--review-body B] [--review-days D]
                        [--court C] [--litigation-months M]          change what is given, keep the rest
    notice list --db URL NO                         the case's notices: number, date, state, sha256
    notice get --db URL ID --out FILE.pdf           an issued notice's stored bytes
    notice withdraw --db URL ID --by NAME --reason TEXT [--no-reissue]
                                                    withdraw a wrong notice and reissue it (new number)

    register --db URL --channel C --zone Z --received-on DATE --data APP.json --scan FILE --by NAME [--note T]
                                                    register an application received by post, at the
                                                    counter, by e-mail, fax or online (office/register.py)

    department add --db URL CODE NAME               a department cases can be assigned to
    department member --db URL USERNAME CODE        bind a 'department' account to its department
    department assign --db URL NO CODE --due DATE --by NAME   交办/改派 a case with a due date
    department due --db URL                         per department: drafts overdue and nearly due

    annual-report --db URL --year Y [--pdf F] [--docx F]   the 政府信息公开工作年度报告 (tables on stdout)

Exit status 0 done, 1 refused (nothing changed).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from sync.server.db import sessions
from sync.server.errors import OfficeError
from sync.server.feed.calendar import work_calendar
from sync.server.office import departments, issued, notices, register, settings
from sync.server.office.models import IssuedNotice


def add_parsers(sub: Any) -> None:
    """Add ``office-settings`` and ``notice`` to the server's subcommands."""
    st = sub.add_parser("office-settings", help="文书设置：文号前缀、联系人、电话、地址、复议机关、法院")
    ssub = st.add_subparsers(dest="settings_cmd", required=True)
    ssub.add_parser("show", help="文书当前使用的设置").add_argument("--db", required=True)
    ss = ssub.add_parser("set", help="修改给出的设置（会检查；不通过则不做任何改动）")
    ss.add_argument("--db", required=True)
    for name, label in settings.LABELS.items():
        ss.add_argument("--" + name.replace("_", "-"), dest=name, help=label)

    n = sub.add_parser("notice", help="已出具的文书：list 列出、get 取出、withdraw 撤回并重新出具")
    nsub = n.add_subparsers(dest="notice_cmd", required=True)
    nl = nsub.add_parser("list", help="一件申请的全部文书")
    nl.add_argument("--db", required=True)
    nl.add_argument("tracking_no")
    ng = nsub.add_parser("get", help="取出一份已出具文书的 PDF")
    ng.add_argument("--db", required=True)
    ng.add_argument("id", type=int)
    ng.add_argument("--out", type=Path, required=True)
    nw = nsub.add_parser("withdraw", help="撤回有误的文书，并以新文号重新出具")
    nw.add_argument("--db", required=True)
    nw.add_argument("id", type=int)
    nw.add_argument("--by", required=True)
    nw.add_argument("--reason", required=True)
    nw.add_argument("--no-reissue", action="store_true", help="只撤回，不重新出具")

    _add_more(sub)


def _add_more(sub: Any) -> None:
    d = sub.add_parser("department", help="承办部门：add、member、assign、due")
    dsub = d.add_subparsers(dest="dept_cmd", required=True)
    da = dsub.add_parser("add", help="添加承办部门或修改其名称")
    da.add_argument("--db", required=True)
    da.add_argument("code")
    da.add_argument("name")
    dm = dsub.add_parser("member", help="将账号绑定到承办部门")
    dm.add_argument("--db", required=True)
    dm.add_argument("username")
    dm.add_argument("code")
    dg = dsub.add_parser("assign", help="交办（或改办）一件申请，并给出承办期限")
    dg.add_argument("--db", required=True)
    dg.add_argument("tracking_no")
    dg.add_argument("code")
    dg.add_argument("--due", required=True, type=dt.date.fromisoformat)
    dg.add_argument("--by", required=True)
    dd = dsub.add_parser("due", help="各承办部门已逾期和将到期的答复草稿")
    dd.add_argument("--db", required=True)

    ar_ = sub.add_parser("annual-report", help="某年的政府信息公开工作年度报告：PDF 和 .docx")
    ar_.add_argument("--db", required=True)
    ar_.add_argument("--year", required=True, type=int)
    ar_.add_argument("--pdf", type=Path)
    ar_.add_argument("--docx", type=Path)

    r = sub.add_parser("register", help="登记通过信函、当面、电子邮件、传真或网上收到的申请")
    r.add_argument("--db", required=True)
    r.add_argument("--channel", required=True, choices=list(register.CHANNELS))
    r.add_argument("--zone", required=True, help="受理编号采用其前缀的专区")
    r.add_argument("--received-on", required=True, type=dt.date.fromisoformat, help="收到申请之日（条例第三十一条）")
    r.add_argument("--data", required=True, type=Path, help="申请数据 JSON（见 docs/applications.md）")
    r.add_argument("--scan", required=True, type=Path, help="申请表扫描件（该申请的第一个文件）")
    r.add_argument("--by", required=True)
    r.add_argument("--note", default="", help="平信如何确认收到等说明")


def run(args: argparse.Namespace, engine: Engine, today: dt.date) -> int:
    """Run ``office-settings`` or ``notice``."""
    try:
        if args.cmd == "office-settings":
            return _settings(args, engine)
        if args.cmd == "register":
            return _register(args, engine, today)
        if args.cmd == "department":
            return _department(args, engine, today)
        if args.cmd == "annual-report":
            return _annual(args, engine)
        return _notice(args, engine, today)
    except OfficeError as exc:
        print(f"未执行：{exc}；未做任何改动", file=sys.stderr)
        return 1


def _register(args: argparse.Namespace, engine: Engine, today: dt.date) -> int:
    reg = register.Registration(
        channel=args.channel,
        zone=args.zone,
        received_on=args.received_on,
        application=json.loads(args.data.read_text(encoding="utf-8")),
        scan_name=args.scan.name,
        scan_type="application/pdf" if args.scan.suffix.lower() == ".pdf" else "application/octet-stream",
        scan=args.scan.read_bytes(),
        note=args.note,
    )
    with sessions(engine)() as s, s.begin():
        case = register.register(s, reg, actor=args.by, today=today)
        print(
            f"{case.tracking_no}: {register.channel_label(case.channel)}，收到 {case.received_on}，答复期限 {case.due}"
        )
    return 0


def _annual(args: argparse.Namespace, engine: Engine) -> int:
    from sync.server.office import annual_report, annual_report_out

    with sessions(engine)() as s:
        report = annual_report.build(s, args.year, notices.agency_name(s))
        fees = annual_report_out.fee_text(s, args.year)
    for row in annual_report_out.table3(report)[2:]:
        print("\t".join(row))
    if args.pdf:
        args.pdf.write_bytes(annual_report_out.pdf(report, fees))
    if args.docx:
        args.docx.write_bytes(annual_report_out.docx(report, fees))
    return 0


def _department(args: argparse.Namespace, engine: Engine, today: dt.date) -> int:
    with sessions(engine)() as s, s.begin():
        if args.dept_cmd == "add":
            d = departments.add_department(s, args.code, args.name)
            print(f"承办部门 {d.name}（{d.code}）")
        elif args.dept_cmd == "member":
            departments.add_member(s, args.username, args.code)
            print(f"{args.username} -> {args.code}")
        elif args.dept_cmd == "assign":
            c = departments.assign(s, args.tracking_no.strip().upper(), args.code, args.due, args.by, today, today)
            print(f"{c.tracking_no}: {c.department}，承办期限 {c.dept_due}")
        else:
            names = departments.names(s)
            for code, (over, near) in departments.due_lists(s, today, work_calendar(s)).items():
                print(f"{names.get(code, code)}：逾期 {len(over)} 件，将到期 {len(near)} 件")
                for ln in [*over, *near]:
                    print(f"  {ln.tracking_no}\t承办期限 {ln.dept_due}\t{ln.working_days_left}")
    return 0


def _settings(args: argparse.Namespace, engine: Engine) -> int:
    with sessions(engine)() as s, s.begin():
        current = settings.load(s)
        if args.settings_cmd == "set":
            values = {k: str(v) for k, v in dataclasses.asdict(current).items()}
            values.update({k: getattr(args, k) for k in settings.LABELS if getattr(args, k) is not None})
            current = settings.save(s, values)
    for name, label in settings.LABELS.items():
        print(f"{label}：{getattr(current, name)}")
    if current.missing():
        print(f"尚未填写：{'、'.join(current.missing())}（未填写前不能出具文书）")
    return 0


def _notice(args: argparse.Namespace, engine: Engine, today: dt.date) -> int:
    with sessions(engine)() as s, s.begin():
        if args.notice_cmd == "list":
            for n in issued.of_case(s, args.tracking_no.strip().upper()):
                state = f"已撤回 {n.withdrawn_on} {n.withdrawn_reason}" if n.withdrawn_on else "有效"
                print(f"{n.id}\t{n.number}\t{notices.KINDS[n.kind]}\t{n.issued_on}\t{state}\t{n.sha256}")
            return 0
        if args.notice_cmd == "get":
            row = s.get(IssuedNotice, args.id)
            if row is None:
                raise OfficeError("没有这份文书")
            args.out.write_bytes(row.pdf)
            print(f"{row.number} -> {args.out}（{len(row.pdf)} 字节，sha256 {row.sha256}）")
            return 0
        new = issued.withdraw_and_reissue(
            s, args.id, actor=args.by, reason=args.reason, on=today, reissue=not args.no_reissue
        )
        print(f"已撤回文书 {args.id}" + (f"；已重新出具：{new.id} {new.number}" if new else ""))
    return 0
