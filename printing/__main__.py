"""``python -m printing``: forms, receipts and queue tickets to files, and printers, for IT and tests.

    python -m printing form --kind blank|sample|filled [--data FILE.json] --out FILE.pdf
    python -m printing receipt --data FILE.json --out FILE.bin [--printer NAME] [--config FILE]
    python -m printing ticket --number A012 [--waiting N] [--zone-name NAME] --out FILE.bin
    python -m printing ticket --data FILE.json --out FILE.bin
    python -m printing send --printer NAME [--config FILE] FILE
    python -m printing status --printer NAME [--config FILE]
    python -m printing test-page --printer NAME [--config FILE] [--out FILE.bin]

The receipt's data file is the application JSON of docs/applications.md with its ``issued`` part
(tracking number, deadline), optionally with ``"zone": {"name", "address", "hours", "phone"}`` and
``"status_url"``; without ``zone`` the zone comes from the terminal's mirror (``--config``). The
layout (columns, encoding, font charset, cut) is the ``--printer``'s, or 80 mm GB18030 by default.

Exit codes: 0 done, 1 the printer failed or is not ready, 2 bad input (the message says what).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.cli import chinese_console
from kiosk.config import Config, PrinterConfig, load
from kiosk.errors import ConfigError, KioskError, PrinterError, ValidationError

EXIT_PRINTER = 1
EXIT_INPUT = 2


class InputError(Exception):
    """Bad input on the command line: the message is for the person typing."""


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: 文件不存在") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: 不是 UTF-8 文本") from None
    except OSError as exc:
        raise InputError(f"{path}: 无法读取（{exc.strerror}）") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: 不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）") from None


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        raise InputError(f"{path}: 无法写入（{exc.strerror}）") from None


def _config(path: str | None) -> Config:
    return load(path)


def _printer_config(args: argparse.Namespace) -> PrinterConfig | None:
    if not getattr(args, "printer", None):
        return None
    from printing.backends import find_printer

    return find_printer(_config(args.config), args.printer)


def _layout(args: argparse.Namespace) -> Any:
    from printing.escpos.document import Layout

    printer = _printer_config(args)
    base = Layout.of(printer) if printer else Layout()
    try:
        return Layout(
            columns=args.columns or base.columns,
            encoding=args.encoding or base.encoding,
            font_charset=args.font_charset or base.font_charset,
            cut=base.cut,
            dots=base.dots,
        )
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _zone_from_mirror(config_path: str | None, zone_code: str) -> Any:
    """The zone row of the terminal's mirror, or None when there is no mirror to read."""
    from printing.escpos.receipt import zone_info

    try:
        cfg = _config(config_path)
    except ConfigError:
        return None
    if not cfg.db_path.is_file():
        return None
    from kiosk.db import make_engine, session_factory
    from kiosk.mirror.models import Zone

    engine = make_engine(cfg.db_path, read_only=True)
    try:
        with session_factory(engine)() as s:
            zone = s.get(Zone, zone_code or cfg.terminal.zone)
            return zone_info(zone) if zone is not None else None
    except Exception:  # an old or foreign database: fall back to the code
        return None
    finally:
        engine.dispose()


def _zone(raw: Any, where: str) -> Any:
    from printing.escpos.receipt import ZoneInfo

    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise InputError(f"{where}: 'zone' 应为对象，且含非空的 'name'")
    fields = {k: raw.get(k, "") for k in ("name", "address", "hours", "phone")}
    for k, v in fields.items():
        if not isinstance(v, str):
            raise InputError(f"{where}: 'zone.{k}' 应为文字")
    return ZoneInfo(**fields)


def cmd_receipt(args: argparse.Namespace) -> int:
    from kiosk.applications.model import Application
    from printing.escpos.receipt import ZoneInfo, build_receipt, receipt_from_application

    raw = _read_json(Path(args.data))
    try:
        app = Application.from_json(raw)
    except ValidationError as exc:
        problems = "；".join(f"{k or '(根)'}：{v}" for k, v in exc.errors.items())
        raise InputError(f"{args.data}: 申请数据有误：{problems}") from None
    if app.issued is None:
        raise InputError(f"{args.data}: 申请尚未提交（缺少 'issued'：受理编号和答复期限），无法打印回执")
    if isinstance(raw, dict) and "zone" in raw:
        zone = _zone(raw["zone"], args.data)
    else:
        zone = _zone_from_mirror(args.config, app.issued.zone_code)
        if zone is None:
            print(
                f"注意：没有专区信息（数据中无 'zone'，也读不到终端镜像），回执只印专区代码 {app.issued.zone_code}",
                file=sys.stderr,
            )
            zone = ZoneInfo(app.issued.zone_code)
    status_url = raw.get("status_url", "") if isinstance(raw, dict) else ""
    if not isinstance(status_url, str):
        raise InputError(f"{args.data}: 'status_url' 应为文字")
    data = build_receipt(receipt_from_application(app, zone, status_url), _layout(args))
    _write(Path(args.out), data)
    print(f"回执已写入 {args.out}（{len(data)} 字节）")
    return 0


def cmd_ticket(args: argparse.Namespace) -> int:
    from printing.escpos.receipt import TicketData, ZoneInfo, build_ticket

    number, waiting, zone = args.number, args.waiting, None
    issued_at = datetime.now()
    if args.data:
        raw = _read_json(Path(args.data))
        if not isinstance(raw, dict):
            raise InputError(f"{args.data}: 应为 JSON 对象")
        number = raw.get("number", number)
        waiting = raw.get("waiting", waiting)
        if "zone" in raw:
            zone = _zone(raw["zone"], args.data)
        if "issued_at" in raw:
            try:
                issued_at = datetime.fromisoformat(str(raw["issued_at"]))
            except ValueError:
                raise InputError(f"{args.data}: 'issued_at' 应为 ISO 8601 时间") from None
    if not isinstance(number, str) or not number.strip():
        raise InputError("缺少排队号（--number 或数据文件中的 'number'）")
    if not isinstance(waiting, int) or isinstance(waiting, bool) or waiting < 0:
        raise InputError("等候人数应为不小于 0 的整数")
    if zone is None:
        zone = ZoneInfo(args.zone_name) if args.zone_name else _zone_from_mirror(args.config, "")
        if zone is None:
            raise InputError("缺少专区名称（--zone-name、数据文件中的 'zone' 或 --config 的终端镜像）")
    data = build_ticket(TicketData(number.strip(), issued_at, zone, waiting), _layout(args))
    _write(Path(args.out), data)
    print(f"排队号已写入 {args.out}（{len(data)} 字节）")
    return 0


def cmd_test_page(args: argparse.Namespace) -> int:
    from printing.backends import find_printer, open_printer
    from printing.escpos.receipt import build_test_page

    cfg = find_printer(_config(args.config), args.printer)
    data = build_test_page(cfg, name=cfg.name)
    if args.out:
        _write(Path(args.out), data)
        print(f"测试页已写入 {args.out}（{len(data)} 字节）")
        return 0
    try:
        open_printer(cfg).send(data, "escpos", "kiosk-test-page")
    except PrinterError as exc:
        from printing.status import staff_message

        print(f"打印失败：{staff_message(exc.reason, exc.detail)} [{exc.reason}]", file=sys.stderr)
        return EXIT_PRINTER
    print(f"测试页已发送到 {cfg.name}")
    return 0


def cmd_form(args: argparse.Namespace) -> int:
    try:
        from printing import forms  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        raise InputError("A4 表格模块 printing.forms 尚不可用") from None
    app = None
    if args.kind == "filled":
        if not args.data:
            raise InputError("--kind filled 需要 --data FILE.json（申请数据）")
        from kiosk.applications.model import Application

        try:
            app = Application.from_json(_read_json(Path(args.data)))
        except ValidationError as exc:
            problems = "；".join(f"{k or '(根)'}：{v}" for k, v in exc.errors.items())
            raise InputError(f"{args.data}: 申请数据有误：{problems}") from None
    pdf = forms.build_form(args.kind, app)
    _write(Path(args.out), pdf)
    print(f"表格已写入 {args.out}（{len(pdf)} 字节）")
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    from printing.backends import find_printer, open_printer

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: 文件不存在") from None
    except OSError as exc:
        raise InputError(f"{path}: 无法读取（{exc.strerror}）") from None
    if not data:
        raise InputError(f"{path}: 文件是空的")
    content_type = "pdf" if data.startswith(b"%PDF") else "escpos"
    printer = open_printer(find_printer(_config(args.config), args.printer))
    try:
        printer.send(data, content_type, f"kiosk-cli-{path.name}")
    except PrinterError as exc:
        from printing.status import staff_message

        print(f"打印失败：{staff_message(exc.reason, exc.detail)} [{exc.reason}]", file=sys.stderr)
        return EXIT_PRINTER
    kind = "PDF" if content_type == "pdf" else "ESC/POS"
    print(f"已发送到 {args.printer}：{path.name}（{kind}，{len(data)} 字节）")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from printing.backends import find_printer, open_printer

    cfg = find_printer(_config(args.config), args.printer)
    status = open_printer(cfg).status()
    code = status.reason or ("paper_near_end" if status.paper_near_end else "ready")
    print(f"{cfg.name}（{cfg.kind} {cfg.target or '默认'}）：{status.text} [{code}]")
    if status.detail:
        print(f"  {status.detail}")
    return 0 if status.ready else EXIT_PRINTER


def _layout_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--printer", help="按此已配置打印机排版（每行字数、编码、字库、切纸）")
    p.add_argument("--config", help="终端配置文件（默认：演示终端的）")
    p.add_argument("--columns", type=int, help="每行字符数（80 毫米纸 48，58 毫米纸 32）")
    p.add_argument("--encoding", choices=("gb18030", "gbk"))
    p.add_argument("--font-charset", choices=("gb2312", "gbk", "gb18030"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m printing", description="表格、回执、排队号与打印机")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("form", help="生成 A4 申请表（PDF）")
    p.add_argument("--kind", required=True, choices=("blank", "sample", "filled"))
    p.add_argument("--data", help="申请数据 JSON（用于 --kind filled）")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_form)

    p = sub.add_parser("receipt", help="生成申请回执（ESC/POS 数据）")
    p.add_argument("--data", required=True, help="含 'issued' 部分的申请数据 JSON")
    p.add_argument("--out", required=True)
    _layout_options(p)
    p.set_defaults(func=cmd_receipt)

    p = sub.add_parser("ticket", help="生成咨询台排队号（ESC/POS 数据）")
    p.add_argument("--data", help='JSON：{"number", "waiting", "zone": {...}, "issued_at"}')
    p.add_argument("--number", help="排队号，如 A012")
    p.add_argument("--waiting", type=int, default=0, help="此号之前的等候人数")
    p.add_argument("--zone-name", help="专区名称（印在排队号上）")
    p.add_argument("--out", required=True)
    _layout_options(p)
    p.set_defaults(func=cmd_ticket)

    p = sub.add_parser("send", help="将文件（PDF 或 ESC/POS）发送到已配置的打印机")
    p.add_argument("--printer", required=True)
    p.add_argument("--config")
    p.add_argument("file")
    p.set_defaults(func=cmd_send)

    p = sub.add_parser("test-page", help="打印小票打印机的测试页（字符集、二维码）")
    p.add_argument("--printer", required=True)
    p.add_argument("--config")
    p.add_argument("--out", help="把数据写入此文件，而不打印")
    p.set_defaults(func=cmd_test_page)

    p = sub.add_parser("status", help="查看已配置打印机的状态")
    p.add_argument("--printer", required=True)
    p.add_argument("--config")
    p.set_defaults(func=cmd_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    chinese_console()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"printing {args.command}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except ConfigError as exc:
        print(f"printing {args.command}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except PrinterError as exc:
        print(f"printing {args.command}: {exc}", file=sys.stderr)
        return EXIT_PRINTER
    except KioskError as exc:
        print(f"printing {args.command}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
