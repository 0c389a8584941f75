"""The issuing agency's name (``agency_name``) set from the command line: shown, checked, and printed whole
on a real notice PDF (read back with pdftotext) — the longest name allowed included."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4

from printing.pdf.fonts import REGULAR, register
from printing.pdf.fonts import width as text_width
from sync.server.__main__ import main as server_main
from sync.server.db import meta_get, open_db, sessions
from sync.server.office import lifecycle as lc
from sync.server.office import notices

NO = "WB01-20261102-0001"


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'district.db'}"
    engine = open_db(url)
    with sessions(engine)() as s, s.begin():
        lc.intake(s, tracking_no=NO, zone="wanbao", received_on=date(2026, 11, 2), actor="terminal:wanbao-01")
        step = lc.Step("张三", date(2026, 11, 3), fields={"items": "请写明文号"}, today=date(2026, 11, 3))
        lc.ask_correction(s, NO, step)
    engine.dispose()
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = server_main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def notice_text(url: str, tmp_path: Path) -> str:
    engine = open_db(url)
    with sessions(engine)() as s:
        case = lc.get_case(s, NO)
        pdf = notices.build_notice_pdf(s, case, "correction")
    engine.dispose()
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def stored(url: str) -> str | None:
    engine = open_db(url)
    with sessions(engine)() as s:
        value = meta_get(s, "agency_name")
    engine.dispose()
    return value


def test_show_set_and_print_on_the_notice(db: str, tmp_path: Path, capsys) -> None:
    rc, out, _ = run(capsys, "agency", "show", "--db", db)
    assert rc == 0 and notices.DEFAULT_AGENCY in out and "agency set" in out
    rc, out, _ = run(capsys, "agency", "set", "--db", db, "  娄底市娄星区人民政府办公室  ")
    assert rc == 0 and "娄底市娄星区人民政府办公室" in out
    rc, out, _ = run(capsys, "agency", "show", "--db", db)
    assert out.strip() == "娄底市娄星区人民政府办公室"
    assert "娄底市娄星区人民政府办公室（印章）" in notice_text(db, tmp_path)


@pytest.mark.parametrize("text", ["娄底市娄星区人民政府办公室政府信息公开科", "ＷＭ"])
def test_the_longest_name_prints_whole_on_the_signature_line(db: str, tmp_path: Path, capsys, text: str) -> None:
    longest = (text * 30)[: notices.MAX_AGENCY_CHARS]  # CJK, and the widest full-width Latin
    assert run(capsys, "agency", "set", "--db", db, longest)[0] == 0
    lines = notice_text(db, tmp_path).splitlines()
    assert f"{longest}（印章）" in lines  # one line, nothing cut
    register()
    assert text_width(longest + notices.SEAL, REGULAR, notices.SIGN_SIZE) <= A4[0] - 2 * notices.MARGIN


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("   ", "不能为空"),
        ("娄" * (notices.MAX_AGENCY_CHARS + 1), "最长30个字"),
        ("娄星区\x07政务公开办", "U+0007"),
        ("娄星区\n政务公开办", "U+000A"),
        ("娄星区\u200b政务公开办", "U+200B"),
        ("娄星区\u202e政务公开办", "U+202E"),
    ],
)
def test_a_bad_name_is_refused_and_changes_nothing(db: str, capsys, name: str, why: str) -> None:
    assert run(capsys, "agency", "set", "--db", db, "娄星区政务公开办公室")[0] == 0
    rc, _out, err = run(capsys, "agency", "set", "--db", db, name)
    assert rc == 1 and why in err and "未执行：" in err and "未做任何改动" in err
    assert stored(db) == "娄星区政务公开办公室"


def test_set_without_a_name_is_a_usage_error(db: str, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        server_main(["agency", "set", "--db", db])
    assert exc.value.code == 2 and "name" in capsys.readouterr().err
    assert stored(db) is None
