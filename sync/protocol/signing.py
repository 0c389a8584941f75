"""Ed25519 signatures over canonical JSON: how every record, list and manifest the district publishes is
made tamper-evident, and how a terminal checks it.

A signed object travels as an *envelope* ``{"payload": {...}, "key_id": "…", "sig": "<base64>"}``.
The signature covers ``DOMAIN + canonical(payload)`` where :func:`canonical` is UTF-8 JSON with sorted
keys, no insignificant white space and non-ASCII characters kept as themselves. Every payload names its
``kind`` (``document``, ``page``, ``manifest``, ``zones``, ``categories``, ``calendar``) and a verifier states the
kind it expects, so a signed record of one kind can never be replayed as another.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import ConfigError, SignatureError

DOMAIN = b"zwgk-sync-v1\n"
PRIVATE_NAME = "district-signing.key"
PUBLIC_NAME = "district-signing.pub"


def canonical(obj: Any) -> bytes:
    """The one byte encoding that is signed: sorted keys, compact separators, UTF-8, no NaN."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def key_id(public: Ed25519PublicKey) -> str:
    """A short, stable name of a public key: the first 16 hex digits of sha256 of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def format_fingerprint(kid: str) -> str:
    """A key id as people read it aloud: groups of four hex digits (``ab73 d65b a639 4e45``)."""
    return " ".join(kid[i : i + 4] for i in range(0, len(kid), 4))


class WrongKey(SignatureError):
    """Content signed by a key other than the one this terminal was provisioned with."""

    code = "wrong-key"


class Verifies(Protocol):
    """Anything that checks envelopes: a :class:`Verifier`, or the terminal's key ring
    (:class:`sync.protocol.keyring.KeyRing`)."""

    def verify(self, envelope: Any, kind: str) -> dict[str, Any]: ...


class Signer:
    """Holds the district's private key and signs payloads into envelopes."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self.private = private
        self.public = private.public_key()
        self.key_id = key_id(self.public)

    def sign(self, payload: dict[str, Any]) -> dict[str, Any]:
        sig = self.private.sign(DOMAIN + canonical(payload))
        return {"payload": payload, "key_id": self.key_id, "sig": base64.b64encode(sig).decode("ascii")}


class Verifier:
    """Holds the trusted public key (provisioned on the terminal) and checks envelopes."""

    def __init__(self, public: Ed25519PublicKey) -> None:
        self.public = public
        self.key_id = key_id(public)

    def verify(self, envelope: Any, kind: str) -> dict[str, Any]:
        """The payload of a valid envelope of ``kind``; :class:`SignatureError` for anything else."""
        if not isinstance(envelope, dict) or set(envelope) != {"payload", "key_id", "sig"}:
            raise SignatureError(f"{kind}: not a signed envelope")
        payload, kid, sig = envelope["payload"], envelope["key_id"], envelope["sig"]
        if not isinstance(payload, dict) or not isinstance(sig, str) or not isinstance(kid, str):
            raise SignatureError(f"{kind}: malformed envelope")
        if kid != self.key_id:
            raise WrongKey(f"{kind}: signed by key {kid[:16]!r}, this terminal trusts {self.key_id}")
        try:
            raw_sig = base64.b64decode(sig, validate=True)
            self.public.verify(raw_sig, DOMAIN + canonical(payload))
        except (InvalidSignature, ValueError) as exc:
            raise SignatureError(f"{kind}: signature does not verify (forged or altered)") from exc
        if payload.get("kind") != kind:
            raise SignatureError(f"expected a signed {kind}, got {str(payload.get('kind'))[:20]!r}")
        return payload


def generate(out_dir: Path) -> tuple[Path, Path]:
    """Write a new key pair into ``out_dir`` (private key readable by the owner only). Refuses to overwrite."""
    out_dir.mkdir(parents=True, exist_ok=True)
    priv_path, pub_path = out_dir / PRIVATE_NAME, out_dir / PUBLIC_NAME
    if priv_path.exists() or pub_path.exists():
        raise ConfigError(f"{out_dir}：此处已有密钥对，拒绝覆盖")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    pub_path.write_bytes(
        private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return priv_path, pub_path


def load_signer(key_dir: Path) -> Signer:
    path = key_dir / PRIVATE_NAME if key_dir.is_dir() else key_dir
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}：无法读取区级签名私钥：{exc}") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise ConfigError(f"{path}：不是 Ed25519 私钥")
    return Signer(private)


def load_verifier(pub_path: Path) -> Verifier:
    path = pub_path / PUBLIC_NAME if pub_path.is_dir() else pub_path
    try:
        public = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}：无法读取区级公钥：{exc}") from None
    if not isinstance(public, Ed25519PublicKey):
        raise ConfigError(f"{path}：不是 Ed25519 公钥")
    return Verifier(public)
