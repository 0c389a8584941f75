"""The signed manifest: the feed's head with its epoch and hash-chain value (:mod:`sync.server.feed.chain`),
the hashes of the zone, category, calendar and release lists, a monotonic version and an expiry.
Re-issued (version + 1) when any of them moved or half its life passed; otherwise the stored text is
served as it is, so every worker answers the same bytes. Each newly signed manifest is also recorded
outside the database (:func:`sync.server.recovery.write_state`), so the server can refuse to serve an
older database."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.protocol.signing import Signer, canonical
from sync.server.db import CategoryRow, Meta, ZoneRow, begin_read, head_seq, meta_get, meta_set, utcnow
from sync.server.deps import iso
from sync.server.feed import calendar as cal
from sync.server.feed import chain
from sync.server.recovery import SignedState, write_state
from sync.server.releases.store import releases_payload


def list_payload(session: Session, kind: str) -> dict[str, Any]:
    """The zones or the categories as the wire carries them (``kind`` is ``zones`` or ``categories``)."""
    if kind == "zones":
        texts = list(session.scalars(select(ZoneRow.data).order_by(ZoneRow.code)))
    else:
        texts = list(session.scalars(select(CategoryRow.data).order_by(CategoryRow.code)))
    return {"kind": kind, "items": [json.loads(t) for t in texts]}


def _wanted(session: Session, with_chain: bool) -> dict[str, Any]:
    """What the manifest must say now: the feed's head (with its epoch and chain) and the lists' hashes."""
    want: dict[str, Any] = {
        "epoch": chain.epoch(session),
        "head_seq": head_seq(session),
        "chain": chain.head(session),
        "zones_sha256": hashlib.sha256(canonical(list_payload(session, "zones"))).hexdigest(),
        "categories_sha256": hashlib.sha256(canonical(list_payload(session, "categories"))).hexdigest(),
        "calendar_sha256": hashlib.sha256(canonical(cal.build_payload(session))).hexdigest(),
        "releases_sha256": hashlib.sha256(canonical(releases_payload(session))).hexdigest(),
    }
    if not with_chain:
        del want["epoch"], want["chain"]
    return want


def _still_good(stored: str | None, want: dict[str, Any], signer: Signer, ttl_s: int, with_chain: bool) -> bool:
    """Whether the stored manifest says what ``want`` says, under the current key, for more than half its life."""
    if stored is None:
        return False
    payload = json.loads(stored)["payload"]
    expires = dt.datetime.fromisoformat(payload["expires_at"].rstrip("Z"))
    same = all(payload.get(k) == v for k, v in want.items()) and ("chain" in payload) == with_chain
    same = same and json.loads(stored).get("key_id") == signer.key_id  # a rotated key signs anew
    return same and (expires - utcnow()).total_seconds() > ttl_s / 2


def current_manifest(
    session: Session, signer: Signer, ttl_s: int, state_file: Path | None = None, *, with_chain: bool = True
) -> str:
    """The signed manifest's text, re-issued when the feed or a list moved or half its life has passed
    (``with_chain`` False: without the epoch and chain, only as the fork-check benchmark's baseline).

    ``session`` must not be in a transaction. The check is a read (:func:`sync.server.db.begin_read`: it
    does not wait for a writer); only a re-issue takes the write lock, and looks again under it."""
    begin_read(session)
    stored = meta_get(session, "manifest")
    good = _still_good(stored, _wanted(session, with_chain), signer, ttl_s, with_chain)
    session.rollback()
    if good and stored is not None:
        return stored
    want = _wanted(session, with_chain)  # again, under the write lock: another worker may have re-issued it
    stored = meta_get(session, "manifest")
    if _still_good(stored, want, signer, ttl_s, with_chain) and stored is not None:
        session.rollback()
        return stored
    now = utcnow()
    row = session.scalar(select(Meta).where(Meta.key == "manifest_version").with_for_update())
    version = (int(row.value) if row is not None else 0) + 1
    payload = {
        "kind": "manifest",
        "version": version,
        "issued_at": iso(now),
        "expires_at": iso(now + dt.timedelta(seconds=ttl_s)),
        **want,
    }
    text = json.dumps(signer.sign(payload), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    meta_set(session, "manifest_version", str(version))
    meta_set(session, "manifest", text)
    session.commit()
    if state_file is not None and with_chain:  # committed first: never claims more than the database holds
        write_state(state_file, SignedState(want["epoch"], version, want["head_seq"], want["chain"]))
    return text
