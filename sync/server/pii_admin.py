"""``python -m sync.server pii rotate|prune|status --db URL``: the personal-data keyring's life
(:mod:`sync.server.pii`).

``rotate`` adds a sealing key and a lookup key, re-seals every application with the new key and
recomputes every phone hash and status-page hash under the new lookup key, all in one transaction (a
failure changes nothing), then saves the keyring with the old keys still in it. ``prune`` drops sealing
keys nothing is sealed with any more. ``status`` says which keys seal how many applications.
"""

from __future__ import annotations

import argparse
import secrets
from collections import Counter
from typing import Any

from sqlalchemy import Engine, select

from sync.protocol import requests
from sync.server import pii
from sync.server.db import Meta, Submission, open_db, sessions
from sync.server.office.models import Case


def _phone(obj: Any) -> str | None:
    """The phone digits of a stored application: as intake reads them (:mod:`sync.protocol.requests`),
    or, for a row stored before the request models, by the rule intake used then."""
    try:
        return requests.parse(requests.ApplicationRequest, obj).phone_digits or None
    except requests.RequestRefused:
        return _legacy_phone(obj)


def _legacy_phone(obj: Any, depth: int = 0) -> str | None:
    """The first string under a key containing 'phone' or 'mobile' that has digits (at most 4 levels)."""
    if depth > 4 or not isinstance(obj, dict):
        return None
    for k, v in obj.items():
        if isinstance(v, str) and ("phone" in k.lower() or "mobile" in k.lower()) and requests.digits(v):
            return requests.digits(v)
    for v in obj.values():
        found = _legacy_phone(v, depth + 1)
        if found:
            return found
    return None


def rotate(engine: Engine) -> pii.Keyring:
    """Re-seal everything under a new key and lookup key; returns the saved keyring."""
    ring = pii.attach(engine, holds_sealed=pii.database_holds_sealed(engine))
    old = pii.Keyring.load(ring.path)
    new_key = ring._add_key()
    n = int(ring.lookup_id[1:]) + 1 if ring.lookup_id[1:].isdigit() else 1
    ring.lookup_id, ring.lookup_key = f"l{n}", secrets.token_bytes(32)
    with sessions(engine)() as s, s.begin():
        salt_row = s.get(Meta, "phone_salt")
        for sub in s.scalars(select(Submission).where(Submission.kind == "application")):
            data = old.open(sub.payload)
            sub.payload = ring.seal(data)
            phone = _phone(data)
            if phone:
                sub.phone_hash = ring.lookup(f"phone:{phone}")
                case = s.get(Case, sub.tracking_no) if sub.tracking_no else None
                if case is not None and case.phone_tail_hash is not None:
                    case.phone_tail_hash = ring.lookup(f"tail:{case.tracking_no.upper()}:{phone[-4:]}")
        if salt_row is not None:  # every hash is under the keyring now: the old in-database salt goes
            s.delete(salt_row)
        ring.save()  # before the commit: a crash after saving leaves the old keys in the file as well
    assert new_key == ring.current
    return ring


def usage(engine: Engine) -> Counter[str]:
    """How many applications each key seals (``plain`` for those stored before sealing)."""
    counts: Counter[str] = Counter()
    with sessions(engine)() as s:
        for text in s.scalars(select(Submission.payload).where(Submission.kind == "application")):
            counts[text[len(pii.PREFIX) :].split(":", 1)[0] if pii.is_sealed(text) else "plain"] += 1
    return counts


def prune(engine: Engine) -> list[str]:
    """Drop the sealing keys nothing is sealed with (never the current one); returns their ids."""
    ring = pii.attach(engine, holds_sealed=pii.database_holds_sealed(engine))
    used = usage(engine)
    gone = [k for k in ring.order[:-1] if used.get(k, 0) == 0]
    for k in gone:
        ring.order.remove(k)
        del ring.keys[k]
        del ring.created[k]
    ring.save()
    return gone


def add_parser(sub: Any) -> None:
    p = sub.add_parser("pii", help="申请人个人信息的存储加密：rotate 轮换密钥、prune 清理旧密钥、status 查看")
    p.add_argument("action", choices=("rotate", "prune", "status"))
    p.add_argument("--db", required=True)


def run(args: argparse.Namespace) -> int:
    engine = open_db(args.db)
    try:
        if args.action == "rotate":
            ring = rotate(engine)
            print(f"已用密钥 {ring.current} 重新加密；旧密钥保留在 {ring.path} 中，直到运行 'pii prune'")
        elif args.action == "prune":
            gone = prune(engine)
            print(f"已删除的密钥：{'、'.join(gone) or '（无）'}")
        else:
            ring = pii.attach(engine, holds_sealed=pii.database_holds_sealed(engine))
            print(f"密钥环：{ring.path}；当前加密密钥 {ring.current}；查询密钥 {ring.lookup_id}")
            for key, n in sorted(usage(engine).items()):
                print(f"  {'未加密（plain）' if key == 'plain' else key}：{n} 件申请")
    finally:
        engine.dispose()
    return 0
