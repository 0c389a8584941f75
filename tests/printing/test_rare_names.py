"""Names no one has seen before print exactly: Extension A, Extension B, compatibility ideographs and
transliterated minority names, through the A4 form (read back with ``pdftotext``) and the receipt (read
back with our ESC/POS decoder; lines printed as images compared with the same string drawn by the
same faces, and every glyph checked not to be the missing-glyph box)."""

from __future__ import annotations

import random
import re
import subprocess
import unicodedata
from dataclasses import replace
from datetime import date, datetime

import pytest
from escpos_decode import decode

from kiosk import fonts
from kiosk.applications.model import (
    Applicant,
    ApplicantKind,
    Application,
    Delivery,
    IdType,
    Issued,
    Medium,
    RequestedInfo,
)
from printing.escpos import raster
from printing.escpos.document import Layout
from printing.escpos.receipt import ReceiptData, ZoneInfo, build_receipt
from printing.forms import build_form

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
TRANSLITERATED = (
    "阿卜杜热合曼·买买提",
    "热依拉·阿不都克热木",
    "扎西·次仁",
    "巴特尔·孟和",
    "阿依古丽·吐尔逊",
    "格桑·卓玛",
    "娜仁·其其格",
    "古丽巴哈尔·艾尼瓦尔",
)


def _assigned(lo: int, hi: int) -> list[str]:
    return [chr(cp) for cp in range(lo, hi + 1) if unicodedata.category(chr(cp)) != "Cn"]


def generated_names(n: int = 320, seed: int = 20261130) -> list[str]:
    """``n`` names: a common surname and one or two given-name characters from one of the rare blocks,
    or a transliterated minority name with a rare character inside."""
    rng = random.Random(seed)
    pools = {
        "ext_a": [c for c in _assigned(0x3400, 0x4DBF) if fonts.face_for(c)],
        "ext_b": [c for c in _assigned(0x20000, 0x2A6DF) if fonts.face_for(c)],
        "compat": [c for c in _assigned(0xF900, 0xFAFF) + _assigned(0x2F800, 0x2FA1F) if fonts.face_for(c)],
    }
    names = []
    for i in range(n):
        kind = ("ext_a", "ext_b", "compat", "minority")[i % 4]
        if kind == "minority":
            base = TRANSLITERATED[i // 4 % len(TRANSLITERATED)]
            rare = rng.choice(pools[("ext_a", "ext_b", "compat")[i // 4 % 3]])
            names.append(base + rare)
        else:
            given = "".join(rng.choice(pools[kind]) for _ in range(rng.randint(1, 2)))
            names.append(rng.choice(SURNAMES) + given)
    return names


NAMES = generated_names()


def test_the_generated_names_cover_every_block_and_the_stack_draws_every_character() -> None:
    chars = set("".join(NAMES))
    assert any(0x3400 <= ord(c) <= 0x4DBF for c in chars)
    assert sum(0x20000 <= ord(c) <= 0x2A6DF for c in chars) > 50
    assert any(0xF900 <= ord(c) <= 0xFAFF for c in chars)
    assert any(0x2F800 <= ord(c) <= 0x2FA1F for c in chars)
    assert all(not fonts.undrawable(name) for name in NAMES)
    # the faces as shipped: Extension A from Noto, Extension B from the fallbacks
    assert fonts.face_for("䶮") is fonts.REGULAR
    assert fonts.face_for("\U00020000") in fonts.FALLBACKS
    assert fonts.face_for("\u9fff") is fonts.FALLBACK_G  # Unicode 14, from BabelStone Han
    assert fonts.face_for("\U00030041") is None  # an Extension G character no bundled face has
    assert fonts.undrawable("王\U00030041") == ["\U00030041"]


def pdftotext(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


def _application(name: str, description: str) -> Application:
    return Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name=name,
            id_type=IdType.RESIDENT_ID,
            id_number="430102199003071234",
            phone="13812345678",
            address="娄星区万宝镇",
        ),
        request=RequestedInfo(description=description),
        media=(Medium.PAPER,),
        delivery=(Delivery.COLLECT,),
        pledge_accepted=True,
        consent_personal_data=True,
        issued=Issued(
            tracking_no="WB01-20261127-0007",
            zone_code="wanbao",
            terminal_id="t1",
            submitted_at=datetime(2026, 11, 27, 10, 30),
            deadline=date(2026, 12, 25),
            deadline_explanation="自收到申请之日起20个工作日",
        ),
    )


@pytest.mark.parametrize("chunk", range(4))
def test_every_name_comes_back_exactly_from_the_a4_form(chunk: int) -> None:
    """80 names a form: one in the name field, all of them in the description (which continues on the
    附页); pdftotext gives each back character for character, Extension B included."""
    names = NAMES[chunk * 80 : (chunk + 1) * 80]
    pdf = build_form("filled", _application(names[0], "、".join(names)))
    text = re.sub(r"\s+", "", pdftotext(pdf))
    assert "⊠" not in text and "?" not in text and "\ufffd" not in text
    assert names[0] in text
    for name in names:
        assert name in text, f"{name!r} ({' '.join(f'U+{ord(c):04X}' for c in name)}) did not come back"


ZONE = ZoneInfo("万宝镇政务公开专区", "娄星区万宝镇政府一楼", "周一至周五", "0738-8321234")


def _receipt(name: str) -> ReceiptData:
    return ReceiptData(
        tracking_no="WB01-20261127-0007",
        submitted_at=datetime(2026, 11, 27, 10, 30),
        applicant_name=name,
        applicant_kind="公民",
        id_label="居民身份证",
        id_masked="4301**********1234",
        phone_masked="138****5678",
        description="2024年度低保资金发放情况",
        deadline=date(2026, 12, 25),
        deadline_explanation="",
        zone=ZONE,
        qr_payload="WB01-20261127-0007",
    )


NOTDEF = raster._glyph("\U00030041", 1, False).tobytes()  # what a character no face has looks like


@pytest.mark.parametrize("font_charset", ["gbk", "gb18030"])
def test_every_name_comes_back_exactly_from_the_receipt(font_charset: str) -> None:
    layout = Layout(columns=48, font_charset=font_charset)
    for name in NAMES:
        out = decode(build_receipt(_receipt(name), layout))
        want = f"申请人：{name}"
        texts = out.texts()
        i = texts.index("受理时间：2026年11月27日 10:30") + 1
        line = out.lines[i]
        if line.image is None:  # the printer's own font has every character (Extension A on GB18030)
            assert line.text == want
            assert all(ord(c) <= 0xFFFF for c in name)
        else:  # drawn: the same string, drawn with the same faces, dot for dot
            assert line.image.tobytes() == raster.render_line(want, 48).tobytes()
            for ch in name:
                if ord(ch) > 0x7F:
                    glyph = raster._glyph(ch, 1, False)
                    assert glyph.tobytes() != NOTDEF, f"U+{ord(ch):04X} drawn as the missing-glyph box"
                    assert glyph.getbbox() is not None, f"U+{ord(ch):04X} drawn blank"
        assert not any("?" in t for t in texts if not t.startswith("["))


def test_a_name_on_a_bold_line_uses_the_fallback_too() -> None:
    ch = "\U00020001"
    bold = raster._glyph(ch, 2, True)
    assert bold.getbbox() is not None
    assert bold.tobytes() != raster._glyph("\U00030041", 2, True).tobytes()


def test_the_pdf_embeds_the_fallback_face_only_when_a_text_needs_it(tmp_path: object) -> None:
    plain = build_form("filled", _application("王小明", "2024年度低保资金发放情况"))
    rare = build_form("filled", _application("王\U00020001", "2024年度低保资金发放情况"))
    assert b"KioskFallbackHan" not in plain
    assert b"KioskFallbackHan" in rare
    assert "王\U00020001" in pdftotext(rare)
    assert replace(_receipt("x"), applicant_name="y").applicant_name == "y"
