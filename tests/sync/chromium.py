"""Debian's headless Chromium for the server pages' browser tests: one place for its flags.

``scripts/setup --dev`` installs ``chromium`` and ``chromium-driver``; :func:`require` skips a test
where they are missing, :func:`start` opens a browser with its own profile folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SKIP_REASON = "needs Debian's chromium and chromium-driver (scripts/setup --dev)"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
)


def available() -> bool:
    return Path(CHROMIUM).exists() and Path(DRIVER).exists()


def require() -> None:
    """Skip the calling test without Chromium or its driver (or Selenium)."""
    pytest.importorskip("selenium.webdriver")
    if not available():
        pytest.skip(SKIP_REASON)


def start(
    profile: Path, *, size: tuple[int, int] | None = None, load_timeout: float = 60, extra: tuple[str, ...] = ()
) -> Any:
    """A headless Chromium with its profile in ``profile``, the window ``size`` (width, height) when
    given, and ``load_timeout`` seconds for a page load. The caller quits it."""
    from selenium import webdriver

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}", *extra):
        opts.add_argument(flag)
    if size is not None:
        opts.add_argument(f"--window-size={size[0]},{size[1]}")
    drv = webdriver.Chrome(options=opts, service=webdriver.ChromeService(executable_path=DRIVER))
    drv.set_page_load_timeout(load_timeout)
    return drv
