"""Deciding a login so that it cannot be turned against the office.

- **No listing of usernames.** A wrong name, a wrong password, a disabled account and a wrong 动态验证码
  get the same answer (:data:`WRONG`) after the same scrypt work.
- **No door anyone can close.** Failures are throttled per (account, source) with growing waits
  (:data:`sync.server.throttle.LOGIN`), not by locking the account: somebody else's failures, from
  another address, never keep the clerk out. A browser that logged in to an account before carries a
  known-device cookie; its tries count under (account, that device), so even failures from the clerk's
  own address (one office behind one NAT) do not lock her browser out.
- **Optional second factor.** An account with TOTP (``account totp NAME --enable``, RFC 6238 through
  pyotp) needs the current 6-digit code; a code is accepted once.
- **An audit log the office can read** (:class:`LoginEvent`): every success, failure and throttled try,
  with the name as typed, the source and the outcome — never the password or the code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from sqlalchemy import DateTime, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sync.server import throttle
from sync.server.db import AdminAccount, ServerBase, utcnow

WRONG = "用户名或密码不正确（已开通动态验证码的，请一并核对验证码）"
DEVICE_COOKIE = "zwgk_device"
DEVICE_LIFE = dt.timedelta(days=365)
OUTCOME_LABELS = {
    "success": "登录成功",
    "wrong": "用户名、密码或验证码不正确",
    "throttled": "尝试过于频繁，已让其稍候",
    "logout": "退出登录",
}


class LoginEvent(ServerBase):
    """One login attempt or logout, for the audit page (no password, no code, no cookie)."""

    __tablename__ = "login_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)  # as typed (trimmed): may be no account
    source: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # success | wrong | throttled | logout
    known_device: Mapped[bool] = mapped_column(default=False)


class KnownDevice(ServerBase):
    """A browser that logged in to an account: the sha256 of its cookie value, never the value."""

    __tablename__ = "known_devices"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


@dataclass(frozen=True)
class Attempt:
    """What a login form brought: the name and password typed, the code (may be empty), where from."""

    username: str
    password: str
    otp: str
    source: str
    device_cookie: str = ""


@dataclass(frozen=True)
class Decision:
    """The answer: the account on success; else the message and, when throttled, how long to wait."""

    account: AdminAccount | None
    message: str = ""
    wait_s: float = 0.0
    new_device_cookie: str = ""


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _known_device(s: Session, name: str, cookie: str) -> bool:
    if not cookie or len(cookie) > 100:
        return False
    row = s.get(KnownDevice, _hash(cookie))
    return row is not None and row.username == name and utcnow() - row.last_used_at < DEVICE_LIFE


def throttle_key(name: str, attempt: Attempt, known: bool) -> str:
    """(account, known device) for a browser that logged in to it before, else (account, source)."""
    return f"login\x1f{name}\x1f" + (f"device:{_hash(attempt.device_cookie)}" if known else f"ip:{attempt.source}")


def forget_failures(s: Session, name: str) -> None:
    """Lift every login wait on account ``name`` (IT set a new password): the throttles of each source its
    audit saw within the throttle's window, and of each browser that knows the account."""
    since = utcnow() - dt.timedelta(seconds=throttle.LOGIN.window_s)
    typed = select(LoginEvent.source).where(func.lower(func.trim(LoginEvent.username)) == name, LoginEvent.at >= since)
    for source in set(s.scalars(typed)):
        throttle.clear(s, f"login\x1f{name}\x1fip:{source}")
    for device in s.scalars(select(KnownDevice.id_hash).where(KnownDevice.username == name)):
        throttle.clear(s, f"login\x1f{name}\x1fdevice:{device}")


def _otp_ok(row: AdminAccount, code: str, now: dt.datetime) -> bool:
    if not row.totp_secret:
        return True
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return False
    totp = pyotp.TOTP(row.totp_secret)
    step = int(now.replace(tzinfo=dt.UTC).timestamp()) // totp.interval
    for drift in (0, -1, 1):  # one step of clock drift either way
        if row.totp_last_step is not None and step + drift <= row.totp_last_step:
            continue
        if hmac.compare_digest(totp.at(for_time=(step + drift) * totp.interval), code):
            row.totp_last_step = step + drift
            return True
    return False


def decide(s: Session, attempt: Attempt, name: str, verify: object, dummy_hash: str) -> Decision:
    """Check one login in the caller's transaction (books the throttle and the audit row).

    ``name`` is the username normalised (empty if it is no valid name); ``verify(password, hash)`` is
    the password hasher's check, run exactly once whatever the outcome so every answer costs the same.
    """
    assert callable(verify)
    now = utcnow()
    known = _known_device(s, name, attempt.device_cookie)
    key = throttle_key(name or attempt.username.strip()[:64], attempt, known)
    wait = throttle.wait_s(s, key, throttle.LOGIN, now)
    row = s.get(AdminAccount, name) if name else None
    if wait > 0:  # a try while waiting is not checked, and it lengthens the wait
        verify(attempt.password, dummy_hash)
        wait = throttle.fail(s, key, throttle.LOGIN, now)
        audit(s, attempt.username, attempt.source, "throttled", known)
        return Decision(None, f"尝试过于频繁，请 {int(wait) + 1} 秒后再试", wait)
    ok = verify(attempt.password, row.pw_hash if row is not None else dummy_hash)
    if row is None or row.disabled or not ok or not _otp_ok(row, attempt.otp, now):
        throttle.fail(s, key, throttle.LOGIN, now)
        audit(s, attempt.username, attempt.source, "wrong", known)
        return Decision(None, WRONG)
    throttle.clear(s, key)
    row.failed_logins, row.locked_until, row.last_login_at = 0, None, now
    audit(s, row.username, attempt.source, "success", known)
    cookie = attempt.device_cookie if known else secrets.token_urlsafe(32)
    if known:
        device = s.get(KnownDevice, _hash(cookie))
        assert device is not None
        device.last_used_at = now
    else:
        s.add(KnownDevice(id_hash=_hash(cookie), username=row.username, created_at=now, last_used_at=now))
    return Decision(row, new_device_cookie=cookie)


def audit(s: Session, username: str, source: str, outcome: str, known: bool = False) -> None:
    s.add(
        LoginEvent(at=utcnow(), username=username.strip()[:64], source=source[:64], outcome=outcome, known_device=known)
    )


def recent_events(s: Session, limit: int = 200, username: str = "") -> list[LoginEvent]:
    """The newest audit rows first (optionally of one name)."""
    q = select(LoginEvent).order_by(LoginEvent.id.desc()).limit(limit)
    if username:
        q = q.where(LoginEvent.username == username)
    return list(s.scalars(q))


def enable_totp(s: Session, username: str, issuer: str = "政务公开专区") -> str:
    """Give ``username`` a new TOTP secret; returns the ``otpauth://`` URI to scan into an authenticator."""
    row = s.get(AdminAccount, username)
    if row is None:
        from sync.server.errors import AccountError

        raise AccountError(f"没有账号 {username!r}（'account list' 可列出全部账号）")
    row.totp_secret = pyotp.random_base32()
    row.totp_last_step = None
    return pyotp.TOTP(row.totp_secret).provisioning_uri(name=username, issuer_name=issuer)


def disable_totp(s: Session, username: str) -> None:
    row = s.get(AdminAccount, username)
    if row is not None:
        row.totp_secret = None
        row.totp_last_step = None
