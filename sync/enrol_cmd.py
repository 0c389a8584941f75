"""``kiosk enrol --server URL --code CODE``: turn a freshly installed terminal into a production one with
the one-time code district IT was given by ``python -m sync.server terminal add``.

One command writes the whole configuration: it asks for the staff PIN first (so a refused PIN costs no
code), fetches the district's public key alone (``GET /v1/enrol/key``, which spends nothing) and checks it
against the fingerprint IT read out (``--fingerprint``, or shown and confirmed at a console), so a wrong
digit costs no code either; only then redeems the code (``POST /v1/enrol``), whose answer must carry the
same key, and writes ``terminal.toml`` beside the
key: the terminal's id and name as the server knows them, its zone, the server URL and the token (never
shown), the sync interval, the zone's printers, the PIN's hash, and no content pack. The file is mode
0600; run as root, it and the data folder are given to the service user (``--user``, default
``kiosk``), so only that user can read the token; run as root on a machine without that user, it refuses
before anything is spent and names the command that creates it. A plain ``http://`` server address is
refused unless it is loopback or ``--allow-http`` is given (the token would cross the network in clear).
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import itertools
import os
import sys
from pathlib import Path
from typing import Any

import tomli_w

from kiosk import config as config_mod
from kiosk.cli import program
from kiosk.errors import ConfigError, KioskError
from kiosk.staff import hash_pin
from sync.protocol import requests

DEFAULT_USER = "kiosk"
ROLE_LABELS = {"receipt": "小票打印机", "a4": "A4 打印机"}
WEAK_PINS = frozenset({"246810", "123456", "654321", "123123", "112233", "121212", "000000", "111111"})


def default_paths() -> tuple[Path, Path]:
    """Where the configuration and the data live on an installed terminal (docs/deploy.md)."""
    if os.name == "nt":
        base = Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "zwgk-kiosk"
        return base / "terminal.toml", base / "data"
    return Path("/etc/zwgk-kiosk/terminal.toml"), Path("/var/lib/zwgk-kiosk")


def register(sub: Any) -> None:
    out, data = default_paths()
    p = sub.add_parser("enrol", help="用区信息中心给出的注册码配置本终端")
    p.add_argument("--server", required=True, help="区级服务器的网址（https://…）")
    p.add_argument("--code", required=True, help="一次性注册码（XXXXX-XXXXX）")
    p.add_argument("--fingerprint", help="区信息中心看到的区级密钥指纹（16 位十六进制数）")
    p.add_argument("--out", type=Path, default=out, help=f"要写入的配置文件（默认 {out}）")
    p.add_argument("--data", type=Path, default=data, help=f"数据文件夹（默认 {data}）")
    p.add_argument("--ca-bundle", type=Path, help="用于验证服务器 TLS 证书的 CA 证书包")
    p.add_argument("--user", default=DEFAULT_USER, help="拥有配置和数据的服务用户（以 root 运行时）")
    p.add_argument("--pin-stdin", action="store_true", help="从标准输入读取工作人员 PIN（供脚本使用）")
    p.add_argument("--mirror-all-zones", action="store_true", help="镜像所有专区的文件，而不只是区级和本专区的")
    p.add_argument("--force", action="store_true", help="替换已有配置（重新注册）")
    p.add_argument("--allow-http", action="store_true", help="接受非本机的明文 http:// 服务器（仅限封闭网络）")
    p.set_defaults(func=run)


def check_pin(pin: str) -> str:
    """``pin`` if it is 6–12 digits and not an obvious one; else a :class:`KioskError` saying why."""
    if not pin.isdigit() or not 6 <= len(pin) <= 12:
        raise KioskError("工作人员 PIN 须为 6 到 12 位数字")
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    if pin in WEAK_PINS or len(set(pin)) == 1 or steps in ({1}, {-1}):
        raise KioskError("这个 PIN 太容易被猜到（246810 是 README 里公开的演示 PIN）")
    return pin


def read_pin(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline().strip()
        if not line:
            raise KioskError("标准输入中没有工作人员 PIN")
        return check_pin(line)
    pin = check_pin(getpass.getpass("请设置本终端的工作人员 PIN（6–12 位数字）："))
    if getpass.getpass("再输一次同一个 PIN：") != pin:
        raise KioskError("两次输入的 PIN 不一致；未做任何改动")
    return pin


def normalise_fingerprint(text: str) -> str:
    return "".join(text.split()).lower()


def key_fingerprint(pem: str) -> str:
    """The key id (``sync.protocol.signing.key_id``) of a PEM public key; ConfigError if it is not Ed25519."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ConfigError("服务器发来的公钥无法读取") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError("服务器的公钥不是 Ed25519 密钥")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def fetch_key(server: str, ca_bundle: Path | None) -> str:
    """The district's public key (PEM) as the server hands it out before any code is spent."""
    import httpx

    verify: Any = str(ca_bundle) if ca_bundle else True
    try:
        r = httpx.get(f"{server.rstrip('/')}/v1/enrol/key", timeout=20, verify=verify)
    except httpx.HTTPError as exc:
        raise KioskError(f"无法连接 {server}：{type(exc).__name__}: {exc}") from None
    if r.status_code != 200:
        raise KioskError(f"索取密钥时服务器返回 HTTP {r.status_code}；注册码未被使用")
    try:
        body = r.json()
    except ValueError:
        raise KioskError("服务器返回的密钥应答不是 JSON；注册码未被使用") from None
    pem = body.get("public_key_pem") if isinstance(body, dict) else None
    if not isinstance(pem, str) or len(pem) > 4096:
        raise KioskError("服务器返回的密钥应答中没有密钥；注册码未被使用")
    return pem


def check_fingerprint(fp: str, given: str | None) -> None:
    """The key ``fp`` is the one IT named (or, at a console without ``--fingerprint``, confirmed)."""
    if given is not None and normalise_fingerprint(given) != fp:
        raise ConfigError(
            f"区级密钥指纹是 {fp}，而不是区信息中心给出的 {normalise_fingerprint(given)}："
            "未写入任何内容，注册码仍未使用（请核对数字；也可能有人在本终端和服务器之间冒充服务器，请告知区信息中心）"
        )
    if given is None and sys.stdin.isatty():
        shown = " ".join(fp[i : i + 4] for i in range(0, 16, 4))
        answer = input(f"区级密钥指纹：{shown}\n与区信息中心给您的一致吗？[y/N] ")
        if answer.strip().lower() not in ("y", "yes", "是"):
            raise ConfigError("未确认；未写入任何内容，注册码仍未使用")


def redeem(server: str, code: str, ca_bundle: Path | None) -> dict[str, Any]:
    """POST the code; the server's answer (see sync.server.terminals.enrol), or a KioskError in plain words."""
    import httpx

    verify: Any = str(ca_bundle) if ca_bundle else True
    try:
        body = requests.wire(requests.parse(requests.EnrolRequest, {"code": code}))
    except requests.RequestRefused:
        raise KioskError("注册码太长；格式应为 XXXXX-XXXXX") from None
    try:
        r = httpx.post(f"{server.rstrip('/')}/v1/enrol", json=body, timeout=20, verify=verify)
    except httpx.HTTPError as exc:
        raise KioskError(f"无法连接 {server}：{type(exc).__name__}: {exc}") from None
    if r.status_code == 404:
        raise KioskError("服务器不认识这个注册码，或它已被使用、已过期；请向区信息中心索取新的注册码")
    if r.status_code == 429:
        raise KioskError("错误注册码过多，服务器暂停受理注册几分钟；请稍后再试")
    if r.status_code != 200:
        raise KioskError(f"服务器返回 HTTP {r.status_code}：{r.text[:200]}")
    try:
        body = r.json()
    except ValueError:
        raise KioskError("服务器的应答不是 JSON") from None
    need = {"terminal_id": str, "zone": str, "token": str, "public_key_pem": str, "printers": list}
    if not isinstance(body, dict) or any(not isinstance(body.get(k), t) for k, t in need.items()):
        raise KioskError("服务器的应答中缺少终端配置")
    return body


def build_config(  # noqa: PLR0917 - the server's answer and what the command line adds to it
    body: dict[str, Any], server: str, data: Path, pin_hash: str, ca: Path | None, mirror_all_zones: bool = False
) -> str:
    terminal: dict[str, Any] = {
        "id": body["terminal_id"],
        "name": str(body.get("name") or body["terminal_id"]),
        "zone": body["zone"],
        "data_dir": str(data),
        "content_pack": "",
    }
    if mirror_all_zones:
        terminal["mirror_all_zones"] = True
    srv: dict[str, Any] = {"url": server, "token": body["token"], "trust_key": "district-signing.pub"}
    if isinstance(body.get("sync_interval_s"), int):
        srv["sync_interval_s"] = body["sync_interval_s"]
    if ca is not None:
        srv["ca_bundle"] = str(ca.resolve())
    doc: dict[str, Any] = {"terminal": terminal, "server": srv, "staff": {"pin_hash": pin_hash}}
    if body["printers"]:
        doc["printers"] = body["printers"]
    head = (
        f"# Written by `kiosk enrol` for terminal {body['terminal_id']} ({terminal['name']}).\n"
        f"# District key fingerprint {body.get('key_id', '')}. Keep this file readable by the service user only.\n"
    )
    return head + tomli_w.dumps(doc)


def _owner(user: str) -> tuple[int, int] | None:
    """(uid, gid) of the service user when we run as root on POSIX and it exists; else None."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        return None
    return pw.pw_uid, pw.pw_gid


def write_private(path: Path, text: str, owner: tuple[int, int] | None, mode: int = 0o600) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    if owner is not None:
        os.chown(tmp, *owner)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def check_server(server: str, allow_http: bool) -> None:
    from kiosk.urls import plain_http_problem

    problem = plain_http_problem(server)
    if problem is not None and not (allow_http and server.lower().startswith("http://")):
        raise ConfigError(problem)


def need_owner(user: str) -> tuple[int, int] | None:
    """The service user's (uid, gid) when run as root; a ConfigError naming the command that creates it
    when root runs this on a machine without that user (the token file would stay root's)."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    owner = _owner(user)
    if owner is None:
        raise ConfigError(
            f"本机没有用户 {user!r}，而配置和数据须归它所有；"
            f"请先用 `{program()} install`（或 `useradd --system --create-home {user}`）创建，"
            "然后再注册（注册码未被使用）"
        )
    return owner


def enrol(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    out: Path = args.out.resolve()
    if out.exists() and not args.force:
        raise ConfigError(f"{out} 已存在（本终端已配置）；如要重新注册请加 --force")
    check_server(args.server, getattr(args, "allow_http", False))
    owner = need_owner(args.user)
    pin = read_pin(args.pin_stdin)
    fp = key_fingerprint(fetch_key(args.server, args.ca_bundle))
    check_fingerprint(fp, args.fingerprint)
    body = redeem(args.server, args.code, args.ca_bundle)
    if key_fingerprint(body["public_key_pem"]) != fp or body.get("key_id") not in (None, fp):
        raise ConfigError("服务器兑换注册码时用的密钥与核对过的不同：未写入任何内容；请告知区信息中心")
    data = args.data.resolve()
    text = build_config(body, args.server, data, hash_pin(pin), args.ca_bundle, args.mirror_all_zones)
    config_mod.parse(text, out)  # the checks the kiosk makes when it starts, before anything is written
    out.parent.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    if owner is not None:
        os.chown(data, *owner)
        os.chmod(data, 0o750)  # noqa: S103 - the service user's group may read the logs; others nothing
    write_private(out.parent / "district-signing.pub", body["public_key_pem"], owner, 0o644)
    write_private(out, text, owner)
    config_mod.load(out)
    return out, body


def run(args: argparse.Namespace) -> int:
    out, body = enrol(args)
    fp = key_fingerprint(body["public_key_pem"])
    printers = "、".join(
        f"{p.get('name')}（{ROLE_LABELS.get(str(p.get('role')), p.get('role'))}，{p.get('kind')}）"
        for p in body["printers"]
    )
    print(f"已注册为终端 {body['terminal_id']}（{body.get('name', '')}），专区 {body['zone']}")
    print(f"区级密钥指纹 {' '.join(fp[i : i + 4] for i in range(0, 16, 4))}；打印机：{printers or '无'}")
    print(f"配置文件：{out}（权限 0600）；检查配置：{program()} self-test --config {out}")
    return 0
