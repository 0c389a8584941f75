"""Applicants' personal data at rest: sealed with a key kept outside the database.

An application's payload (name, ID number, phone, address, what was asked) is stored sealed —
``pii1:<key id>:<base64 of nonce + AES-256-GCM ciphertext>`` — in ``submissions.payload``; the phone
is found again by a keyed hash (HMAC-SHA256 under the keyring's lookup key), never by its digits. A copy
of the database alone (a backup, a dump, a stolen disk) holds no readable ID number or phone.

The keyring is a small JSON file (mode 0600) outside the database::

    {"version": 1, "keys": [{"id": "k1", "created": "…Z", "key": "<base64, 32 bytes>"}, …],
     "lookup": {"id": "l1", "key": "<base64, 32 bytes>"}}

Where it is: ``--pii-keys FILE`` or ``ZWGK_PII_KEYS``; by default, beside an SQLite database file
(``<file>.pii-keys.json``) or, for PostgreSQL, under the server user's config folder. It is made on first
use for a database that holds no sealed data yet; a database that does, opened without its keyring,
refuses to read or write applications (never a silent new key). Back it up apart from the database:
without it the sealed data cannot be read.

Rotation (``python -m sync.server pii rotate --db URL``, documented in docs/deploy.md): a new key is added
and becomes the one that seals; every sealed payload is re-sealed with it and every phone hash recomputed
under a new lookup key in one transaction; the old keys stay in the file until ``pii prune`` drops the
ones nothing is sealed with any more. Payloads stored before sealing existed (plain JSON) are read as they
are and sealed by the next rotation.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from kiosk.errors import os_reason
from sync.server.errors import ServerRefusal

log = logging.getLogger("sync.server.pii")

PREFIX = "pii1:"
AAD = b"zwgk-pii-v1"
ENV = "ZWGK_PII_KEYS"


class KeyringError(ServerRefusal):
    """The keyring is missing, unreadable or lacks a key something was sealed with."""


def _unreadable(exc: Exception) -> str:
    """Why a keyring file could not be read, in Chinese (for IT's command line and the journal)."""
    if isinstance(exc, OSError):
        return os_reason(exc)
    if isinstance(exc, json.JSONDecodeError):
        return f"不是有效的 JSON（第 {exc.lineno} 行）"
    if isinstance(exc, KeyError):
        return f"缺少字段 {exc}"
    if isinstance(exc, ValueError) and any("\u4e00" <= c <= "\u9fff" for c in str(exc)):
        return str(exc)
    return "内容格式不对（密钥应为 Base64）"


@dataclass
class Keyring:
    """The sealing keys (newest last: it seals) and the lookup key, loaded from ``path``."""

    path: Path
    keys: dict[str, bytes] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)
    lookup_id: str = ""
    lookup_key: bytes = b""

    @property
    def current(self) -> str:
        return self.order[-1]

    # --- file -----------------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            ring = cls(path)
            for k in data["keys"]:
                key = base64.b64decode(k["key"], validate=True)
                if len(key) != 32:
                    raise ValueError("其中有密钥不是 32 字节")
                ring.keys[k["id"]] = key
                ring.order.append(k["id"])
                ring.created[k["id"]] = k.get("created", "")
            ring.lookup_id = data["lookup"]["id"]
            ring.lookup_key = base64.b64decode(data["lookup"]["key"], validate=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KeyringError(f"无法读取个人信息密钥环 {path}：{_unreadable(exc)}") from None
        if not ring.order or len(ring.lookup_key) != 32:
            raise KeyringError(f"个人信息密钥环 {path} 中没有可用的密钥")
        return ring

    @classmethod
    def create(cls, path: Path) -> Keyring:
        """A new keyring at ``path`` (created exclusively: if another process made it first, that one)."""
        ring = cls(path)
        ring._add_key()
        ring.lookup_id, ring.lookup_key = "l1", secrets.token_bytes(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return cls.load(path)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(ring._text())
        log.warning("made a new personal-data keyring at %s: back it up apart from the database", path)
        return ring

    def _text(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "keys": [
                    {"id": i, "created": self.created[i], "key": base64.b64encode(self.keys[i]).decode()}
                    for i in self.order
                ],
                "lookup": {"id": self.lookup_id, "key": base64.b64encode(self.lookup_key).decode()},
            },
            indent=1,
        )

    def save(self) -> None:
        """Write the keyring atomically (0600)."""
        tmp = self.path.with_name(self.path.name + ".new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(self._text())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def _add_key(self) -> str:
        n = 1 + max((int(i[1:]) for i in self.order if i[1:].isdigit()), default=0)
        kid = f"k{n}"
        self.keys[kid] = secrets.token_bytes(32)
        self.order.append(kid)
        self.created[kid] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        return kid

    # --- sealing --------------------------------------------------------------------------------------

    def seal(self, obj: Any) -> str:
        """``obj`` as JSON, sealed with the current key."""
        nonce = secrets.token_bytes(12)
        plain = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        ct = AESGCM(self.keys[self.current]).encrypt(nonce, plain, AAD)
        return f"{PREFIX}{self.current}:{base64.b64encode(nonce + ct).decode('ascii')}"

    def open(self, text: str) -> Any:
        """The object sealed in ``text`` (plain JSON from before sealing is read as it is)."""
        if not text.startswith(PREFIX):
            return json.loads(text)
        kid, _, body = text[len(PREFIX) :].partition(":")
        key = self.keys.get(kid)
        if key is None:
            raise KeyringError(
                f"这条个人信息用密钥 {kid!r} 加密，但密钥环 {self.path} 中没有这把密钥（是否用错了密钥环？）"
            )
        raw = base64.b64decode(body)
        return json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], AAD).decode("utf-8"))

    def lookup(self, value: str) -> str:
        """The keyed hash a value (phone digits, a tracking number and tail) is found by."""
        return hmac.new(self.lookup_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def is_sealed(text: str | None) -> bool:
    return bool(text) and str(text).startswith(PREFIX)


# --- which keyring a database uses --------------------------------------------------------------------

_rings: dict[str, Keyring] = {}
_lock = threading.Lock()


def _url_key(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def default_path(url: str) -> Path:
    """Where a database's keyring is when nobody said: beside an SQLite file, else in the config folder."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        db = Path(u.database)
        return db.with_name(db.name + ".pii-keys.json")
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "zwgk-server" / f"pii-keys-{hashlib.sha256(_url_key(url).encode()).hexdigest()[:12]}.json"


def attach(engine: Engine, path: Path | None = None, *, holds_sealed: bool = False) -> Keyring:
    """Load (or, for a database with nothing sealed yet, make) the keyring of ``engine``'s database."""
    url = _url_key(str(engine.url.render_as_string(hide_password=False)))
    path = path or default_path(engine.url.render_as_string(hide_password=False))
    with _lock:
        if path.exists():
            ring = Keyring.load(path)
        elif holds_sealed:
            raise KeyringError(
                f"这个数据库存有加密的个人信息，但它的个人信息密钥环 {path} 不见了：请从备份恢复"
                "（用 --pii-keys 文件 或环境变量 ZWGK_PII_KEYS 指明它在哪里）"
            )
        else:
            ring = Keyring.create(path)
        _rings[url] = ring
        return ring


def ring_of(session: Session) -> Keyring:
    """The keyring of the database ``session`` is bound to."""
    bind = session.get_bind()
    url = _url_key(bind.engine.url.render_as_string(hide_password=False))
    ring = _rings.get(url)
    if ring is None:
        raise KeyringError("这个数据库还没有载入个人信息密钥环")
    return ring


def database_holds_sealed(engine: Engine) -> bool:
    """Whether any application in the database is sealed (then its keyring must exist)."""
    with engine.connect() as conn:
        row = conn.execute(text("SELECT 1 FROM submissions WHERE payload LIKE :p LIMIT 1"), {"p": f"{PREFIX}%"}).first()
        conn.rollback()
    return row is not None
