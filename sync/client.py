"""The terminal's sync client: pull the district's signed content into the mirror, push the outbox.

One run (:func:`sync_once`) does, in order:

1. fetch the signed manifest; refuse it if forged, signed by another key, older than the newest one
   accepted (rolled back) or expired (the mirror then stays as it is and the screens say 内容可能不是最新);
2. fetch zones, categories and the working-day calendar when the manifest says they changed;
3. page through the changes feed from the stored cursor up to the manifest's head; every entry of a page
   is verified before any is applied, and the page is applied in one transaction together with the new
   cursor, so a crash leaves the mirror at a page boundary;
4. fetch the attachments the mirror lacks (resumable, verified before they become visible) and collect
   blobs nothing references any more;
5. deliver due outbox entries with their idempotency keys (acknowledged only after the server answers),
   then send a heartbeat. Due entries are also delivered before a snapshot and between feed pages (while
   the next page downloads), so a slow pull holds an application back for one page at most.

The outcome and the state for the screens go to the mirror's key-value table (``kiosk.sync_state``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import kiosk
import kiosk.search.index as search_index
from kiosk import outbox
from kiosk.calendar_store import save_calendar
from kiosk.config import Config
from kiosk.contentpack import parse_category, parse_zone
from kiosk.db import make_engine, open_engine, session_factory
from kiosk.errors import (
    BlobIntegrityError,
    ConfigError,
    KioskError,
    NetworkError,
    ServerError,
    SignatureError,
    StorageError,
    SyncError,
)
from kiosk.mirror.blobs import CHUNK, BlobStore
from kiosk.mirror.models import Attachment, Category, Zone
from kiosk.mirror.store import (
    DocumentRecord,
    HistoryRecord,
    Outcome,
    apply_documents,
    delete_document,
    kv_get,
    kv_set,
    mark_blob_present,
    referenced_blobs,
    replace_history,
    upsert_category,
    upsert_zone,
)
from kiosk.seed import remove_demo_content
from kiosk.sync_state import (
    REVOKED_KEY,
    SyncFailure,
    SyncStatus,
    failures_in_a_row,
    iso,
    now_utc,
    parse_iso,
    read_status,
    record_attempt,
)
from kiosk.update import state as st
from kiosk.update.layout import installed_layout
from sync import fork
from sync import snapshot as snapshots
from sync.failures import Failure, classify, is_plain, log_detail
from sync.http import ServerClient, StatusError, Unreachable
from sync.protocol import requests, schema
from sync.protocol.keyring import KeyRing, RevokedKey
from sync.protocol.signing import WrongKey, canonical, load_verifier
from sync.protocol.wire import DEFAULT_PAGE_ENTRIES, IDEMPOTENCY_HEADER, wire_to_record

__all__ = ["SyncReport", "SyncStatus", "lookup_application", "read_status", "sync_once"]

log = logging.getLogger("sync.client")

MIN_PAGE_ENTRIES = 10


@dataclass
class SyncReport:
    """What one run did; ``error`` is None when everything succeeded."""

    pages: int = 0
    applied: int = 0
    deleted: int = 0
    blobs_fetched: int = 0
    blobs_collected: int = 0
    pushed: int = 0
    cursor: int = 0
    manifest_version: int = 0
    snapshot: snapshots.Installed | None = None  # the first sync came from the district's snapshot
    errors: list[str] = field(default_factory=list)  # plain Chinese, one line per failure
    failures: list[Failure] = field(default_factory=list)  # the same failures with their part and code
    restart: bool = False  # switched to a new release: the process must restart into it

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.failures]

    @property
    def error(self) -> str | None:
        return "；".join(self.errors) if self.errors else None


def _kv_int(session: Session, key: str) -> int:
    """A counter of the sync state; 0 when absent or unreadable (it is rewritten by the next page)."""
    raw = kv_get(session, key, "0") or "0"
    return int(raw) if raw.isdigit() and len(raw) <= 18 else 0


def _tracking_no(body: Any) -> str | None:
    """The tracking number an application's outbox payload names (top level or under ``issued``)."""
    if not isinstance(body, dict):
        return None
    issued = body.get("issued")
    tn = body.get("tracking_no", issued.get("tracking_no") if isinstance(issued, dict) else None)
    return tn if isinstance(tn, str) else None


class TerminalSync:
    """One sync run against one mirror. Use :func:`sync_once` unless you hold the engine yourself."""

    def __init__(
        self,
        cfg: Config,
        engine: Engine,
        *,
        now: datetime | None = None,
        page_size: int = DEFAULT_PAGE_ENTRIES,
        printer_state: str | None = None,
        use_snapshot: bool = True,
        busy: Callable[[], str | None] | None = None,
    ) -> None:
        if not cfg.server.url:
            raise ConfigError("no [server] url configured: this terminal runs on its mirror alone")
        self.cfg = cfg
        self.engine = engine
        self.session: Session = session_factory(engine)()
        self.blobs = BlobStore(cfg.blob_dir)
        self.verifier = KeyRing(load_verifier(Path(cfg.server.trust_key)))  # the pinned key; run() adds the rest
        self.now = now
        self.max_page_size = page_size
        self.page_size = page_size
        self.printer_state = printer_state
        self.scope = "all" if cfg.terminal.mirror_all_zones else "own"
        self.use_snapshot = use_snapshot
        self.report = SyncReport()
        self._read_engine: Engine | None = None
        self._push_failed = False  # the push failed between feed pages: not tried again this run
        self.manifest: dict[str, Any] | None = None  # this run's accepted manifest
        self.busy = busy

    def _now(self) -> datetime:
        return self.now or now_utc()

    # -- pull ------------------------------------------------------------------------------------------
    def check_manifest(self, envelope: Any) -> dict[str, Any]:
        raw = self.verifier.verify(envelope, "manifest")
        m = schema.check(schema.ManifestPayload, raw, "清单")
        expires = parse_iso(m.expires_at)
        if expires is None:
            raise SignatureError("manifest: 'expires_at' missing")
        with self.session.begin():
            known = _kv_int(self.session, "sync.manifest_version")
            cursor = _kv_int(self.session, "sync.cursor")
        if m.version < known:
            raise SignatureError(f"清单版本 {m.version} 低于已接受的 {known}：疑似回滚，已拒绝")
        if m.head_seq < cursor and m.epoch is None:  # with an epoch, a lower head is a fork (sync.fork)
            raise SignatureError(f"清单的发布序号 {m.head_seq} 低于本机已同步的 {cursor}：疑似回滚，已拒绝")
        if expires <= self._now():
            raise SignatureError(f"清单已于 {m.expires_at} 过期：内容可能不是最新")
        return m.model_dump()

    def pull_lists(self, client: ServerClient, manifest: dict[str, Any]) -> None:
        """Zones, categories and the calendar whose hash changed; each list is taken whole or not at all,
        and one refused list does not keep the others (or the feed) from coming."""
        for kind in ("zones", "categories", "calendar"):
            try:
                self._pull_list(client, manifest, kind)
            except (SyncError, StorageError) as exc:
                self.fail("lists", exc)

    def _pull_list(self, client: ServerClient, manifest: dict[str, Any], kind: str) -> None:
        want = manifest.get(f"{kind}_sha256")
        with self.session.begin():
            have = kv_get(self.session, f"sync.hash.{kind}")
        if not isinstance(want, str) or want == have:
            return
        what = {"zones": "下载镇街列表", "categories": "下载分类列表", "calendar": "下载工作日历"}[kind]
        payload = self.verifier.verify(client.request("GET", f"/v1/{kind}", what), kind)
        if hashlib.sha256(canonical(payload)).hexdigest() != want:
            raise SignatureError(f"{kind}: does not match the manifest's hash")
        if kind == "calendar":
            cal = schema.check(schema.CalendarPayload, payload, what)
            try:
                years = cal.checked_years()
            except ValueError as exc:
                raise schema.BadAnswer(f"{what}：日历内容不合规定（{exc}），已拒绝，继续使用原日历") from None
            with self.session.begin():
                save_calendar(self.session, years)
                kv_set(self.session, f"sync.hash.{kind}", want)
            return
        try:
            if kind == "zones":
                zones = schema.check(schema.ZonesPayload, payload, what).items
                parsed: list[Zone | Category] = [parse_zone(i.model_dump()) for i in zones]
            else:
                cats = schema.check(schema.CategoriesPayload, payload, what).items
                parsed = [parse_category(i.model_dump()) for i in cats]
        except ValueError as exc:
            raise schema.BadAnswer(f"{what}：列表中有不合规定的一项（{exc}），已拒绝") from None
        with self.session.begin():
            for obj in parsed:
                if isinstance(obj, Zone):
                    upsert_zone(self.session, obj)
                else:
                    upsert_category(self.session, obj)
            kv_set(self.session, f"sync.hash.{kind}", want)

    def _verify_page(self, page: Any, cursor: int, head: int) -> tuple[list[dict[str, Any]], int, int | None]:
        """The page's verified entries, the cursor after it and the unsigned ``remaining``; SignatureError
        or BadAnswer if anything is off."""
        entries, nxt, remaining, _chain = self._verify_page_chain(page, cursor, head)
        return entries, nxt, remaining

    def _verify_page_chain(
        self, page: Any, cursor: int, head: int
    ) -> tuple[list[dict[str, Any]], int, int | None, fork.PageChain]:
        """:meth:`_verify_page` and the page's signed epoch and chain values (:mod:`sync.fork`)."""
        answer = schema.check(schema.PageAnswer, page, "下载变更")
        meta = schema.check(schema.PagePayload, self.verifier.verify(answer.page, "page"), "下载变更")
        zone = self.cfg.terminal.zone if self.scope == "own" else None
        if (meta.after, meta.until, meta.scope, meta.zone) != (cursor, head, self.scope, zone):
            raise SignatureError("page: signed for another request (cursor, head or zone differ)")
        nxt = meta.next_after
        out: list[dict[str, Any]] = []
        last = cursor
        for env in answer.entries:
            p = schema.check(schema.DocumentPayload, self.verifier.verify(env, "document"), "下载变更")
            if not last < p.seq <= head:
                raise SignatureError(f"document: sequence {p.seq} out of order (after {last}, head {head})")
            last = p.seq
            item: dict[str, Any] = {"seq": p.seq, "op": p.op, "id": p.id}
            if p.op == "put":
                doc = schema.check(schema.WireDocument, p.doc, "下载变更").model_dump(exclude_unset=True)
                rec = wire_to_record(doc)
                if rec.id != p.id:
                    raise SignatureError("document: id does not match its record")
                item["record"] = rec
                if any(h.version >= rec.version for h in p.history):
                    raise SignatureError("document: an earlier version is not older than the record")
                item["history"] = [HistoryRecord(**h.model_dump()) for h in p.history]
            out.append(item)
        if meta.seqs != [p["seq"] for p in out]:
            raise SignatureError("page: entries missing or added on the way")
        if not last <= nxt <= head or (nxt <= cursor and not out):
            raise SignatureError("page: the next cursor is out of range")
        return out, nxt, answer.remaining, fork.PageChain(meta.epoch, meta.after_chain, meta.next_chain)

    def _in_scope(self, zone: Any) -> bool:
        return self.scope == "all" or zone is None or zone == self.cfg.terminal.zone

    def _fetch_page(
        self, client: ServerClient, cursor: int, head: int
    ) -> tuple[list[dict[str, Any]], int, int | None, fork.PageChain]:
        """Fetch and verify the page after ``cursor`` (touches no database: runs on the prefetch thread)."""
        started = time.monotonic()
        try:
            page = client.request(
                "GET",
                "/v1/changes",
                "下载变更",
                params={"after": cursor, "until": head, "limit": self.page_size, "scope": self.scope},
            )
        except NetworkError:
            self.page_size = max(MIN_PAGE_ENTRIES, self.page_size // 4)  # smaller pages on a link this poor
            raise
        self._adapt_page_size(time.monotonic() - started, client.header_budget_s)
        try:
            return self._verify_page_chain(page, cursor, head)
        except ValueError as exc:
            raise SignatureError(f"document: a signed record is malformed: {exc}") from None

    def _adapt_page_size(self, elapsed: float, budget: float) -> None:
        """Pages that take more than a third of the header budget halve; fast ones double (up to the
        configured size): a slow link still advances page by page, a fast one is not held back."""
        if elapsed > budget / 3:
            self.page_size = max(MIN_PAGE_ENTRIES, self.page_size // 2)
        elif elapsed < budget / 12:
            self.page_size = min(self.max_page_size, self.page_size * 2)

    def _apply_page(self, entries: list[dict[str, Any]]) -> None:
        """Write one verified page's documents, deletions and histories in the caller's transaction."""
        recs: list[DocumentRecord] = []
        histories: list[list[HistoryRecord]] = []
        seqs: list[int] = []
        present: set[str] = set()
        for p in entries:
            if p["op"] == "delete" or not self._in_scope(p["record"].zone_id):
                if delete_document(self.session, p["id"]):
                    self.report.deleted += 1
                continue
            rec = p["record"]
            present.update(a.sha256 for a in rec.attachments if self.blobs.has(a.sha256))
            recs.append(rec)
            histories.append(p["history"])
            seqs.append(p["seq"])
        # the feed holds one row per document, so a page has each id at most once
        outcomes = apply_documents(self.session, recs, seqs=seqs, present_blobs=present)
        for rec, history, outcome in zip(recs, histories, outcomes, strict=True):
            if history or outcome in (Outcome.UPDATED, Outcome.STATUS_CHANGED):
                replace_history(self.session, rec.id, rec.version, history)
        self.report.applied += len(recs)

    def pull_feed(self, client: ServerClient, manifest: dict[str, Any]) -> None:
        """Apply the feed up to the manifest's head, page by page, each page with its cursor in one
        transaction. The next page is fetched and verified on a second thread while this one is written."""
        head = int(manifest["head_seq"])
        with self.session.begin():
            cursor = _kv_int(self.session, "sync.cursor")
            learned = _kv_int(self.session, "sync.page_size")
            expected_chain = kv_get(self.session, "sync.chain", "") or ""
        if learned:
            self.page_size = max(MIN_PAGE_ENTRIES, min(self.max_page_size, learned))
        self.report.cursor = cursor
        if cursor >= head:
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-prefetch") as pool:
            ahead: Future[tuple[list[dict[str, Any]], int, int | None, fork.PageChain]]
            ahead = pool.submit(self._fetch_page, client, cursor, head)
            try:
                while cursor < head:
                    self.push_while_pulling(client)  # while this page downloads on the prefetch thread
                    entries, nxt, remaining, chain = ahead.result()
                    fork.check_page(expected_chain, chain, manifest)  # before anything of it is applied
                    expected_chain = chain.next_chain or ""
                    if nxt < head:
                        ahead = pool.submit(self._fetch_page, client, nxt, head)
                    with self.session.begin():
                        self._apply_page(entries)
                        cursor = nxt
                        kv_set(self.session, "sync.cursor", str(cursor))
                        kv_set(self.session, "sync.chain", expected_chain)
                        behind = remaining if isinstance(remaining, int) else head - cursor
                        kv_set(self.session, "sync.behind", str(behind))
                        kv_set(self.session, "sync.page_size", str(self.page_size))
                    self.report.pages += 1
                    self.report.cursor = cursor
            finally:
                ahead.cancel()
        with self.session.begin():
            kv_set(self.session, "sync.behind", "0")
            if self.report.applied >= search_index.OPTIMIZE_AFTER:  # a first sync: merge the index segments
                search_index.optimize(self.session.connection())

    def push_while_pulling(self, client: ServerClient) -> None:
        """Deliver what is due between two feed pages (and before a snapshot), so a slow pull holds an
        application back for one page at most. A failure here is this run's push failure: the push is
        not tried again in this run."""
        if self._push_failed:
            return
        try:
            self._push(client)
        except Exception as exc:  # offline, server trouble, disk: recorded once, the pull goes on
            self.session.rollback()
            self._push_failed = True
            self.fail("push_outbox", exc)

    def pull_snapshot(self, client: ServerClient, manifest: dict[str, Any]) -> None:
        """Install the district's snapshot when the mirror is new or far behind and the server has one
        that helps (:mod:`sync.snapshot`); the feed then continues from its head. A refused snapshot is
        recorded (``sync.snapshot_note``) and the feed is taken page by page; a forged or altered one is
        also reported as this run's error."""
        head = int(manifest["head_seq"])
        with self.session.begin():
            cursor = _kv_int(self.session, "sync.cursor")
        if not (self.use_snapshot and snapshots.wanted(cursor, head)):
            snapshots.discard(self.cfg.data_dir)  # what an interrupted, now needless snapshot left behind
            return
        self.push_while_pulling(client)
        try:
            got = snapshots.first_sync(
                client,
                self.verifier,
                self.engine,
                self.cfg.data_dir,
                scope=self.scope,
                zone=self.cfg.terminal.zone,
                cursor=cursor,
                head=head,
                epoch=manifest.get("epoch"),
            )
        except Exception as exc:  # whatever went wrong with the snapshot, the feed is still taken
            failure = classify("snapshot", exc)
            note = failure.text + "；已改为逐页同步"
            log.warning("snapshot not used [%s]: %s", failure.code, log_detail(exc))
            if isinstance(exc, SignatureError):  # forged or altered: staff and the fleet page must see it
                self._record(Failure(failure.part, failure.code, note))
            self._snapshot_note(note)
            return
        if got is not None:
            self.report.snapshot = got
            self._snapshot_note(
                f"{iso(self._now())} 已从整库快照安装 {got.documents} 份文件（发布序号 {got.head_seq}）"
            )
            log.info("snapshot installed: %s documents at seq %s (%.2f s)", got.documents, got.head_seq, got.install_s)

    def heal(self, client: ServerClient, manifest: dict[str, Any], reason: str) -> None:
        """A fork was found (:mod:`sync.fork`): say so, then replace the mirror's content by the server's
        (its signed snapshot of this epoch, else the whole feed rebuilt here) and take the feed from there.
        This run is reported as failed either way (the fork is news for staff and the fleet page); a fork
        that could not be healed stays recorded and is healed by a later run."""
        with self.session.begin():
            fork.mark(self.session, reason, iso(self._now()), manifest.get("epoch"))
        log.warning("fork found: %s", reason)
        index = len(self.report.failures)
        self._record(Failure("fork", "fork", f"{reason}；正在按服务器内容重新核对本机文件"))
        head, docs = int(manifest["head_seq"]), -1
        if self.use_snapshot:
            try:
                got = snapshots.first_sync(
                    client,
                    self.verifier,
                    self.engine,
                    self.cfg.data_dir,
                    scope=self.scope,
                    zone=self.cfg.terminal.zone,
                    cursor=0,
                    head=head,
                    epoch=manifest.get("epoch"),
                    kv={fork.FORK_KEY: ""},
                )
            except Exception as exc:  # a refused or failed snapshot: the feed rebuild still heals
                log.warning("fork: snapshot not used (%s)", log_detail(exc))
                got = None
            if got is not None:
                self.report.snapshot, docs = got, got.documents
        if docs < 0:
            docs = fork.rebuild_from_feed(
                self.engine,
                self.cfg.data_dir,
                lambda after, until: self._fetch_page(client, after, until),
                head=head,
                manifest=manifest,
                in_scope=self._in_scope,
            )
        self.pull_feed(client, manifest)  # whatever lies above the snapshot's head
        text = f"{reason}；已自动按服务器内容重新核对本机文件（{docs} 份）"
        self.report.failures[index] = Failure("fork", "fork", text[:300])
        self.report.errors[index] = text[:300]
        log.warning("fork healed: mirror replaced by the server's content (%s documents)", docs)

    def refresh_keys(self, client: ServerClient) -> bool:
        """Ask the server for the keys the district's root certified (and root rotations) and take them
        when they verify from the pinned key (:mod:`sync.protocol.keyring`); whether anything changed."""
        try:
            answer = client.request("GET", "/v1/keys", "下载签名密钥清单", cap=256 * 1024)
        except StatusError as exc:
            if exc.status == 404:
                return False
            raise
        if not self.verifier.update(answer):
            return False
        with self.session.begin():
            kv_set(self.session, "sync.keys", self.verifier.dump())
        log.info("key set v%s from root %s accepted", self.verifier.keyset_version, self.verifier.key_id)
        return True

    def report_acks(self, client: ServerClient) -> None:
        """After a fork: tell the server which applications it once acknowledged (tracking numbers only),
        so a restored server can list those it lost; repeated every run until the server answers."""
        with self.session.begin():
            due = kv_get(self.session, fork.ACKS_DUE_KEY, "") or ""
            items = fork.acked_applications(self.session) if due.isdigit() else []
        if not due.isdigit():
            return
        answer = client.request(
            "POST", "/v1/acks", "报告已确认的申请", body={"epoch": int(due), "acked": items}, cap=16 * 1024
        )
        if not isinstance(answer, dict) or answer.get("status") != "accepted" or answer.get("kind") != "acks":
            raise schema.BadAnswer("报告已确认的申请：服务器回应不能证明已收到，下次重发")
        with self.session.begin():
            kv_set(self.session, fork.ACKS_DUE_KEY, "")
        log.info("reported %s acknowledged application(s); the server lacks %s", len(items), answer.get("missing"))

    def _snapshot_note(self, note: str) -> None:
        try:
            with self.session.begin():
                kv_set(self.session, "sync.snapshot_note", note[:500])
        except DBAPIError:
            self.session.rollback()

    def pull_blobs(self, client: ServerClient) -> None:
        """Fetch every attachment the mirror lacks. One that fails (refused, damaged, too big, disk trouble)
        stays invisible and is tried again next run; the others still come. The network being gone stops
        the stage (every further blob would fail the same way)."""
        with self.session.begin():
            missing = list(
                self.session.execute(
                    select(Attachment.sha256, Attachment.size).where(Attachment.present.is_(False)).distinct()
                )
            )
        for sha, size in missing:
            try:
                self._pull_blob(client, sha, size)
            except (SyncError, StorageError, OSError) as exc:
                self.fail("blobs", exc)
                if isinstance(exc, Unreachable):
                    return

    def _pull_blob(self, client: ServerClient, sha: str, size: int) -> None:
        if not self.blobs.has(sha):
            partial_dir = self.cfg.blob_dir / ".partial"
            partial_dir.mkdir(parents=True, exist_ok=True)
            part = partial_dir / sha
            resumed = part.exists() and part.stat().st_size > 0
            try:
                self._fetch_blob(client, part, sha, size)
            except BlobIntegrityError:
                if not resumed:
                    raise
                # the kept bytes were bad (a hostile or broken server earlier): fetched whole, this run
                log.warning("blob %s… failed its hash after a resume; fetching it whole again", sha[:12])
                self._fetch_blob(client, part, sha, size)
            self.report.blobs_fetched += 1
        with self.session.begin():
            mark_blob_present(self.session, sha)

    def _fetch_blob(self, client: ServerClient, part: Path, sha: str, size: int) -> None:
        """Download (resuming from ``part``) and store the blob; a damaged download is never visible and its
        partial file is gone, so the next attempt starts afresh."""
        with part.open("ab+") as f:
            client.download(f"/v1/blobs/{sha}", f, f.tell(), size, "下载附件")
            f.flush()
        try:
            with part.open("rb") as f:
                self.blobs.put_stream(iter(lambda f=f: f.read(CHUNK), b""), sha)  # type: ignore[misc]
        finally:
            part.unlink(missing_ok=True)

    def collect_blobs(self) -> None:
        with self.session.begin():
            referenced = referenced_blobs(self.session)
        self.report.blobs_collected = self.blobs.collect(referenced)
        partial_dir = self.cfg.blob_dir / ".partial"
        if partial_dir.is_dir():
            for part in partial_dir.iterdir():
                if part.name not in referenced:
                    part.unlink(missing_ok=True)

    def pull(self, client: ServerClient) -> None:
        """Manifest, lists, feed, attachments, collection. Without an accepted manifest nothing else of the
        pull can be trusted; past it, each part fails alone and the next still runs."""
        envelope = client.request("GET", "/v1/manifest", "下载清单")
        try:
            manifest = self.check_manifest(envelope)
        except WrongKey as wrong:  # signed by a key this terminal does not know (yet): the root may list it
            if isinstance(wrong, RevokedKey):  # revoked for good: no key set can bring it back
                raise
            try:
                changed = self.refresh_keys(client)
            except SignatureError as exc:  # a forged or rolled-back key set: the manifest stays refused
                log.warning("key set refused: %s", log_detail(exc))
                raise wrong from exc
            if not changed:
                raise
            manifest = self.check_manifest(envelope)
        with self.session.begin():
            kv_set(self.session, "sync.manifest_version", str(manifest["version"]))
            kv_set(self.session, "sync.manifest_expires_at", str(manifest["expires_at"]))
            kv_set(self.session, "sync.manifest_head", str(manifest["head_seq"]))
            kv_set(self.session, REVOKED_KEY, "")  # the server takes this terminal's token: in good standing
            remove_demo_content(self.cfg, self.session)  # a production mirror seeded by mistake
            forked = fork.at_manifest(self.session, manifest, _kv_int(self.session, "sync.cursor"))
        self.report.manifest_version = manifest["version"]
        self.manifest = manifest
        self.pull_lists(client, manifest)
        try:
            if forked is not None:
                raise fork.ForkDetected(forked)
            self.pull_snapshot(client, manifest)
            self.pull_feed(client, manifest)
        except fork.ForkDetected as found:
            self.session.rollback()
            self.heal(client, manifest, found.reason)  # raises when it cannot: the run then fails
        except (SyncError, StorageError, OSError, DBAPIError) as exc:
            self.session.rollback()
            self.fail("feed", exc)
            if isinstance(exc, NetworkError):  # the next run asks for the smaller pages this link can carry
                with self.session.begin():
                    kv_set(self.session, "sync.page_size", str(self.page_size))
            if isinstance(exc, Unreachable):
                return
        self.pull_blobs(client)
        self.collect_blobs()

    # -- push ------------------------------------------------------------------------------------------
    def push_outbox(self, client: ServerClient) -> None:
        """Deliver due outbox entries. An entry counts as delivered only when the answer proves it
        (:func:`sync.protocol.schema.ack_problem`); any other answer keeps the entry, payload and all, and records
        why on it. A refused entry (4xx) waits for its backoff; a network failure or 5xx stops the push
        (and a push that failed between feed pages is not tried again in this run)."""
        try:
            if not self._push_failed:
                self._push(client)
        finally:
            self.purge()

    def _push(self, client: ServerClient) -> None:
        done: set[int] = set()
        while True:
            with self.session.begin():
                batch = [
                    (e.id, e.kind, e.idempotency_key, e.payload)
                    for e in outbox.due(self.session, self._now(), limit=20)
                    if e.id not in done
                ]
            if not batch:
                return
            for entry_id, kind, key, payload in batch:
                done.add(entry_id)
                body = json.loads(payload or "{}")
                try:  # what the server would refuse is kept, not sent (sync.protocol.requests)
                    requests.parse(requests.SUBMISSION_MODELS[kind], body)
                except requests.RequestRefused as exc:
                    log.warning("outbox entry %s (%s) does not fit the protocol: %s", entry_id, kind, exc)
                    self._entry_failed(entry_id, f"本条内容不合传输格式，保留待查：{exc.field or '整体'}")
                    self._record(Failure("push_outbox", "bad-entry", "上传申请和评价失败：一条待发数据格式不对"))
                    continue
                try:
                    answer = client.request(
                        "POST",
                        f"/v1/submissions/{kind}",
                        "发送" + {"application": "申请"}.get(kind, "数据"),
                        body=body,
                        headers={IDEMPOTENCY_HEADER: key},
                        cap=64 * 1024,
                    )
                    tracking_no = _tracking_no(body) if kind == "application" else None
                    problem = schema.ack_problem(kind, key, tracking_no, answer)
                except schema.BadAnswer as exc:  # a 2xx whose body is not even JSON proves nothing
                    problem = str(exc)
                except SyncError as exc:
                    if isinstance(exc, StatusError) and exc.code == "revoked":
                        raise  # the terminal, not the entry, is refused: nothing waits longer once re-enrolled
                    self._entry_failed(entry_id, str(exc))
                    if not (isinstance(exc, StatusError) and 400 <= exc.status < 500):
                        raise  # offline or server trouble: stop for now, retry with backoff
                    log.warning("server refused outbox entry %s (%s)", entry_id, kind)
                    self.fail("push_outbox", exc)
                    continue
                if problem is not None:
                    log.warning("outbox entry %s (%s) not acknowledged: %s", entry_id, kind, problem)
                    self._entry_failed(entry_id, f"服务器回应不能证明已收到，本条保留待重发：{problem}")
                    why = problem if is_plain(problem) else "服务器回执的格式或字段不合规定"
                    self._record(Failure("push_outbox", "no-ack", f"上传申请和评价失败：{why}，本条保留待重发"))
                    continue
                with self.session.begin():
                    entry = self.session.get(outbox.OutboxEntry, entry_id)
                    if entry is not None:
                        outbox.mark_acked(entry, answer, self._now())
                self.report.pushed += 1
                if kind == "application":
                    self.purge()  # the server has it: the terminal's copy of the personal data goes now

    def _entry_failed(self, entry_id: int, why: str) -> None:
        with self.session.begin():
            entry = self.session.get(outbox.OutboxEntry, entry_id)
            if entry is not None:
                outbox.mark_failed(entry, why, self._now())

    def purge(self) -> None:
        """Drop the personal data of every acknowledged application (idempotent: also the start of a run,
        so a crash between an acknowledgement and its purge is made good by the next run)."""
        from kiosk.applications.service import purge_delivered

        try:
            purge_delivered(self.session)
        except (DBAPIError, OSError) as exc:
            self.session.rollback()
            self.fail("purge", exc)

    def _reader(self) -> Engine:
        """A read-only engine on the mirror file (status reads never take the write lock or a writer's
        turn); the writer engine itself for a database that is not a file."""
        if self._read_engine is None:
            path = self.engine.url.database
            self._read_engine = make_engine(path, read_only=True) if path and path != ":memory:" else self.engine
        return self._read_engine

    def heartbeat(self, client: ServerClient) -> None:
        with session_factory(self._reader())() as s, s.begin():
            status = read_status(s, self._now())
            printer = self.printer_state or kv_get(s, "printer.state", "unknown")
            oldest = outbox.oldest_pending(s)
            in_a_row = failures_in_a_row(s)
        failure: dict[str, Any] | None = None
        if self.report.failures:  # this run's first failure so far, and how many runs in a row failed
            first = self.report.failures[0]
            failure = {
                "part": first.part,
                "code": first.code,
                "text": first.text[:300],
                "at": iso(self._now()),
                "in_a_row": in_a_row + 1,
            }
        try:
            free_mb = shutil.disk_usage(self.cfg.data_dir).free // (1024 * 1024)
        except OSError:
            free_mb = -1
        installed = installed_layout()
        update = st.load(self.cfg.data_dir).heartbeat() if installed else None
        beat = requests.HeartbeatRequest(
            version=installed[1] if installed else kiosk.__version__,
            update=requests.UpdateReport.model_validate(update) if update else None,
            mirror_seq=status.cursor,
            last_sync_at=iso(self._now())
            if not self.report.errors
            else (iso(status.last_success_at) if status.last_success_at else None),
            printer_state=(printer or "unknown")[:2000],
            free_disk_mb=free_mb,
            pending_outbox=status.pending_outbox,
            outbox_oldest=oldest,
            last_error=(self.report.errors[0][:2000] if self.report.errors else None),
            sync_failure=requests.SyncFailureReport(**failure) if failure else None,
            sync_interval_s=self.cfg.server.sync_interval_s,
        )
        body = requests.wire(beat)
        client.request(
            "POST",
            "/v1/submissions/heartbeat",
            "发送心跳",
            body=body,
            headers={IDEMPOTENCY_HEADER: f"heartbeat-{uuid.uuid4()}"},
        )

    # -- software update -------------------------------------------------------------------------------
    def update(self, client: ServerClient) -> None:
        """Move a software update one step on (an installed release only; :mod:`sync.updater`)."""
        installed = installed_layout()
        if installed is None or self.manifest is None:
            return
        from sync.updater import Updater

        layout, running = installed
        updater = Updater(self.cfg, layout, running, self.verifier, self.session, busy=self.busy)
        try:
            self.report.restart = updater.run(client, self.manifest)
        except (SyncError, StorageError, OSError) as exc:
            self.fail("update", exc)
        finally:
            self.session.rollback()  # the updater only reads the mirror

    # -- the run ---------------------------------------------------------------------------------------
    def fail(self, part: str, exc: BaseException) -> None:
        """Record a part's failure in plain Chinese (the report, hence sync state); the run goes on. The
        technical detail goes to the log only."""
        failure = classify(part, exc)
        if isinstance(exc, KioskError | OSError | DBAPIError):
            log.warning("sync %s failed [%s]: %s", part, failure.code, log_detail(exc))
        else:
            log.error("sync %s failed unexpectedly (%s)", part, type(exc).__name__, exc_info=exc)
        self._record(failure)

    def _record(self, failure: Failure) -> None:
        self.report.failures.append(failure)
        self.report.errors.append(failure.text)

    def run(self, client: ServerClient) -> SyncReport:
        """Purge, pull, push, heartbeat: each part runs whatever the one before it did."""
        self.purge()
        with self.session.begin():
            stored = kv_get(self.session, "sync.keys")
        self.verifier = KeyRing.load(self.verifier.pinned, stored)
        for step in (self.pull, self.push_outbox, self.report_acks, self.update, self.heartbeat):
            try:
                step(client)
            except Exception as exc:  # one part's failure, whatever it is, must not stop the others
                self.session.rollback()
                self.fail(step.__name__, exc)
        try:
            with self.session.begin():
                first = self.report.failures[0] if self.report.failures else None
                failure = SyncFailure(first.part, first.code, first.text, self._now()) if first else None
                record_attempt(self.session, error=self.report.error, now=self._now(), failure=failure)
                if "revoked" in self.report.codes:  # no new applications until IT enrols it again
                    kv_set(self.session, REVOKED_KEY, iso(self._now()))
        except (DBAPIError, OSError) as exc:  # disk full: the report still carries it to the caller
            self.session.rollback()
            self.fail("state", exc)
        return self.report

    def close(self) -> None:
        self.session.close()
        if self._read_engine is not None and self._read_engine is not self.engine:
            self._read_engine.dispose()


def sync_once(
    cfg: Config,
    *,
    engine: Engine | None = None,
    now: datetime | None = None,
    page_size: int = DEFAULT_PAGE_ENTRIES,
    printer_state: str | None = None,
    use_snapshot: bool = True,
    busy: Callable[[], str | None] | None = None,
) -> SyncReport:
    """One complete sync run for the terminal ``cfg`` (opens its mirror unless ``engine`` is given).
    ``use_snapshot``: a first sync may install the district's snapshot (:mod:`sync.snapshot`)."""
    own = engine is None
    eng = engine if engine is not None else open_engine(cfg.db_path)
    runner = TerminalSync(
        cfg, eng, now=now, page_size=page_size, printer_state=printer_state, use_snapshot=use_snapshot, busy=busy
    )
    try:
        with ServerClient(cfg) as client:
            return runner.run(client)
    finally:
        runner.close()
        if own:
            eng.dispose()


def lookup_application(cfg: Config, tracking_no: str, phone: str) -> dict[str, Any]:
    """Ask the server for an application's status (status, status_label, received_at, deadline).

    Raises :class:`NetworkError` when offline, :class:`ServerError` (status 404) when no application
    matches the tracking number and phone (also, without asking, when either is longer than the
    protocol's :class:`sync.protocol.requests.LookupRequest` allows). The phone travels in the body, never in the URL.
    """
    if not cfg.server.url:
        raise NetworkError("本终端未连接区级服务器，无法在线查询")
    try:
        body = requests.wire(requests.parse(requests.LookupRequest, {"tracking_no": tracking_no, "phone": phone}))
    except requests.RequestRefused:  # longer than any tracking number or phone: no application matches
        raise StatusError("查询申请：未找到该申请，请核对受理编号和手机号", 404, "not-found") from None
    with ServerClient(cfg) as client:
        answer = client.request(
            "POST",
            "/v1/applications/lookup",
            "查询申请",
            body=body,
            cap=16 * 1024,
        )
    if not isinstance(answer, dict):
        raise ServerError("查询申请：服务器回应格式不对")
    return answer
