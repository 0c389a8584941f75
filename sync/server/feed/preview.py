"""What publishing a content pack would do, before it does it: which documents are new, which amend a
published one (same id) and which are unchanged, and — for each amendment — the categories it drops and
whether it changes the title or the zone. Publishing the shared legal corpus over a district once amended
hundreds of its documents (same ids) and silently dropped their categories; ``publish`` now shows this
first and refuses an amendment that drops categories unless told ``--yes`` (``publish --dry-run`` only
shows it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kiosk.contentpack import parse_pack
from kiosk.errors import ContentPackError, os_reason
from kiosk.mirror.store import DocumentRecord
from sync.protocol.wire import record_to_wire
from sync.server.db import FeedDoc, sessions
from sync.server.feed.publish import pack_unknown_codes


@dataclass
class Amendment:
    doc_id: str
    title: str
    dropped: list[str] = field(default_factory=list)  # category codes the published version has, this lacks
    title_changed: bool = False
    zone_changed: bool = False


@dataclass
class Preview:
    new: list[str] = field(default_factory=list)
    amended: list[Amendment] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def drops(self) -> list[Amendment]:
        return [a for a in self.amended if a.dropped]

    def lines(self, limit: int = 20) -> list[str]:
        """The preview in plain Chinese, at most ``limit`` documents named per kind."""
        out = [f"新增 {len(self.new)} 件，修订 {len(self.amended)} 件（同一编号），未变 {len(self.unchanged)} 件"]
        for a in self.amended[:limit]:
            notes = []
            if a.dropped:
                notes.append("将删除分类 " + "、".join(a.dropped))
            if a.title_changed:
                notes.append("标题改变")
            if a.zone_changed:
                notes.append("适用专区改变")
            out.append(f"  修订 {a.doc_id} {a.title}" + (f"：{'；'.join(notes)}" if notes else ""))
        if len(self.amended) > limit:
            out.append(f"  …另有 {len(self.amended) - limit} 件修订")
        if self.drops:
            out.append(f"其中 {len(self.drops)} 件修订会删除已有分类")
        return out


def preview_records(session: Session, records: list[DocumentRecord]) -> Preview:
    """The preview of publishing ``records`` (DocumentRecord) over what the server has now."""
    from sync.server.feed.publish import content_hash

    p = Preview()
    for rec in records:
        wire = record_to_wire(rec)
        row = session.get(FeedDoc, wire["id"])
        if row is None or row.op != "put":
            p.new.append(wire["id"])
            continue
        if row.content_hash == content_hash(wire):
            p.unchanged.append(wire["id"])
            continue
        old = json.loads(row.payload).get("doc") or {}
        p.amended.append(
            Amendment(
                doc_id=wire["id"],
                title=str(wire.get("title") or ""),
                dropped=sorted(set(old.get("categories") or []) - set(wire.get("categories") or [])),
                title_changed=old.get("title") != wire.get("title"),
                zone_changed=old.get("zone") != wire.get("zone"),
            )
        )
    return p


def preview_pack(engine: Engine, path: Path) -> Preview:
    """The preview of publishing the pack at ``path`` (nothing is written)."""
    try:
        parsed = parse_pack(path)
    except OSError as exc:
        raise ContentPackError([(0, f"无法读取 {path}：{os_reason(exc)}")]) from None
    if parsed.problems:
        raise ContentPackError(parsed.problems)
    with sessions(engine)() as session:
        unknown = pack_unknown_codes(session, parsed)  # as publish_pack refuses it: no preview of what will not be
        if unknown:
            raise ContentPackError(unknown)
        return preview_records(session, [rec for _, rec in parsed.documents])
