"""``python -m sync.server release publish|rollout|halt|list``: district IT's release commands.

    release publish BUNDLE --version V [--min-schema REV]   pack the bundle folder, record hash and size
    release rollout V --zones a,b | --all                    offer it to those zones (adds to earlier ones)
    release halt V                                           stop offering it (who switched, stays)
    release list                                             every release, its zones and state

``--releases DIR`` is the archive folder (default: beside an SQLite database, ``<file>-releases``), the
same ``serve --releases`` serves from.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from sync.server.db import normalize_url, open_db, sessions
from sync.server.errors import ServerRefusal
from sync.server.releases import store
from sync.server.terminals import enrol


def default_release_dir(db: str) -> Path | None:
    url = make_url(normalize_url(db))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return path.with_name(path.name + "-releases")


def release_dir(args: argparse.Namespace) -> Path:
    folder = args.releases or default_release_dir(args.db)
    if folder is None:
        raise ServerRefusal("数据库不是 SQLite 文件时必须给出 --releases 文件夹")
    return Path(folder)


def add_parser(sub: Any) -> None:
    r = sub.add_parser("release", help="终端软件版本：publish 发布、rollout 按专区推送、halt 停止推送、list 列出")
    r.add_argument("action", choices=["publish", "rollout", "halt", "list"])
    r.add_argument("target", nargs="?", help="publish：软件包文件夹；rollout/halt：版本号")
    r.add_argument("--db", required=True)
    r.add_argument("--releases", type=Path, help="版本包存放文件夹（默认：SQLite 数据库旁）")
    r.add_argument("--version", help="publish：版本号（如 2026.12.2）")
    r.add_argument("--min-schema", help="publish：它需要的镜像数据库结构版本（默认：本程序的最新版本）")
    r.add_argument("--zones", help="rollout：专区代码，用逗号分隔")
    r.add_argument("--all", action="store_true", help="rollout：所有专区")


def zone_label(engine: Engine, code: str) -> str:
    """``万宝镇（wanbao）``: a zone's Chinese name with its code, or the code alone when it is not published."""
    with sessions(engine)() as s:
        name = enrol.zones(s).get(code, {}).get("name")
    return f"{name}（{code}）" if name else code


def run(args: argparse.Namespace) -> int:
    engine = open_db(args.db)
    try:
        if args.action == "list":
            for row in store.list_rows(engine):
                print(store.describe(row))
            return 0
        if not args.target:
            raise ServerRefusal(f"release {args.action} 需要{'软件包文件夹' if args.action == 'publish' else '版本号'}")
        if args.action == "publish":
            if not args.version:
                raise ServerRefusal("release publish 需要 --version")
            done = store.publish(engine, release_dir(args), Path(args.target), args.version, args.min_schema)
            print(
                f"版本 {done.version}：{done.size} 字节（解包后 {done.bundle_bytes} 字节），sha256 {done.sha256}\n"
                f"版本包：{done.archive}\n尚未向任何终端推送：release rollout {done.version} --zones …"
            )
        elif args.action == "rollout":
            if args.all == bool(args.zones):
                raise ServerRefusal("release rollout 需要 --zones a,b 或 --all（二选一）")
            zones = None if args.all else [z.strip() for z in args.zones.split(",") if z.strip()]
            now = store.rollout(engine, args.target, zones)
            where = "所有专区" if now == ["*"] else "、".join(zone_label(engine, z) for z in now)
            print(f"版本 {args.target} 已推送到{where}；终端在本专区开放时间以外切换")
        elif args.action == "halt":
            store.halt(engine, args.target)
            print(f"版本 {args.target} 已停止推送：不再有终端切换到它；已在运行它的终端保持不变")
    finally:
        engine.dispose()
    return 0
