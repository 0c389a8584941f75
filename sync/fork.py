"""The terminal's fork check: is what this mirror holds still a prefix of what the district publishes?

The server signs the value of its feed's hash chain (:mod:`sync.server.feed.chain`) at the head (in the
manifest) and at both ends of every page, together with the feed's *epoch*. The terminal stores the value
at its cursor (``sync.chain``) and the epoch (``sync.epoch``) in the same transaction as the cursor, and
on every run compares:

- a manifest of another epoch: the server was restored from a backup (``python -m sync.server restore``);
- a head below the cursor, or (head = cursor) another chain value at the head, or a first page whose
  ``after_chain`` is not the stored value: the server's history up to the cursor is not the one this
  mirror took (a server restored or replaced by hand).

Any of these is a **fork**. The run then says so in plain Chinese (part ``fork``, code ``fork``: the
staff screen and, through the heartbeat, the fleet page), records it in ``sync.fork`` (so no later run
reports success until it is healed) and reconciles: the mirror's content is replaced as a whole, in one
transaction, by the server's (the signed snapshot of this epoch when the server offers one, else a
content file built here from the whole feed with the terminal's own code), with the cursor, chain and
epoch of what was installed. Outbox, applications, print jobs, counters and settings are not touched.
The terminal also owes the server a report of the tracking numbers it was told were received
(``sync.acks_due``), sent with ``POST /v1/acks`` until the server answers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kiosk import outbox
from kiosk.db import private_dir
from kiosk.errors import SignatureError, SyncError
from kiosk.mirror import snapshot as content
from kiosk.mirror.store import HistoryRecord, kv_get, kv_set
from sync.protocol.wire import MAX_ACKS_REPORTED

log = logging.getLogger("sync.fork")

FORK_KEY = "sync.fork"
ACKS_DUE_KEY = "sync.acks_due"


class ForkDetected(SyncError):
    """The server's feed up to this terminal's cursor is not the one the mirror took."""

    code = "fork"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PageChain:
    """The signed chain values of one page: its epoch and the chain at ``after`` and at ``next_after``."""

    epoch: int | None
    after_chain: str | None
    next_chain: str | None


def stored(session: Session) -> tuple[str, str, str]:
    """(epoch, chain at the cursor, pending fork reason) as stored; empty strings when unknown."""
    return (kv_get(session, "sync.epoch", "") or "", kv_get(session, "sync.chain", "") or "", pending(session))


def pending(session: Session) -> str:
    """The reason of a fork found earlier and not yet healed ("" when none)."""
    raw = kv_get(session, FORK_KEY, "") or ""
    if not raw:
        return ""
    try:
        reason = json.loads(raw).get("reason")
    except (ValueError, AttributeError):
        return "上次发现的发布记录分叉尚未核对完"
    return reason if isinstance(reason, str) and reason else "上次发现的发布记录分叉尚未核对完"


def at_manifest(session: Session, manifest: dict[str, Any], cursor: int) -> str | None:
    """Why the verified ``manifest`` shows a fork (None when it does not). Records the epoch and chain at
    the cursor when they were unknown and the manifest can tell them (trust on first use: a mirror synced
    before the chain existed)."""
    epoch, chain, fork = stored(session)
    if fork:
        return fork
    m_epoch, m_chain, head = manifest.get("epoch"), manifest.get("chain"), int(manifest["head_seq"])
    if m_epoch is None or m_chain is None:  # a server without the chain: nothing to compare
        return None
    if epoch and epoch != str(m_epoch):
        return f"区级服务器已从备份恢复（发布纪元由 {epoch} 变为 {m_epoch}），本机内容与服务器不一致"
    if head < cursor:
        return f"区级服务器的发布序号（{head}）低于本机已同步的（{cursor}），服务器的内容已与本机不同"
    if head == cursor:
        if chain and chain != m_chain:
            return "区级服务器在本机已同步位置的发布记录与本机不一致（服务器可能被恢复或更换）"
        kv_set(session, "sync.epoch", str(m_epoch))
        kv_set(session, "sync.chain", str(m_chain))
    elif not epoch:
        kv_set(session, "sync.epoch", str(m_epoch))  # the first page tells the chain at the cursor
    return None


def check_page(session_chain: str, page: PageChain, manifest: dict[str, Any]) -> None:
    """ForkDetected when the page's signed chain at its start is not the value stored for the cursor."""
    if page.epoch is not None and manifest.get("epoch") is not None and page.epoch != manifest["epoch"]:
        raise SignatureError("page: signed for another feed epoch than the manifest's")
    if session_chain and page.after_chain is not None and page.after_chain != session_chain:
        raise ForkDetected("区级服务器在本机已同步位置之前的发布记录与本机不一致（服务器可能被恢复或更换）")


def mark(session: Session, reason: str, at: str, epoch: Any) -> None:
    """Record the fork (until healed) and that the acknowledged tracking numbers must be reported."""
    if not pending(session):
        kv_set(session, FORK_KEY, json.dumps({"reason": reason, "at": at}, ensure_ascii=False))
    if epoch is not None:
        kv_set(session, ACKS_DUE_KEY, str(epoch))


def healed_kv(epoch: Any, chain: str, behind: int) -> dict[str, str]:
    """The key-value rows written in the install transaction that heals the mirror."""
    return {"sync.epoch": str(epoch), "sync.chain": chain, FORK_KEY: "", "sync.behind": str(behind)}


# -- rebuilding the content from the feed (no snapshot of this epoch) --------------------------------------
Fetch = Callable[[int, int], tuple[list[dict[str, Any]], int, int | None, PageChain]]


def rebuild_from_feed(
    engine: Engine,
    data_dir: Path,
    fetch: Fetch,
    *,
    head: int,
    manifest: dict[str, Any],
    in_scope: Callable[[Any], bool],
) -> int:
    """Replace the mirror's content by the whole feed up to ``head`` (every page verified as usual), built
    into a fresh content file by the terminal's own code and installed in one transaction. Returns the
    number of documents. The last page's signed chain must be the manifest's."""
    last_chain: list[str | None] = [manifest.get("chain") if head == 0 else None]

    def batches() -> Iterator[list[content.Entry]]:
        cursor = 0
        while cursor < head:
            entries, nxt, _remaining, chain = fetch(cursor, head)
            batch: list[content.Entry] = []
            for p in entries:
                if p["op"] == "put" and in_scope(p["record"].zone_id):
                    history: list[HistoryRecord] = p["history"]
                    batch.append((p["seq"], p["record"], history))
            if batch:
                yield batch
            cursor, last_chain[0] = nxt, chain.next_chain

    private_dir(data_dir / "snapshot")
    work = data_dir / "snapshot" / "rebuild.sqlite"
    try:
        count = content.build_content(work, batches())
        if manifest.get("chain") is not None and last_chain[0] != manifest["chain"]:
            raise SignatureError("重建时服务器给出的发布记录与其清单不一致，已放弃本次核对")
        content.install(engine, work, cursor=head, kv=healed_kv(manifest.get("epoch"), str(last_chain[0] or ""), 0))
    finally:
        work.unlink(missing_ok=True)
    return count


# -- what the server once acknowledged --------------------------------------------------------------------
def acked_applications(session: Session) -> list[dict[str, str | None]]:
    """The tracking numbers of applications the server acknowledged (newest first, bounded), with when."""
    rows = session.execute(
        select(outbox.OutboxEntry.response, outbox.OutboxEntry.acked_at)
        .where(outbox.OutboxEntry.kind == "application", outbox.OutboxEntry.acked_at.is_not(None))
        .order_by(outbox.OutboxEntry.acked_at.desc())
        .limit(MAX_ACKS_REPORTED)
    )
    out: list[dict[str, str | None]] = []
    for response, acked_at in rows:
        if acked_at is None:
            continue
        try:
            tn = json.loads(response or "{}").get("tracking_no")
        except (ValueError, AttributeError):
            continue
        if isinstance(tn, str) and 4 <= len(tn) <= 40:
            out.append({"tracking_no": tn, "acked_at": acked_at.replace(microsecond=0).isoformat() + "Z"})
    return out
