"""``python -m sync.server backup|restore|lost``: the district's backup and restore commands
(:mod:`sync.server.recovery`; the drill is in docs/deploy.md)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sync.server import pii, recovery
from sync.server.db import normalize_url, open_db, sessions, utcnow
from sync.server.terminals.fleet import beijing


def add_parsers(sub: Any) -> None:
    b = sub.add_parser("backup", help="copy the live server database (SQLite online backup)")
    b.add_argument("--db", required=True)
    b.add_argument("--out", type=Path, required=True, help="the backup file to write (replaced atomically)")
    r = sub.add_parser("restore", help="restore a backup and start a new feed epoch (server stopped)")
    r.add_argument("--db", required=True)
    r.add_argument("--from", dest="source", type=Path, help="SQLite: the backup file (PostgreSQL: pg_restore first)")
    r.add_argument("--key", type=Path, required=True, help="the signing key folder (its feed-state.json)")
    r.add_argument("--state", type=Path, help="the signed-state file (default: feed-state.json beside the key)")
    r.add_argument("--snapshots", type=Path, help="the snapshot folder to clear (default: as serve uses)")
    lo = sub.add_parser("lost", help="applications terminals say were acknowledged that this server lacks")
    lo.add_argument("--db", required=True)
    lo.add_argument("--all", action="store_true", help="also those marked as followed up")
    lo.add_argument("--resolve", metavar="TRACKING_NO", help="mark one as followed up by the office")


def add_serve_arguments(sv: Any) -> None:
    """``serve --state FILE``: where the last signed manifest is recorded (the guard against old databases)."""
    sv.add_argument(
        "--state", type=Path, help="record of the last signed manifest (default: feed-state.json beside the key)"
    )


def run(args: argparse.Namespace, default_snapshot_dir: Any) -> int | None:
    """Run a recovery command; None when ``args`` is another command."""
    if args.cmd == "backup":
        out = recovery.backup_sqlite(args.db, args.out)
        print(f"backup written: {out} ({out.stat().st_size} bytes)")
        print(
            "keep beside it, from another disk: the key folder (district-signing.key, keyset.json, root.pub, "
            f"roots/, feed-state.json) and the personal-data keyring {pii.default_path(normalize_url(args.db))} "
            "(without it the applications in this backup cannot be read)"
        )
        return 0
    if args.cmd == "restore":
        state_file = args.state or recovery.state_path(args.key)
        snaps = args.snapshots or default_snapshot_dir(args.db)
        st = recovery.restore(args.db, args.source, state_file, snaps)
        print(
            f"restored: feed epoch {st.epoch}, head {st.head_seq}, manifest version kept at {st.manifest_version}; "
            "terminals reconcile on their next sync and report the applications this database lacks "
            "(python -m sync.server lost --db …)"
        )
        return 0
    if args.cmd == "lost":
        return _lost(args)
    return None


def _utc(text: str | None) -> dt.datetime | None:
    """A terminal's ISO time (``2026-12-08T02:27:33Z``) as naive UTC; None when it is not one."""
    try:
        t = dt.datetime.fromisoformat((text or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


def _lost(args: argparse.Namespace) -> int:
    engine = open_db(args.db)
    try:
        with sessions(engine)() as s, s.begin():
            if args.resolve:
                rows = list(
                    s.scalars(
                        select(recovery.LostApplication).where(recovery.LostApplication.tracking_no == args.resolve)
                    )
                )
                for row in rows:
                    row.resolved_at = utcnow()
                print(f"{args.resolve}: {'marked as followed up' if rows else 'not in the list'}")
                return 0 if rows else 1
            rows = recovery.lost_applications(s, open_only=not args.all)
            if not rows:
                print("no acknowledged application is missing")
            else:
                print("受理编号                 专区         终端             终端收到确认 / 报告时间（北京时间）")
            for row in rows:
                done = "  (已跟进)" if row.resolved_at else ""
                acked = beijing(_utc(row.acked_at)) or "?"
                print(
                    f"{row.tracking_no:<24} {row.zone:<12} {row.terminal_id:<16} 确认于 {acked}"
                    f"  报告于 {beijing(row.reported_at)}{done}"
                )
    finally:
        engine.dispose()
    return 0
