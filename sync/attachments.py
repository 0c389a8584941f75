"""Attachments (:class:`AttachmentPull`): every blob the mirror lacks is fetched (resuming a cut
download; a resumed one that fails its hash is fetched whole in the same run) and stays invisible until
verified; blobs nothing references any more are collected."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select

from kiosk.errors import (
    BlobIntegrityError,
    StorageError,
    SyncError,
)
from kiosk.mirror.blobs import CHUNK
from kiosk.mirror.models import Attachment
from kiosk.mirror.store import (
    mark_blob_present,
    referenced_blobs,
)
from sync.http import ServerClient, Unreachable
from sync.run_base import SyncRun

log = logging.getLogger("sync.client")


class AttachmentPull(SyncRun):
    """The attachments part of a run."""

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
