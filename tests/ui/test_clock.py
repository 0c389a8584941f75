"""The header's clock shows the configured zone's time (Asia/Shanghai) while the OS runs in UTC."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kiosk import localtime


def test_header_clock_is_the_zone_time_not_the_os_time(make_shell: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        shell = make_shell()
        clock = shell.find("clock").property("text")
        expected = {localtime.clock_text(localtime.now() + timedelta(seconds=d)) for d in (-60, 0, 60)}
        assert clock in expected
        assert clock != f"{datetime.now(UTC):%H:%M}", "not the OS (UTC) clock"
        assert shell.find("clockDate").property("text") == localtime.date_text(localtime.now())
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
