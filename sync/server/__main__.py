"""``python -m sync.server keygen|publish|repeal|withdraw|add-terminal|serve``: the district's command line.

    keygen --out DIR                       the district's Ed25519 signing key pair
    publish --db URL PACK.jsonl            publish and amend from a content pack (all or nothing)
    repeal --db URL ID [--by NEWID]        mark a document 已废止, naming its replacement
    withdraw --db URL ID                   remove a document from every mirror
    add-terminal --db URL --zone ZONE      register a terminal; prints its token once
    account add|list|passwd|roles|disable|enable --db URL [NAME] [--role it|office]
    serve --db URL --key DIR [--host H] [--port N] [--trust-proxy]
    calendar | case | overdue                the 政务公开 office's commands (sync/server/office_cli.py)

``--db`` takes an SQLAlchemy URL (``postgresql+psycopg://…``) or a plain SQLite file path. The admin pages
need an account (``account add``; the password is asked for, or read from the first line of stdin when
stdin is not a terminal; never given as an argument). See ``sync.server.auth``.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select

from kiosk.errors import ContentPackError, KioskError
from sync import signing
from sync.server import auth, office_cli
from sync.server.app import DEFAULT_MANIFEST_TTL_S, create_app, token_hash
from sync.server.db import Terminal, open_db, sessions
from sync.server.publish import publish_pack, repeal, withdraw


def add_terminal(url: str, zone: str, terminal_id: str | None = None) -> tuple[str, str]:
    """Register a terminal of ``zone``; returns (terminal id, token). Only the token's hash is stored."""
    engine = open_db(url)
    token = secrets.token_urlsafe(32)
    with sessions(engine)() as s, s.begin():
        if terminal_id is None:
            n = int(s.scalar(select(func.count()).select_from(Terminal).where(Terminal.zone == zone)) or 0)
            terminal_id = f"{zone}-{n + 1:02d}"
            while s.get(Terminal, terminal_id) is not None:
                n += 1
                terminal_id = f"{zone}-{n + 1:02d}"
        elif s.get(Terminal, terminal_id) is not None:
            raise KioskError(f"terminal {terminal_id!r} already exists")
        s.add(Terminal(id=terminal_id, zone=zone, token_hash=token_hash(token)))
    engine.dispose()
    return terminal_id, token


def read_password(prompt: str = "password: ") -> str:
    """The new password: asked twice on a terminal, else the first line of stdin (never from argv)."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(prompt)
        if getpass.getpass("again: ") != first:
            raise KioskError("the two passwords differ; nothing was changed")
        return first
    line = sys.stdin.readline()
    if not line:
        raise KioskError("no password on stdin")
    return line.rstrip("\r\n")


def account_command(args: argparse.Namespace) -> int:
    """``account add|list|passwd|roles|disable|enable``: admin accounts of the server's pages."""
    engine = open_db(args.db)
    try:
        if args.action == "list":
            infos = auth.list_accounts(engine)
            if not infos:
                print("no accounts: nobody can open the admin pages (create one with 'account add NAME --role it')")
            for info in infos:
                d = auth.describe(info)
                print(f"{d['username']:<20} {d['roles']:<10} {d['state']:<9} last login {d['last_login']}")
            return 0
        if not args.name:
            raise KioskError(f"account {args.action} needs a NAME")
        if args.action == "add":
            roles = auth.parse_roles(args.role or [])
            name = auth.add_account(engine, args.name, roles, read_password())
            print(f"account {name} created with role(s) {','.join(roles)}")
        elif args.action == "passwd":
            auth.set_password(engine, args.name, read_password())
            print(f"password of {args.name} changed; its sessions were ended and any lockout lifted")
        elif args.action == "roles":
            auth.set_roles(engine, args.name, auth.parse_roles(args.role or []))
            print(f"roles of {args.name} changed")
        elif args.action in ("disable", "enable"):
            auth.set_disabled(engine, args.name, args.action == "disable")
            print(f"account {args.name} {args.action}d")
    finally:
        engine.dispose()
    return 0


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915 - one branch per subcommand
    p = argparse.ArgumentParser(prog="python -m sync.server", description="政务公开 district sync server")
    sub = p.add_subparsers(dest="cmd", required=True)
    k = sub.add_parser("keygen", help="create the district's Ed25519 signing key pair")
    k.add_argument("--out", type=Path, required=True)
    pub = sub.add_parser("publish", help="publish/amend documents, zones and categories from a content pack")
    pub.add_argument("--db", required=True)
    pub.add_argument("pack", type=Path)
    r = sub.add_parser("repeal", help="mark a document repealed (已废止)")
    r.add_argument("--db", required=True)
    r.add_argument("id")
    r.add_argument("--by", help="id of the document that replaces it")
    w = sub.add_parser("withdraw", help="delete a document from every mirror")
    w.add_argument("--db", required=True)
    w.add_argument("id")
    a = sub.add_parser("add-terminal", help="register a terminal and print its token (shown once)")
    a.add_argument("--db", required=True)
    a.add_argument("--zone", required=True)
    a.add_argument("--id", help="terminal id (default: ZONE-NN)")
    ac = sub.add_parser("account", help="admin accounts: add, list, passwd, roles, disable, enable")
    ac.add_argument("action", choices=["add", "list", "passwd", "roles", "disable", "enable"])
    ac.add_argument("name", nargs="?")
    ac.add_argument("--db", required=True)
    ac.add_argument("--role", action="append", help="it (terminals, enrolment) or office (政务公开 office); repeatable")
    sv = sub.add_parser("serve", help="run the HTTP server")
    sv.add_argument("--db", required=True)
    sv.add_argument("--key", type=Path, required=True, help="folder holding the private signing key")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8750)
    sv.add_argument("--manifest-ttl-hours", type=float, default=DEFAULT_MANIFEST_TTL_S / 3600)
    sv.add_argument(
        "--trust-proxy",
        action="store_true",
        help="behind a reverse proxy: believe its X-Forwarded-Proto/-Host (never the source address)",
    )
    office_cli.add_parsers(sub)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        done = office_cli.run(args)
        if done is not None:
            return done
        if args.cmd == "keygen":
            priv, pubk = signing.generate(args.out)
            print(f"private key: {priv} (keep it on the server only)\npublic key:  {pubk} (give it to every terminal)")
            print(f"key id: {signing.load_verifier(pubk).key_id}")
        elif args.cmd == "publish":
            try:
                counts = publish_pack(open_db(args.db), args.pack)
            except ContentPackError as exc:
                for n, why in exc.problems:
                    print(f"{args.pack}:{n}: {why}", file=sys.stderr)
                print(f"{len(exc.problems)} bad line(s); nothing was published", file=sys.stderr)
                return 1
            print(" ".join(f"{k}={v}" for k, v in counts.items()))
        elif args.cmd == "repeal":
            print(f"repealed {args.id} at seq {repeal(open_db(args.db), args.id, args.by)}")
        elif args.cmd == "withdraw":
            print(f"withdrew {args.id} at seq {withdraw(open_db(args.db), args.id)}")
        elif args.cmd == "add-terminal":
            tid, token = add_terminal(args.db, args.zone, args.id)
            print(f"terminal: {tid}\nzone: {args.zone}\ntoken: {token}")
            print("(the token is shown only this once; the server keeps only its hash)", file=sys.stderr)
        elif args.cmd == "account":
            return account_command(args)
        elif args.cmd == "serve":
            import uvicorn

            app = create_app(
                open_db(args.db),
                signing.load_signer(args.key),
                manifest_ttl_s=int(args.manifest_ttl_hours * 3600),
                trust_proxy=args.trust_proxy,
            )
            # uvicorn's own proxy-header handling would take X-Forwarded-For as the client address; the
            # server never trusts a source address, and reads X-Forwarded-Proto itself when told to.
            uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=False)
    except KioskError as exc:
        print(f"sync.server {args.cmd}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
