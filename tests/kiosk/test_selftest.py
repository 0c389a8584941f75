"""The self-test against real parts: the bundled fonts and QML, a real mirror file, a folder printer,
a refused TCP port, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from kiosk import fonts as kiosk_fonts
from kiosk import selftest
from kiosk.cli import main as cli_main
from kiosk.config import Config, PrinterConfig, ServerSection, demo_config
from kiosk.paths import font_path
from kiosk.selftest import Verdict, run_checks, truetype_problem
from sync import selftest as sync_selftest


@pytest.fixture
def cfg(data_dir: Path) -> Config:
    return demo_config(data_dir)


def by_name(cfg: Config) -> dict[str, selftest.CheckResult]:
    return {r.name: r for r in run_checks(cfg)}


def test_a_fresh_demo_terminal_passes(cfg: Config) -> None:
    results = by_name(cfg)
    assert not selftest.failed(list(results.values())), selftest.format_table(list(results.values()))
    assert results["fonts"].verdict is Verdict.OK
    assert results["qml"].verdict is Verdict.OK
    assert results["database"].verdict is Verdict.OK
    assert "完整性正常" in results["database"].detail
    assert results["content"].verdict is Verdict.WARN  # empty until the first start seeds it
    assert results["server"].verdict is Verdict.SKIP
    assert {n for n in results if n.startswith("printer ")} == {f"printer {p.name}" for p in cfg.printers}
    assert results["disk"].verdict is Verdict.OK
    assert results["speech"].verdict is (Verdict.OK if shutil.which("espeak-ng") else Verdict.WARN)


def test_speech_without_espeak_ng_warns(cfg: Config, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = selftest.check_speech(cfg)
    assert result.verdict is Verdict.WARN and "未安装 espeak-ng：朗读功能关闭" in result.detail


def test_a_seeded_mirror_reports_its_zone(cfg: Config, tmp_path: Path) -> None:
    from kiosk.seed import ensure_seeded

    pack = tmp_path / "small.jsonl"  # the demo's zone line and one document: seeding the whole demo is slow
    lines = [
        {"type": "zone", "code": "wanbao", "name": "万宝镇", "kind": "township", "prefix": "WB"},
        {"id": "d1", "title": "一份文件"},
    ]
    pack.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    cfg = dataclasses.replace(cfg, terminal=dataclasses.replace(cfg.terminal, content_pack=str(pack)))
    ensure_seeded(cfg)
    content = by_name(cfg)["content"]
    assert content.verdict is Verdict.OK
    assert content.detail == "1 份文件；专区 万宝镇（wanbao）"


def test_an_empty_mirror_whose_pack_is_missing_fails(cfg: Config) -> None:
    broken = dataclasses.replace(cfg, terminal=dataclasses.replace(cfg.terminal, content_pack="nowhere.jsonl"))
    results = by_name(broken)
    assert results["content"].verdict is Verdict.FAIL
    assert "content_pack" in results["content"].detail


def test_the_bundled_fonts_are_truetype_and_damage_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = font_path("Regular").read_bytes()
    assert truetype_problem(data) is None
    assert truetype_problem(data[: len(data) // 2]) is not None  # truncated: a table runs past the end
    assert "CFF" in (truetype_problem(b"OTTO" + data[4:]) or "")
    assert "不是 TrueType 字体" in (truetype_problem(b"<html>not a font</html>") or "")
    head = data.find(b"\x5f\x0f\x3c\xf5")
    broken = data[:head] + b"XXXX" + data[head + 4 :]
    assert "标识数错误" in (truetype_problem(broken) or "")
    (tmp_path / "fonts").mkdir()
    bad = tmp_path / "fonts" / "NotoSansSC-Regular.ttf"
    bad.write_bytes(data[:5000])
    monkeypatch.setattr(kiosk_fonts, "assets_dir", lambda: tmp_path)
    result = selftest.check_fonts(demo_config(tmp_path))
    assert result.verdict is Verdict.FAIL
    assert "NotoSansSC-Regular.ttf" in result.detail
    assert "NotoSansSC-Bold.ttf" in result.detail  # missing altogether
    assert "KioskFallbackHanB.ttf" in result.detail  # the fallback faces are checked too


def test_missing_qml_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cfg: Config) -> None:
    folder = tmp_path / "Kiosk"
    folder.mkdir()
    (folder / "qmldir").write_text("module Kiosk\nsingleton Theme 1.0 Theme.qml\nMain 1.0 Main.qml\n")
    (folder / "Main.qml").write_text("import QtQuick\nItem {}\n")
    monkeypatch.setattr(selftest, "qml_module_dir", lambda: folder)
    result = selftest.check_qml(cfg)
    assert result.verdict is Verdict.FAIL
    assert "Theme.qml" in result.detail
    (folder / "Theme.qml").write_text("pragma Singleton\nimport QtQuick\nQtObject {}\n")
    assert selftest.check_qml(cfg).verdict is Verdict.OK


def test_a_damaged_database_fails_and_the_run_goes_on(cfg: Config) -> None:
    cfg.db_path.parent.mkdir(parents=True, exist_ok=True)
    cfg.db_path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000)
    results = by_name(cfg)
    assert results["database"].verdict is Verdict.FAIL
    assert results["disk"].verdict is Verdict.OK  # later checks still ran


def test_printers_are_asked_through_printing(cfg: Config) -> None:
    closed = dataclasses.replace(
        cfg,
        printers=(
            PrinterConfig(name="小票", role="receipt", kind="tcp", target="127.0.0.1:9"),  # discard port: refused
            *cfg.printers,
        ),
    )
    results = by_name(closed)
    assert results["printer 小票"].verdict is Verdict.FAIL
    assert "tcp receipt（小票打印机）" in results["printer 小票"].detail
    assert all(results[f"printer {p.name}"].verdict is Verdict.OK for p in cfg.printers)


def test_no_printers_is_skipped_not_failed(cfg: Config) -> None:
    results = by_name(dataclasses.replace(cfg, printers=()))
    assert results["printer"].verdict is Verdict.SKIP


def with_server(cfg: Config, url: str) -> Config:
    return dataclasses.replace(
        cfg, server=ServerSection(url=url, token="terminal-token", trust_key="k.pem", timeout_s=3)
    )


# The authenticated probe against the real server (token, key, revocation): tests/sync/test_selftest_server.py


def test_an_unreachable_server_fails(cfg: Config) -> None:
    result = sync_selftest.check_server(with_server(cfg, "http://127.0.0.1:9"))
    assert result.verdict is Verdict.FAIL
    assert "127.0.0.1:9" in result.detail


def test_low_disk_fails(cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selftest, "MIN_FREE_MB", 10**12)
    assert selftest.check_disk(cfg).verdict is Verdict.FAIL


def test_a_check_that_crashes_is_a_failure_not_a_crash(cfg: Config) -> None:
    def check_boom(_cfg: Config) -> selftest.CheckResult:
        raise RuntimeError("bug")

    results = list(run_checks(cfg, (check_boom, selftest.check_disk)))
    assert [(r.name, r.verdict) for r in results] == [("boom", Verdict.FAIL), ("disk", Verdict.OK)]


def test_the_command_prints_a_table_logs_json_and_sets_the_exit_code(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.toml"
    good.write_text(f'[terminal]\ndata_dir = "{data_dir}"\n', encoding="utf-8")
    assert cli_main(["self-test", "--config", str(good)]) == 0
    out = capsys.readouterr().out
    assert "自检：通过" in out and "检查项" in out
    assert re.search(r"^字体\s+通过\s+NotoSansSC", out, re.MULTILINE), out
    log_lines = [json.loads(x) for x in (data_dir / "logs" / "kiosk.log").read_text(encoding="utf-8").splitlines()]
    assert {x["check"] for x in log_lines if x.get("event") == "self_test"} >= {"fonts", "database", "disk"}

    bad = tmp_path / "bad.toml"
    bad.write_text(
        f'[terminal]\ndata_dir = "{data_dir}"\n[[printers]]\nname = "p"\nkind = "tcp"\ntarget = "127.0.0.1:9"\n',
        encoding="utf-8",
    )
    assert cli_main(["self-test", "--config", str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] is False
    assert {"name": "printer p", "verdict": "fail"}.items() <= next(
        c for c in report["checks"] if c["name"] == "printer p"
    ).items()


def test_plain_http_to_another_machine_is_a_warning(cfg: Config) -> None:
    far = selftest.check_transport(with_server(cfg, "http://10.20.30.40:8750"))
    assert far.verdict is Verdict.WARN and "未加密传输" in far.detail
    assert selftest.check_transport(with_server(cfg, "http://127.0.0.1:8750")).verdict is Verdict.OK
    assert selftest.check_transport(with_server(cfg, "https://zwgk.example")).verdict is Verdict.OK
    assert selftest.check_transport(cfg).verdict is Verdict.SKIP


def test_qml_in_subfolders_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cfg: Config) -> None:
    folder = tmp_path / "Kiosk"
    (folder / "pages").mkdir(parents=True)
    (folder / "qmldir").write_text("module Kiosk\nMain 1.0 Main.qml\nHomePage 1.0 pages/HomePage.qml\n")
    (folder / "Main.qml").write_text("import QtQuick\nItem {}\n")
    monkeypatch.setattr(selftest, "qml_module_dir", lambda: folder)
    assert "pages/HomePage.qml" in selftest.check_qml(cfg).detail  # listed, not there
    (folder / "pages" / "HomePage.qml").write_text("")
    assert "pages/HomePage.qml" in selftest.check_qml(cfg).detail  # there, but empty
    (folder / "pages" / "HomePage.qml").write_text("import QtQuick\nimport Kiosk\nItem {}\n")
    result = selftest.check_qml(cfg)
    assert result.verdict is Verdict.OK
    assert result.detail.startswith("2 个 QML 文件")
