"""Pulling the district's signed content into the mirror (:class:`FeedPull`): the manifest (refused if
forged, rolled back or expired; an unknown key sends for the root-certified key set), zones, categories and
the calendar when their hash changed, the first-sync snapshot, and the changes feed page by page — each
page verified whole and applied in one transaction with its cursor, the next fetched meanwhile on a second
thread — and, when the feed forked (a restored or replaced server), healing the mirror from the server.
"""

from __future__ import annotations

import hashlib
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy.exc import DBAPIError

import kiosk.search.index as search_index
from kiosk.calendar_store import save_calendar
from kiosk.contentpack import parse_category, parse_zone
from kiosk.errors import (
    NetworkError,
    SignatureError,
    StorageError,
    SyncError,
)
from kiosk.mirror.models import Category, Zone
from kiosk.mirror.store import (
    DocumentRecord,
    HistoryRecord,
    Outcome,
    apply_documents,
    delete_document,
    kv_get,
    kv_set,
    replace_history,
    upsert_category,
    upsert_zone,
)
from kiosk.seed import remove_demo_content
from kiosk.sync_state import (
    REVOKED_KEY,
    iso,
    parse_iso,
)
from sync import fork
from sync import snapshot as snapshots
from sync.failures import Failure, classify, log_detail
from sync.http import ServerClient, StatusError, Unreachable
from sync.protocol import schema
from sync.protocol.keyring import RevokedKey
from sync.protocol.signing import WrongKey, canonical
from sync.protocol.wire import wire_to_record
from sync.run_base import MIN_PAGE_ENTRIES, SyncRun, _kv_int

log = logging.getLogger("sync.client")


class FeedPull(SyncRun):
    """The pull part of a run."""

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
