"""The staff PIN gate on a real mirror file: 6+ digits, lockouts that grow, a clock the wall clock cannot
move, a lockout that survives restarts and reboots, and a corrupt stored state that locks."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from kiosk import config as config_mod
from kiosk.errors import ConfigError
from kiosk.staff import KV_CLOCK, KV_STATE, StaffGate, check_pin, hash_pin, seconds_locked, verify_pin

PIN = "246810"
HASH = hash_pin(PIN, salt=b"0123456789abcdef")


class Machine:
    """CLOCK_BOOTTIME and the boot id of a pretend machine (the only clock the gate may read)."""

    def __init__(self) -> None:
        self.t, self.boot = 1000.0, "boot-1"

    def kw(self) -> dict[str, object]:
        return {"boottime": lambda: self.t, "boot_id": lambda: self.boot}


@pytest.fixture
def factory(engine):
    return sessionmaker(engine)()  # one session, as the app's adapter holds one per call


def test_a_pin_is_six_to_twelve_digits() -> None:
    for bad in ("1234", "12345", "1234567890123", "12345a", "１２３４５６"):
        with pytest.raises(ValueError, match="工作人员 PIN 应为 6 到 12 位数字"):
            hash_pin(bad)
    assert verify_pin("246810", HASH) and not verify_pin("2468", HASH)


def test_settings_have_lower_bounds(tmp_path: Path) -> None:
    for failures, lockout in ((5, 0), (5, 10), (0, 300), (50, 300)):
        key = "max_failures" if failures in (0, 50) else "lockout_s"
        said = rf"键 '{key}'（[^）]+）应在 \d+ 到 \d+ (秒)?之间"
        with pytest.raises(ValueError, match=said):
            StaffGate(HASH, failures, lockout)
        cfg = tmp_path / f"k{failures}-{lockout}.toml"
        cfg.write_text(f"[staff]\nmax_failures = {failures}\nlockout_s = {lockout}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=rf"\[staff\]：{said}"):
            config_mod.load(cfg)


def test_lockouts_grow_each_round_and_a_right_pin_resets_them(factory) -> None:
    m = Machine()
    gate = StaffGate(HASH, max_failures=2, lockout_s=60)
    lengths = []
    for _ in range(3):
        assert not check_pin(factory, gate, "000000", **m.kw())
        assert not check_pin(factory, gate, "000000", **m.kw())
        lengths.append(seconds_locked(factory, gate, **m.kw()))
        assert not check_pin(factory, gate, PIN, **m.kw()), "refused while locked"
        m.t += lengths[-1] + 1
    assert lengths == [60, 120, 240]
    assert check_pin(factory, gate, PIN, **m.kw())
    assert not check_pin(factory, gate, "000000", **m.kw())
    assert not check_pin(factory, gate, "000000", **m.kw())
    assert seconds_locked(factory, gate, **m.kw()) == 60, "back to the first round after a right PIN"


def test_the_wall_clock_moves_nothing(factory, monkeypatch: pytest.MonkeyPatch) -> None:
    m = Machine()
    gate = StaffGate(HASH, max_failures=1, lockout_s=3600)
    check_pin(factory, gate, "000000", **m.kw())
    real = time.time
    for shift in (-3600, +3600, +86400 * 365):
        monkeypatch.setattr(time, "time", lambda shift=shift: real() + shift)
        assert seconds_locked(factory, StaffGate(HASH, 1, 3600), **m.kw()) == 3600
    m.t += 600  # ten minutes of the terminal running
    assert seconds_locked(factory, StaffGate(HASH, 1, 3600), **m.kw()) == 3000


def test_a_lockout_survives_restart_and_reboot(factory) -> None:
    m = Machine()
    check_pin(factory, StaffGate(HASH, max_failures=1, lockout_s=600), "000000", **m.kw())
    m.t += 100
    assert seconds_locked(factory, StaffGate(HASH, 1, 600), **m.kw()) == 500  # a restart of the app
    assert not check_pin(factory, StaffGate(HASH, 1, 600), PIN, **m.kw())  # refused, and the clock stored
    m.boot, m.t = "boot-2", 0.0  # a reboot: CLOCK_BOOTTIME starts again at zero
    assert seconds_locked(factory, StaffGate(HASH, 1, 600), **m.kw()) == 500, "powered-off time does not count"
    m.t += 500
    gate = StaffGate(HASH, 1, 600)
    assert seconds_locked(factory, gate, **m.kw()) == 0 and check_pin(factory, gate, PIN, **m.kw())


@pytest.mark.parametrize("key", [KV_STATE, KV_CLOCK])
@pytest.mark.parametrize("garbage", ["", "{", '{"failures": true, "rounds": 0, "locked_until": 0}', "null", "[1]"])
def test_a_corrupt_stored_state_counts_as_locked(factory, engine, data_dir: Path, key: str, garbage: str) -> None:
    m = Machine()
    check_pin(factory, StaffGate(HASH, max_failures=3, lockout_s=300), "000000", **m.kw())  # state exists
    con = sqlite3.connect(data_dir / "mirror.db")
    con.execute("UPDATE kv SET value = ? WHERE key = ?", (garbage, key))
    con.commit()
    con.close()
    gate = StaffGate(HASH, max_failures=3, lockout_s=300)
    assert not check_pin(factory, gate, PIN, **m.kw()), "a corrupt counter never lifts a lockout"
    assert seconds_locked(factory, gate, **m.kw()) >= 300
