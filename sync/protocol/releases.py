"""Software releases on the wire: the signed list of releases a district offers its terminals, and the one
function that decides whether a terminal may trust it.

``GET /v1/releases`` answers one envelope of kind ``releases``::

    {"kind": "releases", "role": "release", "items": [
        {"version": "2026.12.2", "sha256": "…", "size": 31457280, "min_schema": "0012_doc_history",
         "zones": ["wanbao", "leping"] | ["*"], "published_at": "2026-12-07T12:00:00Z"}, …]}

Only releases rolled out to at least one zone and not halted are listed; ``zones: ["*"]`` is every zone.
``sha256``/``size`` are those of the archive (``GET /v1/releases/{version}/archive``, a gzip-compressed
tar of the bundle folder); ``min_schema`` the mirror schema revision the release needs (its own newest:
an older program still opens that mirror, as releases migrate additively, see docs/deploy.md).

``role`` names the key role that must sign it. Today the district's one signing key signs everything;
when the key hierarchy lands (an offline root signing online keys per role), :func:`verify_releases` is
the one place that checks the release key's chain to the root.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, Field

from kiosk.errors import SignatureError
from sync.protocol.schema import Count, IsoTime, Sha256, Strict, check

RELEASE_ROLE = "release"
MAX_RELEASES = 50
_VERSION = re.compile(r"^[0-9][0-9A-Za-z.+_-]{0,39}$")


def _version(text: str) -> str:
    if not _VERSION.fullmatch(text) or ".." in text:
        raise ValueError("a release version is 1-40 of digits, letters, '.', '+', '_', '-', starting with a digit")
    return text


ReleaseVersion = Annotated[str, AfterValidator(_version)]
ZoneOrAll = Annotated[str, Field(pattern=r"^(\*|[A-Za-z0-9][A-Za-z0-9_-]{0,47})$")]


class ReleaseItem(Strict):
    """One release as offered: what to fetch, how to check it, and where it goes."""

    version: ReleaseVersion
    sha256: Sha256
    size: Annotated[Count, Field(ge=1, le=4 * 1024**3)]
    min_schema: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,64}$")]
    zones: Annotated[list[ZoneOrAll], Field(min_length=1, max_length=200)]
    published_at: IsoTime

    def for_zone(self, zone: str) -> bool:
        return "*" in self.zones or zone in self.zones


class ReleasesPayload(Strict):
    kind: Literal["releases"]
    role: Literal["release"]
    items: Annotated[list[ReleaseItem], Field(max_length=MAX_RELEASES)]


class Verifies(Protocol):
    """What checks a signed envelope: the pinned key (:class:`Verifier`) or the key ring it certifies."""

    def verify(self, envelope: Any, kind: str) -> dict[str, Any]: ...


def verify_releases(verifier: Verifies, envelope: Any) -> list[ReleaseItem]:
    """The releases of a valid, signed ``releases`` envelope; :class:`SignatureError` (forged, another key,
    another role) or :class:`sync.protocol.schema.BadAnswer` (malformed) otherwise. The single check of
    release metadata: the key hierarchy will make it verify the release key against the pinned root."""
    payload = verifier.verify(envelope, "releases")
    if payload.get("role") != RELEASE_ROLE:
        raise SignatureError("releases: not signed for the release role")
    return list(check(ReleasesPayload, payload, "下载版本信息").items)


def newest_for(
    items: list[ReleaseItem], zone: str, skip: set[str] | frozenset[str] = frozenset()
) -> ReleaseItem | None:
    """The release a terminal of ``zone`` should run: the most recently published one rolled out to it,
    leaving out ``skip`` (versions this terminal rolled back from)."""
    mine = [r for r in items if r.for_zone(zone) and r.version not in skip]
    return max(mine, key=lambda r: (r.published_at, r.version)) if mine else None
