"""Keys that can change without a site visit (as TUF's root and targets roles, reduced to what the
district needs): an offline **root** key signs the online signing key(s) with a validity period; the
terminal pins the root (the key it checked by fingerprint at enrolment) and accepts whatever online key
the root currently lists.

Signed objects (the same envelopes as every record, :mod:`sync.protocol.signing`):

- ``keyset`` (signed by the current root): ``{"kind": "keyset", "version": N, "issued_at": …, "keys":
  [{"key_id", "public": <base64 of the raw 32 bytes>, "not_before", "not_after"}], "revoked": [key_id, …]}``.
  Versions only go up; a key listed in ``revoked`` is refused for good, whatever signed it.
- ``root`` (signed by the previous root): ``{"kind": "root", "version": N, "key_id", "public"}``: root N
  replaces root N−1. A terminal walks the chain from its pinned key, one version at a time, so a new root
  is trusted only through the old one's signature.

The server hands both out at ``GET /v1/keys`` (``{"roots": [...], "keyset": ENVELOPE | null}``); the
terminal asks for them when content arrives signed by a key it does not know, and keeps what it accepted
in its mirror (``sync.keys``), re-verifying it from the pinned key on every start. A terminal whose
pinned key signs content itself (every deployment from before the root) keeps working unchanged.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.errors import SignatureError
from sync.protocol.signing import Verifier, WrongKey, key_id


class RevokedKey(WrongKey):
    """Content signed by a key the district's root has revoked."""

    code = "revoked-key"


def _when(text: Any) -> dt.datetime:
    if not isinstance(text, str) or len(text) > 40:
        raise SignatureError("keys: a time is missing")
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


def _public(obj: Any) -> Verifier:
    try:
        raw = base64.b64decode(str(obj), validate=True)
        return Verifier(Ed25519PublicKey.from_public_bytes(raw))
    except ValueError:
        raise SignatureError("keys: a public key is malformed") from None


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class KeyRing:
    """The terminal's trust: the pinned key, the roots it led to, and the online keys the root lists.
    Has :meth:`verify` with the same contract as :class:`~sync.protocol.signing.Verifier`."""

    def __init__(self, pinned: Verifier, now: Callable[[], dt.datetime] = utcnow) -> None:
        self.pinned = pinned
        self.root = pinned
        self.root_version = 0
        self.keys: dict[str, tuple[Verifier, dt.datetime, dt.datetime]] = {}
        self.revoked: set[str] = set()
        self.keyset_version = 0
        self.accepted: dict[str, Any] = {"roots": [], "keyset": None}
        self.now = now

    @property
    def key_id(self) -> str:
        return self.root.key_id

    def verify(self, envelope: Any, kind: str) -> dict[str, Any]:
        """The payload of a valid envelope of ``kind`` signed by the root or a listed, valid online key."""
        kid = envelope.get("key_id") if isinstance(envelope, dict) else None
        if isinstance(kid, str) and kid in self.revoked:
            raise RevokedKey(f"{kind}: signed by revoked key {kid[:16]}")
        listed = self.keys.get(kid) if isinstance(kid, str) else None
        if listed is None:
            return self.root.verify(envelope, kind)  # WrongKey when it is not the root's either
        verifier, not_before, not_after = listed
        if not not_before <= self.now() <= not_after:
            raise WrongKey(f"{kind}: key {verifier.key_id} is outside its validity period")
        return verifier.verify(envelope, kind)

    def update(self, answer: Any) -> bool:
        """Take the server's ``GET /v1/keys`` answer: walk the root chain from the current root, then the
        keyset the (new) root signed. SignatureError for anything forged, rolled back or malformed (nothing
        changes then). Returns whether anything changed."""
        if not isinstance(answer, dict) or not isinstance(answer.get("roots", []), list):
            raise SignatureError("keys: malformed answer")
        trial = KeyRing(self.pinned, self.now)
        trial._take(self.accepted)
        changed = False
        for env in sorted(answer.get("roots") or [], key=_root_version):
            if _root_version(env) > trial.root_version:
                trial._take_root(env)
                changed = True
        keyset = answer.get("keyset")
        if keyset is not None:
            before = trial.keyset_version, dict(trial.keys), set(trial.revoked)
            trial._take_keyset(keyset)
            changed = changed or (trial.keyset_version, dict(trial.keys), set(trial.revoked)) != before
        if changed:
            self.__dict__.update(trial.__dict__)
        return changed

    def dump(self) -> str:
        """What was accepted, for the mirror (re-verified by :meth:`load`)."""
        return json.dumps(self.accepted, ensure_ascii=False, sort_keys=True)

    @classmethod
    def load(cls, pinned: Verifier, stored: str | None, now: Callable[[], dt.datetime] = utcnow) -> KeyRing:
        """The key ring from the pinned key and what the mirror kept (pinned alone if that does not verify)."""
        ring = cls(pinned, now)
        if stored:
            try:
                ring._take(json.loads(stored))
            except (SignatureError, ValueError, TypeError, AttributeError):
                ring = cls(pinned, now)
        return ring

    def _take(self, accepted: dict[str, Any]) -> None:
        for env in accepted.get("roots") or []:
            self._take_root(env)
        if accepted.get("keyset") is not None:
            self._take_keyset(accepted["keyset"])

    def _take_root(self, env: Any) -> None:
        payload = self.root.verify(env, "root")  # signed by the root it replaces
        version = payload.get("version")
        if version != self.root_version + 1:
            raise SignatureError(f"keys: root version {version!r} does not follow {self.root_version}")
        new = _public(payload.get("public"))
        if payload.get("key_id") != new.key_id:
            raise SignatureError("keys: the new root's id does not match its key")
        self.root, self.root_version = new, int(version)
        self.accepted["roots"] = [*self.accepted["roots"], env]
        self.keys, self.keyset_version = {}, 0  # the new root lists the online keys afresh

    def _take_keyset(self, env: Any) -> None:
        payload = self.root.verify(env, "keyset")
        version = payload.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < self.keyset_version:
            raise SignatureError(f"keys: keyset version {version!r} is older than {self.keyset_version} (rolled back)")
        keys: dict[str, tuple[Verifier, dt.datetime, dt.datetime]] = {}
        for item in payload.get("keys") or []:
            v = _public(item.get("public"))
            if item.get("key_id") != v.key_id:
                raise SignatureError("keys: a listed key's id does not match the key")
            keys[v.key_id] = (v, _when(item.get("not_before")), _when(item.get("not_after")))
        revoked = {str(k) for k in payload.get("revoked") or []}
        self.keys = {k: v for k, v in keys.items() if k not in revoked}
        self.revoked |= revoked
        self.keyset_version = version
        self.accepted["keyset"] = env


def _root_version(env: Any) -> int:
    payload = env.get("payload") if isinstance(env, dict) else None
    version = payload.get("version") if isinstance(payload, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def keyset_payload(
    version: int, keys: list[tuple[Ed25519PublicKey, dt.datetime, dt.datetime]], revoked: list[str], now: dt.datetime
) -> dict[str, Any]:
    """A keyset payload (the root signs it): each key with its validity, and the revoked ids."""
    from cryptography.hazmat.primitives import serialization

    def raw(k: Ed25519PublicKey) -> str:
        return base64.b64encode(k.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()

    def iso(t: dt.datetime) -> str:
        return t.replace(microsecond=0).isoformat() + "Z"

    return {
        "kind": "keyset",
        "version": version,
        "issued_at": iso(now),
        "keys": [
            {"key_id": key_id(k), "public": raw(k), "not_before": iso(a), "not_after": iso(b)} for k, a, b in keys
        ],
        "revoked": sorted(set(revoked)),
    }
