"""``python -m printing``: files out, printers by name, and clear messages for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from printing.__main__ import main

ROOT = Path(__file__).resolve().parents[2]

APPLICATION: dict[str, Any] = {
    "version": 1,
    "applicant": {
        "kind": "citizen",
        "name": "王𬭎",
        "id_type": "resident_id",
        "id_number": "430102199003071234",
        "phone": "13812345678",
        "address": "娄底市娄星区万宝镇1号",
    },
    "request": {"description": "2024年度低保资金发放情况", "doc_number": "万宝政发〔2024〕12号"},
    "media": ["paper"],
    "delivery": ["collect"],
    "issued": {
        "tracking_no": "WB01-20261127-0007",
        "zone_code": "wanbao",
        "terminal_id": "t1",
        "submitted_at": "2026-11-27T10:30:00+08:00",
        "deadline": "2026-12-25",
        "deadline_explanation": "20个工作日",
    },
    "zone": {"name": "万宝镇政务公开专区", "address": "万宝镇政府一楼", "hours": "9:00—17:00", "phone": ""},
    "status_url": "https://gk.example.gov.cn/status",
}


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def config_with_printers(tmp_path: Path, extra: str = "") -> Path:
    cfg = tmp_path / "terminal.toml"
    cfg.write_text(
        f'[terminal]\ndata_dir = "{tmp_path / "data"}"\ncontent_pack = ""\n'
        '[[printers]]\nname = "小票"\nrole = "receipt"\nkind = "file"\n'
        f'target = "{tmp_path / "out"}"\ncolumns = 32\nfont_charset = "gb2312"\n' + extra,
        encoding="utf-8",
    )
    return cfg


def test_receipt_command_as_a_subprocess(tmp_path: Path) -> None:
    data = write_json(tmp_path / "app.json", APPLICATION)
    out = tmp_path / "r.bin"
    done = subprocess.run(
        [sys.executable, "-m", "printing", "receipt", "--data", str(data), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    body = out.read_bytes()
    assert body.startswith(b"\x1b@\x1c&")
    assert b"WB01-20261127-0007" in body
    assert "万宝镇政务公开专区".encode("gb18030") in body
    assert b"1P0https://gk.example.gov.cn/status?no=WB01-20261127-0007" in body
    assert b"\x1dv0\x00" in body  # the name with 𬭎 as an image
    assert b"430102199003071234" not in body


def test_receipt_laid_out_for_a_configured_printer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_with_printers(tmp_path)
    app = dict(APPLICATION, applicant=dict(APPLICATION["applicant"], name="朱镕基"))
    data = write_json(tmp_path / "app.json", app)
    assert (
        main(
            [
                "receipt",
                "--data",
                str(data),
                "--out",
                str(tmp_path / "r.bin"),
                "--printer",
                "小票",
                "--config",
                str(cfg),
            ]
        )
        == 0
    )
    body = (tmp_path / "r.bin").read_bytes()
    assert "朱镕基".encode("gb18030") not in body  # a GB2312 printer lacks 镕: drawn
    assert b"\x1dv0\x00" + bytes([48, 0, 24, 0]) in body  # 32 columns = 384 dots = 48 bytes a row


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "文件不存在"),
        ("{not json", "不是有效的 JSON"),
        (json.dumps({**APPLICATION, "issued": None}), "申请尚未提交"),
        (json.dumps({**APPLICATION, "applicant": {"kind": "alien"}}), "申请数据有误"),
        (json.dumps({**APPLICATION, "zone": {"address": "x"}}), "'zone'"),
    ],
)
def test_bad_receipt_input_gets_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "app.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["receipt", "--data", str(path), "--out", str(tmp_path / "r.bin")]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "r.bin").exists()


def test_ticket_command(tmp_path: Path) -> None:
    out = tmp_path / "t.bin"
    assert (
        main(["ticket", "--number", "A012", "--waiting", "3", "--zone-name", "万宝镇政务公开专区", "--out", str(out)])
        == 0
    )
    body = out.read_bytes()
    assert "政务信息咨询区".encode("gb18030") in body
    assert "前面还有 3 人等候".encode("gb18030") in body
    assert main(["ticket", "--zone-name", "x", "--out", str(out)]) == 2


def test_send_and_status_by_printer_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_with_printers(tmp_path)
    job = tmp_path / "job.bin"
    job.write_bytes(b"\x1b@hello\n")
    assert main(["status", "--printer", "小票", "--config", str(cfg)]) == 0
    assert "就绪" in capsys.readouterr().out
    assert main(["send", "--printer", "小票", "--config", str(cfg), str(job)]) == 0
    assert [p.read_bytes() for p in (tmp_path / "out").iterdir()] == [b"\x1b@hello\n"]


def test_unknown_printer_missing_file_and_dead_printer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_with_printers(
        tmp_path, '[[printers]]\nname = "网络小票"\nrole = "receipt"\nkind = "tcp"\ntarget = "127.0.0.1:9"\n'
    )
    job = tmp_path / "job.bin"
    job.write_bytes(b"x")
    assert main(["send", "--printer", "nope", "--config", str(cfg), str(job)]) == 2
    assert "没有名为 'nope' 的打印机" in capsys.readouterr().err
    assert main(["send", "--printer", "小票", "--config", str(cfg), str(tmp_path / "missing.bin")]) == 2
    assert "文件不存在" in capsys.readouterr().err
    assert main(["status", "--printer", "网络小票", "--config", str(cfg)]) == 1
    assert "无法连接打印机" in capsys.readouterr().out
    assert main(["send", "--printer", "网络小票", "--config", str(cfg), str(job)]) == 1
    assert "[unreachable]" in capsys.readouterr().err
    assert main(["status", "--printer", "x", "--config", str(tmp_path / "none.toml")]) == 2
    assert "找不到配置文件" in capsys.readouterr().err


def test_form_command_writes_a_pdf(tmp_path: Path) -> None:
    pytest.importorskip("printing.forms")
    out = tmp_path / "blank.pdf"
    assert main(["form", "--kind", "blank", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    data = write_json(tmp_path / "app.json", APPLICATION)
    assert main(["form", "--kind", "filled", "--data", str(data), "--out", str(tmp_path / "f.pdf")]) == 0
    assert main(["form", "--kind", "filled", "--out", str(tmp_path / "g.pdf")]) == 2


def test_test_page_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_with_printers(tmp_path)
    assert main(["test-page", "--printer", "小票", "--config", str(cfg), "--out", str(tmp_path / "t.bin")]) == 0
    assert "打印机测试页".encode("gb18030") in (tmp_path / "t.bin").read_bytes()
    assert main(["test-page", "--printer", "小票", "--config", str(cfg)]) == 0
    assert len(list((tmp_path / "out").iterdir())) == 1


def test_columns_wider_than_the_printer_are_refused_with_a_message(tmp_path: Path) -> None:
    data = write_json(tmp_path / "app.json", APPLICATION)
    done = subprocess.run(
        [sys.executable, "-m", "printing", "receipt", "--data", str(data), "--columns", "64", "--out", "x.bin"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "64 columns need 768 dots" in done.stderr
