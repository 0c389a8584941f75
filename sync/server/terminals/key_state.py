"""The district's keys as IT's fleet page shows them: which key the terminals pin (the offline root, or the
signing key itself), the online signing key in use and until when the root certified it, the key set's
version and the keys revoked for good — read from the key folder the server serves them from
(:mod:`sync.server.keys_cli`), in Beijing time and plain Chinese."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from sync.protocol import signing
from sync.server.pages import beijing

SOON = dt.timedelta(days=30)  # a certification ending within this is flagged for IT


@dataclass
class KeyState:
    pinned: str  # what a terminal pins, in words
    signing_key: str  # the online key's fingerprint
    certified_until: str = ""  # Beijing time, "" without a root
    keyset_version: int | None = None
    revoked: list[str] = field(default_factory=list)
    warning: str = ""  # for IT: a certification running out or missing


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.rstrip("Z")).replace(tzinfo=None)


def key_state(key_dir: Path | None, signer: signing.Signer, now: dt.datetime) -> KeyState:
    """What the key folder says now (``now`` naive UTC)."""
    online = signing.format_fingerprint(signer.key_id)
    root = key_dir / "root.pub" if key_dir is not None else None
    if root is None or not root.is_file():
        return KeyState(f"本服务器的签名密钥 {online}（未启用离线根密钥）", online)
    root_fp = signing.format_fingerprint(signing.load_verifier(root).key_id)
    state = KeyState(f"离线根密钥 {root_fp}", online)
    try:
        env = json.loads((root.parent / "keyset.json").read_text(encoding="utf-8"))
        payload = env["payload"]
        state.keyset_version = int(payload["version"])
        state.revoked = [signing.format_fingerprint(k) for k in payload.get("revoked", [])]
        mine = [k for k in payload.get("keys", []) if k.get("key_id") == signer.key_id]
    except (OSError, ValueError, KeyError, TypeError):
        state.warning = "未找到有效的密钥证书（keyset.json）：终端将拒绝本服务器的签名，请用离线根密钥重新签发"
        return state
    if not mine:
        state.warning = "当前签名密钥未经离线根密钥签发：终端将拒绝本服务器的签名，请用离线根密钥签发"
        return state
    until = _utc(mine[0]["not_after"])
    state.certified_until = beijing(until)
    if until <= now:
        state.warning = "当前签名密钥的签发已过期：终端将拒绝本服务器的签名，请立即用离线根密钥重新签发"
    elif until - now <= SOON:
        state.warning = f"当前签名密钥的签发将于 {state.certified_until}（北京时间）到期，请尽快用离线根密钥续签"
    return state
