"""The feed's hash chain and epoch: what lets a terminal prove that what it holds is a prefix of what the
server publishes now (a transparency log's consistency check, in its simplest form).

Every feed entry, as it is issued, extends a running hash::

    chain(0) = sha256("zwgk-feed-chain-v1")
    chain(n) = sha256(chain(n-1) as 32 raw bytes + canonical(payload of the entry issued at seq n))

The feed itself is compacted (``feed_docs`` keeps one row per document, its latest entry), so the chain is
over the append-only sequence of entries *as issued*, and its value at every issued ``seq`` is kept in
``feed_chain`` (64 hex digits a row, never updated). ``chain_at(N)`` is the value of the greatest issued
seq not above N (sequence numbers below it that were never issued change nothing).

The terminal never recomputes the chain (it sees only the compacted entries of its own scope); it stores
the value the server signed for its cursor, and on every run checks that the server still signs the same
value there: the manifest signs the value at the head, every page signs the values at its ``after`` and
``next_after``. Two servers that disagree about any entry up to N disagree about ``chain_at(N)``.

The *epoch* counts deliberate restarts of the feed: ``python -m sync.server restore`` raises it, and a
terminal that sees a new epoch in a (signed, newer) manifest knows the server was restored from a backup
and reconciles its mirror from the server's content instead of trusting its cursor.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import BigInteger, Engine, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sync.server.db import FeedDoc, ServerBase, meta_get, meta_set, on_open, sessions

log = logging.getLogger("sync.server.feed.chain")

GENESIS = hashlib.sha256(b"zwgk-feed-chain-v1").hexdigest()


class FeedChain(ServerBase):
    """The chain's value after the entry issued at ``seq`` (append-only: one row per issued seq)."""

    __tablename__ = "feed_chain"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chain: Mapped[str] = mapped_column(String(64))


def link(prev: str, payload_text: str) -> str:
    """The chain after ``prev`` extended by one entry whose canonical payload is ``payload_text``."""
    return hashlib.sha256(bytes.fromhex(prev) + payload_text.encode("utf-8")).hexdigest()


def head(session: Session) -> str:
    """The chain's value at the feed head."""
    return meta_get(session, "chain_head") or GENESIS


def append(session: Session, seq: int, payload_text: str) -> str:
    """Extend the chain by the entry issued at ``seq`` (in the publisher's transaction, which holds the
    head lock, so entries are chained in seq order)."""
    value = link(head(session), payload_text)
    session.add(FeedChain(seq=seq, chain=value))
    meta_set(session, "chain_head", value)
    return value


def chain_at(session: Session, seq: int) -> str:
    """The chain's value at ``seq`` (the genesis value at 0 and before the first entry)."""
    if seq <= 0:
        return GENESIS
    value = session.scalar(select(FeedChain.chain).where(FeedChain.seq <= seq).order_by(FeedChain.seq.desc()).limit(1))
    return value or GENESIS


def page_fields(session: Session, after: int, next_after: int) -> dict[str, object]:
    """What a page of the changes feed signs for the fork check: the epoch and the chain at both ends."""
    return {
        "epoch": epoch(session),
        "after_chain": chain_at(session, after),
        "next_chain": chain_at(session, next_after),
    }


def epoch(session: Session) -> int:
    """The feed's epoch: 1 until a restore raised it."""
    raw = meta_get(session, "feed_epoch", "1") or "1"
    return int(raw) if raw.isdigit() else 1


def _backfill(engine: Engine) -> None:
    """A database from before the chain: chain what the compacted feed still holds, in seq order, once.

    Terminals that synced from it before have no stored chain value and take the first one they are
    given (documented in docs/protocol.md)."""
    with sessions(engine)() as session, session.begin():
        if meta_get(session, "chain_head") is not None:
            return
        if not session.scalar(select(func.count()).select_from(FeedDoc)):
            return
        if session.scalar(select(func.count()).select_from(FeedChain)):
            return
        value = GENESIS
        rows = session.execute(select(FeedDoc.seq, FeedDoc.payload).order_by(FeedDoc.seq))
        for seq, payload in rows:
            value = link(value, payload)
            session.add(FeedChain(seq=seq, chain=value))
        meta_set(session, "chain_head", value)
        log.info("feed chain built over the existing feed")


on_open(_backfill)
