"""The terminal's log file: JSON lines, rotation, no personal data, never fatal."""

from __future__ import annotations

import json
import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import logsetup
from kiosk.logsetup import file_logger, redact, setup_logging


@pytest.fixture(autouse=True)
def clean_root() -> Iterator[None]:
    """Leave the root logger as it was (pytest's own capture handlers included)."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for h in root.handlers:
        if h not in before:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)
    for name in ("kiosk.selftest.t", "t.personal"):
        lg = logging.getLogger(name)
        for h in list(lg.handlers):
            lg.removeHandler(h)
        lg.propagate = True


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_records_become_json_lines_with_extra_fields(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "logs", console=False)
    assert path == (tmp_path / "logs" / "kiosk.log").resolve()
    log = logging.getLogger("kiosk.test")
    log.info("已同步 %d 条", 12, extra={"event": "sync_done", "ms": 830, "obj": object()})
    try:
        raise ValueError("坏了")
    except ValueError:
        log.exception("出错")
    got = lines(path)
    assert got[0]["msg"] == "已同步 12 条"
    assert (got[0]["event"], got[0]["ms"]) == ("sync_done", 830)
    assert (got[0]["level"], got[0]["logger"]) == ("INFO", "kiosk.test")
    assert "obj" not in got[0]  # not a JSON value: left out rather than str()'d
    assert str(got[0]["ts"]).endswith("Z")
    assert "ValueError: 坏了" in str(got[1]["exc"])
    assert "已同步" in path.read_text(encoding="utf-8")  # Chinese readable, not \\u-escaped


def test_setup_twice_adds_one_handler(tmp_path: Path) -> None:
    setup_logging(tmp_path, console=False)
    setup_logging(tmp_path, console=False)
    ours = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename).parent == tmp_path.resolve()
    ]
    assert len(ours) == 1


def test_files_rotate_and_keep_a_bounded_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logsetup, "MAX_BYTES", 2000)
    monkeypatch.setattr(logsetup, "BACKUPS", 3)
    setup_logging(tmp_path, console=False)
    for i in range(400):
        logging.getLogger("kiosk.flood").info("第 %d 行 %s", i, "内容" * 10)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["kiosk.log", "kiosk.log.1", "kiosk.log.2", "kiosk.log.3"]
    assert all(p.stat().st_size <= 2000 for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("申请人身份证 11010519491231002X 已提交", "申请人身份证 [身份证号已隐去] 已提交"),
        ("id=110105194912310021,", "id=[身份证号已隐去],"),
        ("电话 13812345678 回访", "电话 [手机号已隐去] 回访"),
        ("tel +86 138-1234-5678.", "tel [手机号已隐去]."),
        ("回执 WB-20261127-0001 已打印", "回执 WB-20261127-0001 已打印"),  # tracking numbers stay
        ("sha 0123456789abcdef0123456789abcdef", "sha 0123456789abcdef0123456789abcdef"),
        ("12 documents in 138 ms", "12 documents in 138 ms"),
    ],
)
def test_redact(text: str, masked: str) -> None:
    assert redact(text) == masked


def test_personal_numbers_never_reach_the_file(tmp_path: Path) -> None:
    path = setup_logging(tmp_path, console=False)
    assert path is not None
    log = logging.getLogger("t.personal")
    log.warning("validation failed for %s / %s", "11010519491231002X", "13812345678", extra={"phone": "13812345678"})
    try:
        raise ValueError("bad id 11010519491231002X")
    except ValueError:
        log.exception("oops")
    text = path.read_text(encoding="utf-8")
    assert "11010519491231002X" not in text
    assert "13812345678" not in text
    assert text.count("[身份证号已隐去]") >= 2  # the message and the exception (and its source line)
    assert text.count("[手机号已隐去]") == 2


def test_file_logger_writes_to_the_file_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = file_logger("kiosk.selftest.t", tmp_path)
    log.info("only in the file", extra={"event": "self_test"})
    assert "only in the file" not in capsys.readouterr().err
    assert lines(tmp_path / "kiosk.log")[-1]["event"] == "self_test"


def test_an_unwritable_log_folder_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the folder should be")
    assert setup_logging(blocker, console=False) is None
    logging.getLogger("kiosk.after").info("still logging")  # no exception
