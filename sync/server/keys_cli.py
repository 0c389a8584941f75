"""``python -m sync.server root init|certify|rotate``: the district's offline root key
(:mod:`sync.protocol.keyring`). The root folder lives on a machine that is never the serving one (an
offline laptop, a USB stick in the office safe); what it produces is copied to the server's key folder:

    root init --out ROOTDIR                         the root key pair (root.key stays in ROOTDIR)
    root certify --root ROOTDIR --key KEYDIR [--days 365] [--revoke KEYID …]
                                                    sign KEYDIR/district-signing.pub into KEYDIR/keyset.json
                                                    (version + 1, revocations kept), copy root.pub beside it
    root rotate --root OLDDIR --new NEWDIR --key KEYDIR
                                                    the old root signs the new one (KEYDIR/roots/root-N.json)

KEYDIR needs only the public files when certifying (copy ``district-signing.pub`` and the current
``keyset.json`` to the offline machine, bring ``keyset.json``, ``root.pub`` and ``roots/`` back).
docs/deploy.md has the ceremony and the two drills (routine rotation; compromise).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import ConfigError
from sync.protocol import signing
from sync.protocol.keyring import keyset_payload

ROOT_KEY, ROOT_PUB, ROOT_STATE, KEYSET = "root.key", "root.pub", "root.json", "keyset.json"


def add_parsers(sub: Any) -> None:
    r = sub.add_parser("root", help="离线根密钥：init 生成、certify 签发在线签名密钥、rotate 轮换根密钥")
    r.add_argument("action", choices=["init", "certify", "rotate"])
    r.add_argument("--out", type=Path, help="init：新根密钥文件夹（离线保存）")
    r.add_argument("--root", type=Path, help="certify/rotate：（当前的）根密钥文件夹")
    r.add_argument("--new", type=Path, help="rotate：新根密钥文件夹（由 init 生成）")
    r.add_argument("--key", type=Path, help="certify/rotate：服务器的密钥文件夹（有公开文件即可）")
    r.add_argument("--days", type=int, default=365, help="certify：在线签名密钥的有效天数")
    r.add_argument("--revoke", action="append", default=[], help="certify：要永久吊销的密钥编号（可重复）")


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


def _pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _root_signer(folder: Path) -> tuple[signing.Signer, int]:
    private = serialization.load_pem_private_key((folder / ROOT_KEY).read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ConfigError(f"{folder}：不是 Ed25519 根密钥")
    state = json.loads((folder / ROOT_STATE).read_text(encoding="utf-8"))
    return signing.Signer(private), int(state["version"])


def _json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def init(out: Path) -> str:
    out.mkdir(parents=True, exist_ok=True)
    if (out / ROOT_KEY).exists():
        raise ConfigError(f"{out}：此处已有根密钥，拒绝覆盖")
    key = Ed25519PrivateKey.generate()
    _write_private(out / ROOT_KEY, key)
    (out / ROOT_PUB).write_bytes(_pem(key.public_key()))
    _json(out / ROOT_STATE, {"version": 0})
    return signing.key_id(key.public_key())


def key_id_as_typed(text: str) -> str:
    """A key id as IT copies it (``beea c921 9e93 b8f6`` from the fleet page, capitals, a dash) as the
    16 lower-case hex digits a key set lists; ConfigError for anything else (a key id that matches no key
    would revoke nothing, silently)."""
    kid = "".join(c for c in text.lower() if c not in " -:")
    if len(kid) != 16 or any(c not in "0123456789abcdef" for c in kid):
        raise ConfigError(
            f"要吊销的密钥编号应为 16 位十六进制数（如 ab73 d65b a639 4e45），而不是 {text!r}；未签发任何内容"
        )
    return kid


def certify(root: Path, key_dir: Path, days: int, revoke: list[str]) -> dict[str, Any]:
    revoke = [key_id_as_typed(k) for k in revoke]
    signer, _version = _root_signer(root)
    online = signing.load_verifier(key_dir / signing.PUBLIC_NAME)
    if online.key_id in revoke:
        raise ConfigError("要签发的在线签名密钥正是要吊销的那把：请先生成新的（keygen）；未签发任何内容")
    old: dict[str, Any] = {}
    if (key_dir / KEYSET).exists():
        old = json.loads((key_dir / KEYSET).read_text(encoding="utf-8"))["payload"]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    payload = keyset_payload(
        int(old.get("version", 0)) + 1,
        [(online.public, now - dt.timedelta(minutes=5), now + dt.timedelta(days=days))],
        [*old.get("revoked", []), *revoke],
        now,
    )
    _json(key_dir / KEYSET, signer.sign(payload))
    (key_dir / ROOT_PUB).write_bytes(_pem(signer.public))
    return payload


def rotate(old_root: Path, new_root: Path, key_dir: Path) -> int:
    signer, version = _root_signer(old_root)
    new_pub = serialization.load_pem_public_key((new_root / ROOT_PUB).read_bytes())
    if not isinstance(new_pub, Ed25519PublicKey):
        raise ConfigError(f"{new_root}：不是 Ed25519 根密钥")
    import base64

    raw = new_pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    n = version + 1
    env = signer.sign(
        {"kind": "root", "version": n, "key_id": signing.key_id(new_pub), "public": base64.b64encode(raw).decode()}
    )
    _json(key_dir / "roots" / f"root-{n}.json", env)
    _json(new_root / ROOT_STATE, {"version": n})
    return n


def beijing_time(text: str) -> str:
    """A key set's UTC time (``2027-12-08T02:27:33Z``) as IT reads it: ``2027-12-08 10:27 北京时间``."""
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    t = t if t.tzinfo else t.replace(tzinfo=dt.UTC)
    return f"{t.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m-%d %H:%M} 北京时间"


def run(args: argparse.Namespace) -> int | None:
    if args.cmd != "root":
        return None
    if args.action == "init":
        if args.out is None:
            raise ConfigError("root init 需要 --out 根密钥文件夹")
        kid = init(args.out)
        print(f"根密钥：{args.out / ROOT_KEY}（离线保存，绝不放在运行服务的机器上）")
        print(f"根密钥指纹：{signing.format_fingerprint(kid)}")
        return 0
    if args.root is None or args.key is None:
        raise ConfigError(f"root {args.action} 需要 --root 根密钥文件夹 和 --key 密钥文件夹")
    if args.action == "certify":
        p = certify(args.root, args.key, args.days, args.revoke)
        listed = "、".join(k["key_id"] for k in p["keys"])
        until = beijing_time(p["keys"][0]["not_after"])
        print(
            f"密钥集 第 {p['version']} 版：在线签名密钥 {listed}，有效至 {until}；"
            f"已吊销：{'、'.join(p['revoked']) or '无'}"
        )
        return 0
    if args.new is None:
        raise ConfigError("root rotate 需要 --new 新根密钥文件夹（由 root init 生成）")
    n = rotate(args.root, args.new, args.key)
    print(
        f"第 {n} 版根密钥已由旧根密钥签署：{args.key / 'roots' / f'root-{n}.json'}；"
        f"接下来用 --root {args.new} 运行 root certify"
    )
    return 0
