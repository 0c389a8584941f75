"""``python -m sync.server keygen|publish|repeal|withdraw|terminal|serve|…``: the district's command line.

    keygen --out DIR                       the district's Ed25519 signing key pair
    publish --db URL PACK [--dry-run] [--yes].jsonl            publish and amend from a content pack (all or nothing)
    repeal --db URL ID [--by NEWID]        mark a document 已废止, naming its replacement
    withdraw --db URL ID                   remove a document from every mirror
    terminal add|list|rotate|revoke|remove  register a terminal with a one-time enrolment code, …
    printers set|show --zone Z --file F    the printer template new terminals of a zone get
    account add|list|passwd|roles|disable|enable --db URL [NAME] [--role it|office|department]
    serve --db URL --key DIR [--host H] [--port N] [--trust-proxy]
    calendar | case | overdue                the 政务公开 office's commands (sync/server/office/cli.py)
    release publish|rollout|halt|list       software releases for the terminals (sync/server/releases/cli.py)
    backup --db URL --out FILE             a consistent copy of the live SQLite database
    restore --db URL [--from FILE] --key DIR   put a backup in place and start a new feed epoch
    lost --db URL [--resolve NO]           applications terminals were told were received that it lacks
    root init|certify|rotate               the offline root key (sync/server/keys_cli.py)

``--db`` takes an SQLAlchemy URL (``postgresql+psycopg://…``) or a plain SQLite file path. The admin pages
need an account (``account add``; the password is asked for, or read from the first line of stdin when
stdin is not a terminal; never given as an argument). See ``sync.server.admin.auth``. No command takes a secret
(token, password, PIN) as an argument, where ``ps`` and the shell's history would show it; a terminal's
token is never printed either: the terminal receives it by redeeming its enrolment code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from kiosk.cli import chinese_console
from kiosk.db import quiet_alembic
from kiosk.errors import ConfigError, ContentPackError, KioskError, os_reason
from sync.protocol import signing
from sync.server import keys_cli, migrate, pii_admin, recovery, recovery_cli, serve
from sync.server.admin import cli as admin_cli
from sync.server.app import DEFAULT_MANIFEST_TTL_S, DEFAULT_SYNC_INTERVAL_S, token_hash
from sync.server.db import Terminal, normalize_url, open_db, sessions
from sync.server.errors import ServerRefusal
from sync.server.feed.preview import preview_pack
from sync.server.feed.publish import publish_pack, repeal, withdraw
from sync.server.office import cli as office_cli
from sync.server.office.lifecycle import Today, china_today
from sync.server.releases import cli as release_cli
from sync.server.terminals import enrol
from sync.server.terminals.fleet import beijing


def default_snapshot_dir(db: str) -> Path | None:
    """Where first-sync snapshots are kept by default: beside an SQLite database file, else nowhere."""
    url = make_url(normalize_url(db))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return path.with_name(path.name + "-snapshots")


def add_terminal(url: str, zone: str, terminal_id: str | None = None) -> tuple[str, str]:
    """Register a terminal of ``zone``; returns (terminal id, token). Only the token's hash is stored.

    For tests and benchmarks, which write the terminal's configuration themselves; no command prints a
    token (IT uses ``terminal add``, whose enrolment code the terminal redeems for its token).
    """
    engine = open_db(url)
    token = secrets.token_urlsafe(32)
    with sessions(engine)() as s, s.begin():
        enrol.check_zone(s, zone)
        if terminal_id is None:
            n = int(s.scalar(select(func.count()).select_from(Terminal).where(Terminal.zone == zone)) or 0)
            terminal_id = f"{zone}-{n + 1:02d}"
            while s.get(Terminal, terminal_id) is not None:
                n += 1
                terminal_id = f"{zone}-{n + 1:02d}"
        elif s.get(Terminal, terminal_id) is not None:
            raise KioskError(f"终端 {terminal_id} 已存在")
        s.add(Terminal(id=terminal_id, zone=zone, token_hash=token_hash(token)))
    engine.dispose()
    return terminal_id, token


ROTATE_NOTES = {
    "enrolled": "（在终端上用此注册码注册之前，它现有的令牌照常可用；注册后旧令牌作废）",
    "revoked": "（在终端上用此注册码注册之前，它仍处于吊销状态，令牌被拒绝）",
    "awaiting": "（它此前还没有可用的令牌；之前发的注册码已作废）",
}


def _check_server_url(url: str, allow_http: bool) -> None:
    """Refuse a plain-http address terminals would send their token over, unless loopback or allowed."""
    from kiosk.urls import plain_http_problem

    problem = plain_http_problem(url)
    if problem is not None and not (allow_http and url.lower().startswith("http://")):
        raise KioskError(problem)


def _show_issued(
    issued: enrol.Issued,
    server_url: str,
    key_dir: Path | None,
    qr_file: Path | None,
    *,
    allow_http: bool = False,
    again: bool = False,
) -> None:
    """The code and the exact command for the terminal; ``again`` (rotate): the terminal is configured
    already, so the command replaces its configuration (``--force``)."""
    code = enrol.format_code(issued.code)
    fingerprint = ""
    if key_dir is not None:  # the offline root when there is one (terminals pin it), else the signing key
        root = key_dir / "root.pub"
        kid = signing.load_verifier(root).key_id if root.is_file() else signing.load_signer(key_dir).key_id
        fingerprint = signing.format_fingerprint(kid)
    local = issued.expires_at.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    command = f"kiosk enrol --server {server_url} --code {code}"
    if allow_http and server_url.lower().startswith("http://"):
        command += " --allow-http"
    if fingerprint:
        command += f" --fingerprint {fingerprint.replace(' ', '')}"
    if again:
        command += " --force"
    print(f"终端：    {issued.terminal_id}（{issued.name}，专区 {issued.zone_name}（{issued.zone}））")
    print(f"注册码：  {code}（仅能使用一次，北京时间 {local:%Y-%m-%d %H:%M} 前有效）")
    if fingerprint:
        print(f"区级密钥指纹：{fingerprint}（终端在信任之前会显示同一指纹，请核对）")
    if issued.printers:
        print(f"打印机：  {issued.printers} 台，取自本专区的打印机模板")
    else:
        print("打印机：  无（本专区没有打印机模板，可用 'printers set' 设置）")
    print(f"在终端上以 root 身份运行：\n    {command}")
    import qrcode

    qr = qrcode.QRCode(border=1)
    qr.add_data(command)
    if qr_file is not None:
        import qrcode.image.svg

        img = qrcode.make(command, image_factory=qrcode.image.svg.SvgPathImage)
        img.save(str(qr_file))
        print(f"该命令的二维码：{qr_file}")
    elif sys.stdout.isatty():
        qr.print_ascii(out=sys.stdout, invert=True)


def terminal_command(args: argparse.Namespace) -> int:
    """``terminal add|list|rotate|revoke|remove``: the district's terminals."""
    engine = open_db(args.db)
    try:
        if args.action == "list":
            with sessions(engine)() as s:
                for t in s.scalars(select(Terminal).order_by(Terminal.zone, Terminal.id)):
                    state = "已吊销" if t.revoked_at else ("已注册" if enrol.is_enrolled(t) else "待注册")
                    seen = f"{beijing(t.last_heartbeat_at)} 北京时间" if t.last_heartbeat_at else "从未"
                    print(f"{t.id:<16} {t.zone:<12} {state:<6} 最近心跳 {seen:<21} {t.name or ''}")
            return 0
        if args.action == "add":
            if not args.zone or not args.server:
                raise KioskError("terminal add 需要 --zone 和 --server（终端访问本服务器所用的网址）")
            _check_server_url(args.server, args.allow_http)
            issued = enrol.register(engine, args.zone, name=args.name, number=args.number)
            _show_issued(issued, args.server, args.key, args.qr, allow_http=args.allow_http)
            return 0
        if not args.terminal:
            raise KioskError(f"terminal {args.action} 需要终端编号")
        if args.action == "rotate":
            if not args.server:
                raise KioskError("terminal rotate 需要 --server（终端访问本服务器所用的网址）")
            _check_server_url(args.server, args.allow_http)
            issued, was = enrol.rotate(engine, args.terminal)
            _show_issued(issued, args.server, args.key, args.qr, allow_http=args.allow_http, again=True)
            print(ROTATE_NOTES[was])
        elif args.action == "revoke":
            enrol.revoke(engine, args.terminal)
            print(f"终端 {args.terminal} 已吊销：它的令牌即刻被拒绝（'terminal rotate' 可重新接纳它）")
        elif args.action == "remove":
            enrol.remove(engine, args.terminal)
            print(f"终端 {args.terminal} 已删除（它提交过的内容保留）")
    finally:
        engine.dispose()
    return 0


def printers_command(args: argparse.Namespace) -> int:
    """``printers set --zone Z FILE.toml`` / ``printers show``: the printer template per zone."""
    import json
    import tomllib

    engine = open_db(args.db)
    try:
        if args.action == "show":
            for zone, printers in sorted(enrol.printer_templates(engine).items()):
                print(f"{zone}: {json.dumps(printers, ensure_ascii=False)}")
            return 0
        if not args.file:
            raise KioskError("printers set 需要 --file：含 [[printers]] 表的 TOML 文件")
        try:
            raw = tomllib.loads(args.file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise KioskError(f"{args.file}：无法读取：{os_reason(exc)}") from None
        except UnicodeDecodeError:
            raise KioskError(f"{args.file}：不是 UTF-8 文本") from None
        except tomllib.TOMLDecodeError as exc:
            raise KioskError(f"{args.file}：不是有效的 TOML：{exc}") from None
        enrol.set_printer_template(engine, args.zone, list(raw.get("printers", [])))
        where = "所有没有自己模板的专区" if args.zone == "*" else f"专区 {args.zone}"
        print(f"{where}的打印机模板：{len(raw.get('printers', []))} 台打印机")
    finally:
        engine.dispose()
    return 0


def _snapshot_parser(sub: Any) -> None:
    sn = sub.add_parser("snapshot", help="为某一范围生成首次同步快照（截至当前发布序号）")
    sn.add_argument("--db", required=True)
    sn.add_argument("--key", type=Path, required=True, help="存放签名私钥的文件夹")
    sn.add_argument("--out", type=Path, help="快照文件夹（默认与 serve 相同：数据库旁）")
    sn.add_argument("--scope", choices=["own", "all"], default="all")
    sn.add_argument("--zone", help="own：专区代码")


def snapshot_command(args: argparse.Namespace) -> int:
    """Build the first-sync snapshot of one scope (:mod:`sync.server.feed.snapshot`) and print its descriptor."""
    from sync.server.feed import snapshot

    out = args.out or default_snapshot_dir(args.db)
    if out is None:
        raise ConfigError("数据库不是 SQLite 文件时必须给出 --out")
    if args.scope == "own" and not args.zone:
        raise ConfigError("--scope own 需要 --zone")
    env = snapshot.build(open_db(args.db), signing.load_signer(args.key), out, args.scope, args.zone)
    p = env["payload"]
    print(
        f"快照 {p['scope']} {p['zone'] or ''} 截至序号 {p['head_seq']}：{p['documents']} 份文件，"
        f"{p['size']} 字节，sha256 {p['sha256']}"
    )
    return 0


def _terminal_parser(sub: Any) -> None:
    tm = sub.add_parser("terminal", help="终端：add（发注册码）、list、rotate、revoke、remove")
    tm.add_argument("action", choices=["add", "list", "rotate", "revoke", "remove"])
    tm.add_argument("terminal", nargs="?", help="终端编号（rotate、revoke、remove）")
    tm.add_argument("--db", required=True)
    tm.add_argument("--zone", help="add：专区代码（须已发布）")
    tm.add_argument("--name", help="add：显示名称（默认：专区名称 NN 号机）")
    tm.add_argument("--number", type=int, help="add：终端在本专区的序号 1-99（默认：第一个空号）")
    tm.add_argument("--server", help="add/rotate：终端访问本服务器所用的网址（https://…）")
    tm.add_argument("--key", type=Path, help="add/rotate：签名密钥文件夹，用于显示其指纹")
    tm.add_argument("--qr", type=Path, help="add/rotate：另将终端命令写成二维码（.svg）")
    tm.add_argument(
        "--allow-http",
        action="store_true",
        help="add/rotate：接受非本机的明文 http:// --server（仅限封闭网络：令牌以明文传输）",
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand (``main`` runs it; tests read it)."""
    p = argparse.ArgumentParser(prog="python -m sync.server", description="政务公开区级同步服务器")
    sub = p.add_subparsers(dest="cmd", required=True)
    k = sub.add_parser("keygen", help="生成区级 Ed25519 签名密钥对")
    k.add_argument("--out", type=Path, required=True)
    pub = sub.add_parser("publish", help="从内容包发布、修订文件、专区和分类")
    pub.add_argument("--db", required=True)
    pub.add_argument("pack", type=Path)
    pub.add_argument("--dry-run", action="store_true", help="只显示将做什么（新增、修订、未变），不发布")
    pub.add_argument("--yes", action="store_true", help="即使修订会删除已有分类也发布")
    r = sub.add_parser("repeal", help="将文件标为已废止")
    r.add_argument("--db", required=True)
    r.add_argument("id")
    r.add_argument("--by", help="取代它的文件编号")
    w = sub.add_parser("withdraw", help="从所有终端镜像中撤下文件")
    w.add_argument("--db", required=True)
    w.add_argument("id")
    _terminal_parser(sub)
    pr = sub.add_parser("printers", help="各专区新终端的打印机模板：set、show")
    pr.add_argument("action", choices=["set", "show"])
    pr.add_argument("--file", type=Path, help="set：含 [[printers]] 表的 TOML 文件")
    pr.add_argument("--db", required=True)
    pr.add_argument("--zone", default="*", help="set：专区代码，或 * 表示所有没有自己模板的专区")
    admin_cli.add_parser(sub)
    _snapshot_parser(sub)
    sv = sub.add_parser("serve", help="运行 HTTP 服务器")
    sv.add_argument("--db", required=True)
    sv.add_argument("--key", type=Path, required=True, help="存放签名私钥的文件夹")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8750)
    sv.add_argument("--manifest-ttl-hours", type=float, default=DEFAULT_MANIFEST_TTL_S / 3600)
    sv.add_argument("--sync-interval", type=int, default=DEFAULT_SYNC_INTERVAL_S, help="新终端的同步间隔（秒）")
    sv.add_argument(
        "--offline-after-missed",
        type=int,
        default=2,
        help="终端可错过的心跳次数（每次为同步间隔的 1.1 倍），超过后终端状态页显示离线",
    )
    sv.add_argument(
        "--snapshots",
        type=Path,
        help="首次同步快照文件夹（默认：SQLite 数据库旁的 <文件名>-snapshots）",
    )
    sv.add_argument("--no-snapshots", action="store_true", help="不提供首次同步快照")
    sv.add_argument("--workers", type=int, default=1, help="共用一个数据库的工作进程数（默认 1）")
    sv.add_argument(
        "--trust-proxy",
        action="store_true",
        help="在反向代理之后：协议和主机取自 X-Forwarded-Proto/-Host，客户端地址取自 X-Forwarded-For 的最后一跳"
        "（只用于限流和登录审计，从不用于授权）",
    )
    sv.add_argument("--releases", type=Path, help="版本包存放文件夹（默认：SQLite 数据库旁的 <文件名>-releases）")
    recovery_cli.add_serve_arguments(sv)
    _more_parsers(sub)
    return p


def _more_parsers(sub: Any) -> None:
    """The subcommands other modules define (migrations, personal-data keys, the office, recovery, root,
    releases)."""
    migrate.add_parser(sub)
    pii_admin.add_parser(sub)
    office_cli.add_parsers(sub)
    recovery_cli.add_parsers(sub)
    keys_cli.add_parsers(sub)
    release_cli.add_parser(sub)


def publish_command(args: argparse.Namespace) -> int:
    """``publish``: show what the pack would do (new, amended, unchanged, categories dropped), then publish
    it — unless ``--dry-run``, or an amendment would drop categories and ``--yes`` was not given."""
    try:
        engine = open_db(args.db)
        shown = preview_pack(engine, args.pack)
        print("\n".join(shown.lines()))
        if args.dry_run:
            print("（预览，未发布）")
            return 0
        if shown.drops and not args.yes:
            print("未发布：有修订会删除已有分类；确认无误后加 --yes 再发布", file=sys.stderr)
            return 1
        counts = publish_pack(engine, args.pack)
    except ContentPackError as exc:
        for n, why in exc.problems:
            print(f"{args.pack}:{n}: {why}", file=sys.stderr)
        print(f"{len(exc.problems)} 行有错；未发布任何内容", file=sys.stderr)
        return 1
    c = counts
    print(
        f"已发布：新增 {c['new']} 件，修订 {c['amended']} 件，未变 {c['unchanged']} 件；"
        f"专区 {c['zones']} 个，分类 {c['categories']} 个，附件 {c['blobs']} 个"
    )
    return 0


def main(argv: Sequence[str] | None = None, *, today: Today = china_today) -> int:
    """Run one command; ``today`` is the clock the office's steps, reports and the served app go by."""
    chinese_console()
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_alembic()  # its migration lines stay, not its every-start chatter
    try:
        done = office_cli.run(args, today)
        if done is None:
            done = recovery_cli.run(args, default_snapshot_dir)
        if done is None:
            done = keys_cli.run(args)
        if done is not None:
            return done
        handler = {
            "terminal": terminal_command,
            "printers": printers_command,
            "account": admin_cli.run,
            "snapshot": snapshot_command,
            "release": release_cli.run,
            "db": migrate.run_command,
            "pii": pii_admin.run,
        }
        if args.cmd in handler:
            return handler[args.cmd](args)
        if args.cmd == "keygen":
            priv, pubk = signing.generate(args.out)
            print(f"私钥：{priv}（只保存在服务器上）")
            print(f"公钥：{pubk}（带到离线根密钥处签发：root certify，见 docs/deploy.md §5）")
            print(f"密钥编号：{signing.load_verifier(pubk).key_id}")
        elif args.cmd == "publish":
            return publish_command(args)
        elif args.cmd == "repeal":
            print(f"已废止 {args.id}（发布序号 {repeal(open_db(args.db), args.id, args.by)}）")
        elif args.cmd == "withdraw":
            print(f"已撤下 {args.id}（发布序号 {withdraw(open_db(args.db), args.id)}）")
        elif args.cmd == "serve":
            snapshots = None if args.no_snapshots else (args.snapshots or default_snapshot_dir(args.db))
            releases = args.releases or release_cli.default_release_dir(args.db)
            settings = serve.ServeSettings(
                db=args.db,
                key=str(args.key),
                manifest_ttl_s=int(args.manifest_ttl_hours * 3600),
                trust_proxy=args.trust_proxy,
                sync_interval_s=args.sync_interval,
                offline_after_missed=max(1, args.offline_after_missed),
                snapshot_dir=str(snapshots) if snapshots else None,
                release_dir=str(releases) if releases else None,
                state_file=str(args.state or recovery.state_path(args.key)),
            )
            serve.run(settings, args.host, args.port, max(1, args.workers), today)
    except (KioskError, ServerRefusal) as exc:
        print(f"sync.server {args.cmd}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
