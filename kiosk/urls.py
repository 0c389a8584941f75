"""The district server's address as IT types it: ``https://`` always, ``http://`` only where nobody can
listen in (the server on this machine's loopback) or when IT says so explicitly (a closed network).

Over plain HTTP the enrolment answer carries the terminal's token in clear, and every sync carries it
again; so ``terminal add``, ``terminal rotate`` and ``kiosk enrol`` refuse such an address unless it is
loopback or they are given ``--allow-http``, and ``kiosk self-test`` warns about a configured one.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["is_loopback_url", "plain_http_problem"]


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_problem(url: str) -> str | None:
    """Why ``url`` must not be used without an explicit override (None when it is fine): not http(s) at
    all, or plain ``http://`` to a machine other than this one."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https") or not urlsplit(url).hostname:
        return f"{url!r} 不是区级服务器的 https:// 地址"
    if scheme == "http" and not is_loopback_url(url):
        return (
            f"{url} 是明文 http://：终端的令牌会以明文在网络上传输。"
            "请使用 https://（在服务器前加 TLS 代理），封闭网络中可加 --allow-http"
        )
    return None
