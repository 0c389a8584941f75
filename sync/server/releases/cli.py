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

from sqlalchemy.engine import make_url

from sync.server.db import normalize_url, open_db
from sync.server.errors import ServerRefusal
from sync.server.releases import store


def default_release_dir(db: str) -> Path | None:
    url = make_url(normalize_url(db))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return path.with_name(path.name + "-releases")


def release_dir(args: argparse.Namespace) -> Path:
    folder = args.releases or default_release_dir(args.db)
    if folder is None:
        raise ServerRefusal("--releases DIR is required for a database that is not an SQLite file")
    return Path(folder)


def add_parser(sub: Any) -> None:
    r = sub.add_parser("release", help="software releases: publish a bundle, roll it out by zone, halt it")
    r.add_argument("action", choices=["publish", "rollout", "halt", "list"])
    r.add_argument("target", nargs="?", help="publish: the bundle folder; rollout/halt: the version")
    r.add_argument("--db", required=True)
    r.add_argument("--releases", type=Path, help="archive folder (default: beside an SQLite database)")
    r.add_argument("--version", help="publish: the release's version (e.g. 2026.12.2)")
    r.add_argument("--min-schema", help="publish: mirror schema revision it needs (default: this code's newest)")
    r.add_argument("--zones", help="rollout: comma-separated zone codes")
    r.add_argument("--all", action="store_true", help="rollout: every zone")


def run(args: argparse.Namespace) -> int:
    engine = open_db(args.db)
    try:
        if args.action == "list":
            for row in store.list_rows(engine):
                print(store.describe(row))
            return 0
        if not args.target:
            raise ServerRefusal(
                f"release {args.action} needs {'the bundle folder' if args.action == 'publish' else 'a version'}"
            )
        if args.action == "publish":
            if not args.version:
                raise ServerRefusal("release publish needs --version")
            done = store.publish(engine, release_dir(args), Path(args.target), args.version, args.min_schema)
            print(
                f"release {done.version}: {done.size} bytes ({done.bundle_bytes} unpacked), sha256 {done.sha256}\n"
                f"archive: {done.archive}\nnot offered to any terminal yet: release rollout {done.version} --zones …"
            )
        elif args.action == "rollout":
            if args.all == bool(args.zones):
                raise ServerRefusal("release rollout needs either --zones a,b or --all")
            zones = None if args.all else [z.strip() for z in args.zones.split(",") if z.strip()]
            now = store.rollout(engine, args.target, zones)
            where = "every zone" if now == ["*"] else ", ".join(now)
            print(f"release {args.target} offered to {where}; terminals switch outside their zone's opening hours")
        elif args.action == "halt":
            store.halt(engine, args.target)
            print(f"release {args.target} halted: no terminal starts on it now; those running it stay")
    finally:
        engine.dispose()
    return 0
