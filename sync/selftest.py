"""The self-test's server check (``kiosk self-test``): the district server accepts this terminal's token and
its manifest is signed by the trusted key. Registered in ``pyproject.toml`` (``zwgk_kiosk.selftest_checks``);
``kiosk.selftest`` holds the verdicts and runs it."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.config import Config
from kiosk.selftest import CheckResult, Verdict
from sync import http
from sync.protocol import keyring, signing

SERVER_PROBE_PATH = "/v1/manifest"


def check_server(cfg: Config) -> CheckResult:  # noqa: PLR0911 - one verdict for each way a server fails
    """An authenticated GET of the manifest, whose signature must be the trusted key's."""
    if not cfg.server.url:
        return CheckResult("server", Verdict.SKIP, "未配置服务器：终端只用本机内容镜像运行")
    where = f"{cfg.path or '配置文件'}"
    try:
        with http.ServerClient(cfg) as client:
            resp = client.http.get(SERVER_PROBE_PATH)
            body = resp.content[:1_000_000]
    except Exception as exc:  # httpx's errors, a bad CA file, …: the reason, not a traceback
        return CheckResult(
            "server", Verdict.FAIL, f"{cfg.server.url}：无法连接：{type(exc).__name__}: {str(exc)[:160]}"
        )
    code = resp.status_code
    error = ""
    try:
        parsed = json.loads(body)
        error = str(parsed.get("error", "")) if isinstance(parsed, dict) else ""
    except ValueError:
        parsed = None
    if code == 401 and error == "terminal_revoked":
        return CheckResult("server", Verdict.FAIL, f"{cfg.server.url}：本终端已被区信息中心吊销（revoked）")
    if code in (401, 403):
        return CheckResult(
            "server",
            Verdict.FAIL,
            f"{cfg.server.url} 拒绝了本终端的令牌（{where} 中的 [server] token；HTTP {code}）",
        )
    if code != 200:
        return CheckResult("server", Verdict.FAIL, f"{cfg.server.url} 对 {SERVER_PROBE_PATH} 返回 HTTP {code}")
    try:
        # the pinned key, and the online keys its root certified that the last sync accepted
        verifier = keyring.KeyRing.load(signing.load_verifier(Path(cfg.server.trust_key)), _stored_keys(cfg.db_path))
        try:
            manifest = verifier.verify(parsed, "manifest")
        except keyring.RevokedKey:
            raise
        except signing.WrongKey as unknown:
            # a key the mirror has not met yet (right after enrolment, or after a rotation): the key set
            # the pinned root certified, as the sync fetches it; verified here, stored by the sync only
            try:
                verifier.update(_fetch_keys(cfg))
            except Exception:  # no key set on this server, or a forged one: the key simply does not fit
                raise unknown from None
            manifest = verifier.verify(parsed, "manifest")
    except keyring.RevokedKey:
        kid = str(parsed.get("key_id", "?"))[:16] if isinstance(parsed, dict) else "?"
        return CheckResult(
            "server",
            Verdict.FAIL,
            f"{cfg.server.url} 用已被区离线根密钥吊销（revoked）的密钥 {kid} 签名：它不是区级服务器，"
            "或者仍在使用泄露的密钥（见 docs/deploy.md 第 5 节演练 2（drill 2））",
        )
    except Exception as exc:  # SignatureError, an unreadable key file: the key does not fit this server
        return CheckResult(
            "server",
            Verdict.FAIL,
            f"清单不是由信任的密钥签名（[server] trust_key {cfg.server.trust_key}）：{str(exc)[:160]}",
        )
    return CheckResult(
        "server",
        Verdict.OK,
        f"{cfg.server.url}：令牌有效；第 {manifest.get('version')} 版清单由信任的密钥签名：{_signer(parsed, verifier)}",
    )


def _fetch_keys(cfg: Config) -> object:
    """The server's ``GET /v1/keys`` answer (the root chain and the key set), parsed."""
    with http.ServerClient(cfg) as client:
        resp = client.http.get("/v1/keys")
        resp.raise_for_status()
        return json.loads(resp.content[: 256 * 1024])


def _signer(envelope: object, verifier: keyring.KeyRing) -> str:
    """Which key signed: the root itself, or an online key and the root that certified it."""
    kid = envelope.get("key_id") if isinstance(envelope, dict) else None
    if isinstance(kid, str) and kid in verifier.keys:
        return f"{kid}（在线签名密钥，密钥集第 {verifier.keyset_version} 版，由根密钥（root） {verifier.key_id} 签发）"
    return verifier.key_id


def _stored_keys(db_path: Path) -> str | None:
    """The key set the last sync accepted (``sync.keys`` in the mirror), read-only; None if unreadable."""
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM kv WHERE key = 'sync.keys'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None
