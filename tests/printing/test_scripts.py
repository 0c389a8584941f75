"""Names in every script a Chinese identity card carries, and foreign names with any diacritic, print
correctly on the A4 form and on the receipt.

The form is read back with ``pdftotext`` (each name as typed, in logical order: a right-to-left name
comes back with the reader's own U+202B…U+202C embedding marks around it, which are dropped before
comparing, and an Arabic ligature as its presentation-form character, so the comparison is up to
compatibility normalisation, NFKC: لا drawn as one glyph reads back as U+FEFC).

The receipt's image line is compared with the same name drawn by an independent engine: Debian's
``pango-view`` (Pango + HarfBuzz + FriBidi + cairo, finding the bundled faces through fontconfig),
which shares no layout code with ours. The comparison is between the ink of the two pictures,
scaled to one size; a name drawn unshaped (letters not joined, in the wrong order) must compare worse
than the shaped one, so the check can fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from escpos_decode import decode
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from test_rare_names import ZONE, _application, _receipt, pdftotext

from kiosk import fonts
from kiosk.paths import assets_dir
from printing.escpos import cjk, raster
from printing.escpos.document import Layout
from printing.escpos.receipt import build_receipt
from printing.forms import build_form, build_receipt_pdf

# script → (face that must draw it, names). Names as on identity cards or as foreigners write them.
NAMES: dict[str, tuple[fonts.Face, tuple[str, ...]]] = {
    "mongolian": (fonts.MONGOLIAN, ("ᠪᠠᠲᠦ ᠮᠦᠩᠬᠡ", "ᠰᠠᠷᠠᠨᠭᠡᠷᠡᠯ", "ᠴᠡᠴᠡᠭ")),
    "tibetan": (fonts.TIBETAN, ("བཀྲ་ཤིས་", "སྒྲོལ་མ", "ཚེ་རིང་དབང་འདུས")),
    "uyghur": (fonts.ARABIC, ("ئەخمەت تۇرسۇن", "ئابدۇللا", "گۈلنۇر ئەيسا")),
    "korean": (fonts.HANGUL, ("김민준", "박서연", "최예린")),
    "yi": (fonts.YI, ("ꀉꒉꃀꑳ", "ꆈꌠꁱꂷ")),
    "zhuang": (fonts.REGULAR, ("Vei Yinzcuengh", "Lwg Gvanghsih")),
    "zhuang_1957": (fonts.LATIN, ("Ƨeŋ Ƅaiƅ",)),
    "latin": (fonts.LATIN, ("Łukasz Świątek", "Jiří Dvořák", "Nguyễn Thị Minh", "Ayşe Yılmaz", "Çağrı Öğüt")),
    "greek": (fonts.LATIN, ("Ἑλένη Παπαδοπούλου", "Γιώργος Έψιλον")),
    "cyrillic": (fonts.REGULAR, ("Ольга Иванова", "Дмитрий Ёлкин")),
    "cyrillic_extended": (fonts.LATIN, ("Ғалия Құрманғазы", "Тарас Ґудзь")),
}
EXT_G = [chr(cp) for cp in range(0x30000, 0x3134B) if cp in fonts.coverage(fonts.FALLBACK_G)]
NAMES["han_ext_g"] = (fonts.FALLBACK_G, (f"王{EXT_G[0]}", f"李{EXT_G[100]}{EXT_G[2000]}"))
ALL = [(script, name) for script, (_, names) in NAMES.items() for name in names]
BIDI_MARKS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")
COMPLEX = ("mongolian", "tibetan", "uyghur")


def test_each_script_is_drawn_by_its_face_and_nothing_is_flagged() -> None:
    for script, (face, names) in NAMES.items():
        for name in names:
            assert fonts.undrawable(name) == [], (script, name)
            letters = [ch for ch in name if ch != " " and not ch.isascii()] or [name[0]]
            assert any(fonts.face_for(ch) is face for ch in letters), (script, name)
    # what no bundled face draws is still flagged: an Extension G character BabelStone Han lacks
    missing = next(chr(cp) for cp in range(0x30000, 0x3134B) if fonts.face_for(chr(cp)) is None)
    assert fonts.undrawable(f"王{missing}") == [missing]


@pytest.mark.parametrize(("script", "name"), ALL)
def test_the_a4_form_gives_each_name_back(script: str, name: str) -> None:
    pdf = build_form("filled", _application(name, "2024年度低保资金发放情况"))
    text = unicodedata.normalize("NFKC", BIDI_MARKS.sub("", pdftotext(pdf)))
    assert "\ufffd" not in text and not re.search("[\ue000-\uf8ff\U000f0000-\U0010ffff]", text)
    name = unicodedata.normalize("NFKC", name)
    assert re.sub(r"\s+", "", name) in re.sub(r"\s+", "", text), (script, name)
    assert name in text  # spaces inside the name survive too


def test_the_form_embeds_each_face_it_uses(tmp_path: Path) -> None:
    pdf = build_form("filled", _application("ئەخمەت تۇرسۇن", "ᠪᠠᠲᠦ、བཀྲ་ཤིས་、김민준、ꆈꌠꁱꂷ、Łukasz"))
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    for face in (fonts.ARABIC, fonts.MONGOLIAN, fonts.TIBETAN, fonts.HANGUL, fonts.YI, fonts.LATIN):
        row = next(line for line in listing.splitlines() if f"+{face.path.stem}" in line)
        assert row.split()[-5:-2] == ["yes", "yes", "yes"], row  # embedded, subset, ToUnicode


def _ink(image: Image.Image) -> Image.Image:
    """The ink (white on black, "L") cropped to its bounding box and scaled to 160 × 40."""
    box = image.getbbox()
    assert box is not None, "nothing was drawn"
    return image.crop(box).resize((160, 40), Image.Resampling.BOX).point(lambda v: 255 if v >= 64 else 0)


def similarity(a: Image.Image, b: Image.Image) -> float:
    """How much of each picture's ink lies on or next to the other's (1.0: the same drawing)."""
    ia, ib = _ink(a), _ink(b)
    near_a, near_b = ia.filter(ImageFilter.MaxFilter(5)), ib.filter(ImageFilter.MaxFilter(5))
    ink_a, ink_b = ia.histogram()[255], ib.histogram()[255]
    hit_a = ImageChops.multiply(ia, near_b).histogram()[255]
    hit_b = ImageChops.multiply(ib, near_a).histogram()[255]
    return (hit_a + hit_b) / (ink_a + ink_b)


@pytest.fixture(scope="module")
def pango(tmp_path_factory: pytest.TempPathFactory) -> object:
    if shutil.which("pango-view") is None:
        pytest.fail("pango-view is missing: Debian pango1.0-tools (scripts/setup --dev)")
    folder = tmp_path_factory.mktemp("pango")
    conf = folder / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?><fontconfig><dir>{assets_dir() / "fonts"}</dir>'
        f"<cachedir>{folder / 'cache'}</cachedir></fontconfig>"
    )

    def render(text: str, face: fonts.Face) -> Image.Image:
        out = folder / "out.png"
        subprocess.run(
            [
                "pango-view",
                "--no-display",
                "--dpi=72",
                f"--font={face.family} 22",
                "--margin=4",
                f"--text={text}",
                f"--output={out}",
            ],
            env={"FONTCONFIG_FILE": str(conf), "PATH": "/usr/bin:/bin", "HOME": str(folder), "LANG": "C.UTF-8"},
            check=True,
            capture_output=True,
        )
        return Image.open(out).convert("L").point(lambda v: 255 - v)  # ink white, as ours

    return render


@pytest.mark.parametrize(("script", "name"), ALL)
def test_the_receipt_draws_each_name_as_an_independent_engine_does(script: str, name: str, pango) -> None:  # type: ignore[no-untyped-def]
    out = decode(build_receipt(_receipt(name), Layout(columns=48, font_charset="gb18030")))
    texts = out.texts()
    line = out.lines[texts.index("受理时间：2026年11月27日 10:30") + 1]
    want = f"申请人：{name}"
    if line.image is None:  # plain ASCII (Zhuang's 1982 orthography) prints in the printer's own font
        assert line.text == want and name.isascii()
        return
    assert line.image.tobytes() == raster.render_line(want, 48).tobytes()
    ours = raster.render_line(name, 48).convert("L")
    face = NAMES[script][0]
    theirs = pango(name, face if face is not fonts.REGULAR else fonts.LATIN)
    score = similarity(ours, theirs)
    print(f"{script} {name}: {score:.2f}")
    assert score >= 0.8, f"{script} {name!r}: {score:.2f} against pango-view's drawing"
    if script in COMPLEX:  # the same letters drawn one by one, unjoined, left to right
        unshaped = Image.new("L", ours.size, 0)
        basic = ImageFont.truetype(str(face.path), 22, layout_engine=ImageFont.Layout.BASIC)
        ImageDraw.Draw(unshaped).text((0, 12), name, fill=255, font=basic, anchor="lm")
        wrong = similarity(unshaped, theirs)
        print(f"  unshaped: {wrong:.2f}")
        assert wrong < score - 0.1, f"{script}: unshaped {wrong:.2f} vs shaped {score:.2f}: the check cannot tell"


def _words(name: str) -> list[str]:
    """Where a line may break inside a name: at a space, and after a Tibetan tsheg (་)."""
    return [w for w in re.split("(?<=\u0f0b)| ", name) if w]


WHOLE_WORDS = [name for script, name in ALL if script not in ("yi", "han_ext_g")]  # those break anywhere


def test_a_long_text_of_names_wraps_between_words_never_inside_one() -> None:
    """The description field, many lines of names in every script: each word comes back whole."""
    names = [name for _, name in ALL]
    pdf = build_form("filled", _application(names[0], "申请人名单：" + "、".join(names * 3)))
    text = unicodedata.normalize("NFKC", BIDI_MARKS.sub("", pdftotext(pdf)))
    words = {w for name in WHOLE_WORDS for w in _words(unicodedata.normalize("NFKC", name))}
    lines = text.split("\n")
    for word in words:
        assert any(word in line for line in lines), f"{word!r} split across lines"


@pytest.mark.parametrize("columns", [48, 32])
def test_receipt_lines_of_names_fit_the_paper_and_keep_words_whole(columns: int) -> None:
    names = [name for _, name in ALL if not name.isascii()]
    lines = cjk.wrap("、".join(names), columns)
    assert len(lines) > 3
    for line in lines:
        assert cjk.text_width(line) <= columns, line
        image = raster.render_line(line, columns)
        assert image.width == columns * raster.CELL_W
    words = {w for name in WHOLE_WORDS if not name.isascii() for w in _words(name)}
    for word in words:
        assert any(word in line for line in lines), f"{word!r} split across receipt lines"


@pytest.mark.parametrize("script", list(NAMES))
def test_the_a4_receipt_gives_the_name_back_too(script: str) -> None:
    name = NAMES[script][1][0]
    pdf = build_receipt_pdf(_application(name, "2024年度低保资金发放情况"), ZONE)
    text = unicodedata.normalize("NFKC", BIDI_MARKS.sub("", pdftotext(pdf)))
    assert unicodedata.normalize("NFKC", name) in text, (script, name)
