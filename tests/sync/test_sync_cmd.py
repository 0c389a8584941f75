"""``kiosk sync --json``, the form a monitoring script reads: one JSON object on stdout whatever went
wrong (server unreachable, no mirror yet, a configuration that cannot be read), never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _kiosk(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_sync_once_json_with_the_server_unreachable_is_json(server, tmp_path: Path) -> None:
    cfg = server.terminal(tmp_path / "t", url="http://127.0.0.1:9")  # nothing listens on port 9
    done = _kiosk("sync", "--once", "--json", "--config", str(cfg.path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["error"] and "无法连接服务器" in report["error"]
    assert {f["code"] for f in report["failures"]} == {"offline"}
    assert {f["part"] for f in report["failures"]} >= {"pull", "heartbeat"}


def test_sync_status_json_without_a_mirror_and_with_a_bad_config_is_json(server, tmp_path: Path) -> None:
    cfg = server.terminal(tmp_path / "t")
    done = _kiosk("sync", "--status", "--json", "--config", str(cfg.path), cwd=tmp_path)
    assert done.returncode == 1 and json.loads(done.stdout) == {"ok": False, "error": "本机尚无内容库（还没有同步过）"}
    bad = tmp_path / "bad.toml"
    bad.write_text("[server\n", encoding="utf-8")
    done = _kiosk("sync", "--once", "--json", "--config", str(bad), cwd=tmp_path)
    answer = json.loads(done.stdout)
    assert (
        done.returncode == 2 and answer["ok"] is False and answer["command"] == "sync" and "bad.toml" in answer["error"]
    )


def test_sync_once_json_after_a_good_run(server, tmp_path: Path) -> None:
    cfg = server.terminal(tmp_path / "t")
    done = _kiosk("sync", "--once", "--json", "--config", str(cfg.path), cwd=tmp_path)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["ok"] is True and report["failures"] == [] and report["error"] is None


def test_sync_status_text_gives_beijing_time(server, tmp_path: Path) -> None:
    """What IT reads on a terminal: the last good sync in Beijing time, labelled (not UTC ISO)."""
    import re

    cfg = server.terminal(tmp_path / "t")
    assert _kiosk("sync", "--once", "--config", str(cfg.path), cwd=tmp_path).returncode == 0
    done = _kiosk("sync", "--status", "--config", str(cfg.path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"上次成功同步：\d{4}-\d\d-\d\d \d\d:\d\d（北京时间）；", done.stdout), done.stdout


def test_sync_once_without_a_server_says_so_in_chinese(tmp_path: Path) -> None:
    """A terminal configured to run on its mirror alone: ``kiosk sync --once`` tells IT why it will not sync."""
    cfg = tmp_path / "t.toml"
    cfg.write_text(
        f'[terminal]\nid = "t-01"\nzone = "wanbao"\ndata_dir = "{tmp_path / "d"}"\ncontent_pack = ""\n',
        encoding="utf-8",
    )
    done = _kiosk("sync", "--once", "--config", str(cfg), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    said = done.stderr.strip().splitlines()[-1]
    assert said == "kiosk sync: 没有配置区级服务器地址（[server] url）：本终端只用本机的内容镜像运行，不能同步"
