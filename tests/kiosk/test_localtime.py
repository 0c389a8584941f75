"""kiosk.localtime: the configured zone's time whatever the OS zone says (run here under TZ=UTC too)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from kiosk import localtime
from kiosk.config import ConfigError, load


def test_shanghai_is_eight_hours_ahead_of_utc_whatever_the_os_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        now = localtime.now()
        assert now.utcoffset() == timedelta(hours=8)
        assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
        assert localtime.clock_text(now) != f"{datetime.now():%H:%M}", "differs from the OS (UTC) clock"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_texts_and_naive_times_taken_as_utc() -> None:
    moment = datetime(2026, 11, 30, 7, 13)  # naive, as the mirror stores it: UTC
    local = localtime.to_local(moment)
    assert localtime.clock_text(local) == "15:13"
    assert localtime.date_text(local) == "2026年11月30日 星期一"
    assert localtime.display(moment) == "2026-11-30 15:13"
    assert localtime.display(datetime(2026, 12, 31, 20, 0)) == "2027-01-01 04:00"


def test_another_zone_and_an_unknown_one() -> None:
    assert localtime.to_local(datetime(2026, 7, 1, 12, 0), "Asia/Urumqi").utcoffset() == timedelta(hours=6)
    with pytest.raises(localtime.UnknownZone):
        localtime.zone("Mars/Olympus")


def test_config_key_validated(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "t.toml"
    path.write_text('[terminal]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="timezone"):
        load(str(path))
    path.write_text('[terminal]\ntimezone = "Asia/Shanghai"\n', encoding="utf-8")
    assert load(str(path)).terminal.timezone == "Asia/Shanghai"


def test_under_tz_utc_in_a_fresh_process() -> None:
    code = "from kiosk import localtime; print(localtime.now().utcoffset().total_seconds())"
    env = {**os.environ, "TZ": "UTC"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "28800.0"


def test_a_deadline_reads_the_same_everywhere() -> None:
    from datetime import date

    from kiosk.localtime import deadline_text, deadline_text_iso
    from printing.escpos.receipt import due_parts

    day = date(2027, 1, 6)
    assert deadline_text(day) == "2027年1月6日（星期三）前（含当日）"
    assert "".join(due_parts(day)) == deadline_text(day), "the receipt prints the screen's words"
    assert deadline_text_iso("2027-01-06（暂定）") == "2027年1月6日（星期三）前（含当日）（暂定）"
    assert deadline_text_iso("") == "" and deadline_text_iso("不详") == "不详"
