"""Build the kiosk's bundled fonts: Noto Sans SC (Regular, Bold) plus two fallback faces for rare Han.

What an identity card can carry is the whole Han repertoire of GB 18030-2022: CJK Unified Ideographs,
Extension A, Extensions B–F (the level-2 set of GB 18030-2022 reaches into them) and the compatibility
ideographs. No single free font draws all of it, so the kiosk draws with a stack, each face subset by
what it actually covers (the cmap decides, not a guess):

- ``NotoSansSC-Regular.ttf``: Latin, punctuation and symbols, GBK, then every Han character of the
  repertoire that Noto Sans SC has (all of the Unified block up to Unicode 13, all of Extension A, a
  few hundred compatibility and supplementary-plane characters).
- ``NotoSansSC-Bold.ttf``: GBK plus symbols and Noto's supplementary-plane characters only: bold is
  used for fixed labels, titles and tracking numbers; anything beyond falls back to the faces below.
- ``KioskFallbackHanA.ttf``: from Debian's ``fonts-hanazono`` HanaMinA (花園明朝A), every Han character
  of the repertoire Noto lacks and HanaMinA has (the compatibility ideographs and supplement).
- ``KioskFallbackHanB.ttf``: from HanaMinB, the same for Extensions B–F.
- ``KioskFallbackHanG.ttf``: from Debian's ``fonts-babelstone-han`` (BabelStone Han), the characters of
  CJK Extension G it draws (about three in five; no free face in Debian draws all of it).

Beside Chinese, a resident identity card carries a name in the Mongolian, Tibetan, Uyghur (Arabic),
Korean, Yi or Zhuang (Latin) script, and a foreigner's name any Latin, Greek or Cyrillic letter. Those
come from Debian's ``fonts-noto-core`` (and Noto Sans KR from the wheel above), each subset to its
script's blocks with every OpenType feature kept (the shaping engine needs them: Arabic joining forms,
Mongolian positional forms, Tibetan stacks, mark positioning):

- ``NotoSans-Regular.ttf``: Latin, Latin Extended (old Zhuang orthography's Ƨ Ɛ Ɵ Ч Ƅ too), IPA
  letters, combining diacritics, Greek and Cyrillic;
- ``NotoSansArabic-Regular.ttf`` (Uyghur, Kazakh and Kyrgyz in Arabic script),
  ``NotoSansMongolian-Regular.ttf``, ``NotoSerifTibetan-Regular.ttf``, ``NotoSansYi-Regular.ttf``;
- ``NotoSansKR-Regular.ttf``: Hangul syllables and jamo only (Han comes from Noto Sans SC).

BabelStone Han is under the Arphic Public License (modified versions under the same licence, with the
licence text: ``BABELSTONE-LICENSE.txt``); the subset is renamed "Kiosk Fallback Han G". All Noto
faces are OFL 1.1 (``OFL.txt``). HanaMin is dual-licensed by the GlyphWiki Project (Hanazono Font
License, or SIL OFL 1.1 with the reserved names HanaMinA/HanaMinB/花園明朝A/B): the subsets are
renamed (family "Kiosk Fallback Han A/B") so no reserved name is carried by the modified font, and
both licence texts are copied next to them (``HANAZONO-LICENSE.txt``). Noto Sans SC is OFL (``OFL.txt``).

The source files are build inputs only: the Noto variable font comes from the PyPI wheel
``justmytype-intl-cjk`` (requirements-dev.txt), HanaMin from the Debian package ``fonts-hanazono``
(installed by ``scripts/setup --dev``). Reportlab cannot embed CFF/OTF fonts and embeds only the default
(Thin) master of a variable font, so Noto is instanced to static weights with fontTools'
``varLib.instancer`` first. The output is byte-for-byte reproducible (fixed timestamps). Run once by a
developer; the result is committed under ``assets/fonts/``:

    .venv/bin/python scripts/build_font.py            # build
    .venv/bin/python scripts/build_font.py --scripts  # only the other scripts' faces and Extension G
    .venv/bin/python scripts/build_font.py --report   # coverage of each block by the committed stack
"""

from __future__ import annotations

import pathlib
import shutil
import sys
import unicodedata

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "fonts"
WEIGHTS = {"Regular": 400, "Bold": 700}
HANAZONO = pathlib.Path("/usr/share/fonts/truetype/hanazono")
HANAZONO_COPYRIGHT = pathlib.Path("/usr/share/doc/fonts-hanazono/copyright")
BABELSTONE = pathlib.Path("/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf")
BABELSTONE_COPYRIGHT = pathlib.Path("/usr/share/doc/fonts-babelstone-han/copyright")
NOTO_CORE = pathlib.Path("/usr/share/fonts/truetype/noto")
EXT_G = (0x30000, 0x3134A)

# The faces for the other scripts of an identity card: output file, source, code point ranges kept.
SCRIPT_FACES: dict[str, tuple[str, list[tuple[int, int]]]] = {
    "NotoSans-Regular.ttf": (
        "NotoSans-Regular.ttf",
        [
            (0x20, 0x7E),
            (0xA0, 0x2FF),  # Latin-1, Extended-A/B, IPA, spacing modifiers
            (0x300, 0x36F),
            (0x1AB0, 0x1AFF),
            (0x1DC0, 0x1DFF),  # combining diacritics
            (0x370, 0x3FF),
            (0x1F00, 0x1FFF),  # Greek and polytonic Greek
            (0x400, 0x52F),
            (0x1C80, 0x1C8F),
            (0x2DE0, 0x2DFF),
            (0xA640, 0xA69F),  # Cyrillic
            (0x1E00, 0x1EFF),
            (0x2C60, 0x2C7F),
            (0xA720, 0xA7FF),
            (0xAB30, 0xAB6F),  # Latin additional
            (0x2000, 0x206F),
            (0x20A0, 0x20CF),  # general punctuation, currency
        ],
    ),
    "NotoSansArabic-Regular.ttf": (
        "NotoSansArabic-Regular.ttf",
        [
            (0x20, 0x20),
            (0x600, 0x6FF),
            (0x750, 0x77F),
            (0x8A0, 0x8FF),
            (0xFB50, 0xFDFF),
            (0xFE70, 0xFEFF),
            (0x200C, 0x200F),
        ],
    ),
    "NotoSansMongolian-Regular.ttf": (
        "NotoSansMongolian-Regular.ttf",
        [(0x20, 0x20), (0x1800, 0x18AF), (0x11660, 0x1167F), (0x200C, 0x200D), (0x202F, 0x202F)],
    ),
    "NotoSerifTibetan-Regular.ttf": ("NotoSerifTibetan-Regular.ttf", [(0x20, 0x20), (0xF00, 0xFFF), (0x25CC, 0x25CC)]),
    "NotoSansYi-Regular.ttf": ("NotoSansYi-Regular.ttf", [(0x20, 0x20), (0xA000, 0xA4CF), (0x3001, 0x3002)]),
}
HANGUL = [(0x1100, 0x11FF), (0x3131, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7A3), (0xD7B0, 0xD7FF)]
FALLBACKS = {"A": "HanaMinA.ttf", "B": "HanaMinB.ttf"}
FIXED_TIME = 3_900_000_000  # head.created/modified (seconds since 1904): fixed so builds are reproducible

# The Han repertoire an identity card can carry (GB 18030-2022 level 3 is all of it).
HAN_BLOCKS = {
    "CJK Unified Ideographs": (0x4E00, 0x9FFF),
    "Extension A": (0x3400, 0x4DBF),
    "Extension B": (0x20000, 0x2A6DF),
    "Extension C": (0x2A700, 0x2B73F),
    "Extension D": (0x2B740, 0x2B81F),
    "Extension E": (0x2B820, 0x2CEAF),
    "Extension F": (0x2CEB0, 0x2EBEF),
    "Compatibility Ideographs": (0xF900, 0xFAFF),
    "Compatibility Ideographs Supplement": (0x2F800, 0x2FA1F),
}
# Reported (and drawn where a face has it) but not part of what an identity card can carry today.
REPORTED_BLOCKS = {**HAN_BLOCKS, "Extension G": EXT_G}


def han_repertoire() -> set[int]:
    """Every assigned code point of :data:`HAN_BLOCKS` (as this Python's Unicode database knows them)."""
    return {cp for lo, hi in HAN_BLOCKS.values() for cp in range(lo, hi + 1) if unicodedata.category(chr(cp)) != "Cn"}


def _noto_source() -> pathlib.Path:
    import justmytype_intl_cjk  # type: ignore[import-untyped]

    base = pathlib.Path(justmytype_intl_cjk.__file__).parent / "fonts" / "ofl" / "notosanssc"
    return base / "NotoSansSC[wght].ttf"


def _noto_codepoints(cmap: dict[int, str], *, all_han: bool) -> set[int]:
    keep: set[int] = set(range(0x20, 0x7F)) | set(range(0xA0, 0x250))
    han = han_repertoire()
    for cp in cmap:
        if cp > 0xFFFF:
            keep.add(cp)  # supplementary plane: rare name characters such as 𬭎
            continue
        if all_han and cp in han:
            keep.add(cp)
            continue
        try:
            chr(cp).encode("gbk")
        except UnicodeEncodeError:
            # general punctuation, arrows, enclosed numbers, CJK symbols, the middle dots of
            # transliterated names (‧ ・ ･) stay useful
            if 0x2000 <= cp <= 0x33FF or 0xFE30 <= cp <= 0xFFEF:
                keep.add(cp)
            continue
        keep.add(cp)
    return {cp for cp in keep if cp in cmap}


def _options() -> subset.Options:
    opts = subset.Options()
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.layout_features = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = False
    return opts


def _save(font: TTFont, out: pathlib.Path) -> None:
    font["head"].created = FIXED_TIME
    font["head"].modified = FIXED_TIME
    font.recalcTimestamp = False
    font.save(out)
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size / 1e6:.1f} MB, {len(font.getBestCmap())} characters")


def _rename(font: TTFont, family: str) -> None:
    """Give a subset its own names (the source's reserved font names must not be carried)."""
    ps = family.replace(" ", "")
    names = {1: family, 2: "Regular", 3: f"{ps}-subset", 4: f"{family} Regular", 6: ps}
    table = font["name"]
    table.names = [r for r in table.names if r.nameID not in (1, 2, 3, 4, 6, 16, 17)]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)


def build_noto() -> set[int]:
    """The two Noto weights; returns what the Regular face covers."""
    src = _noto_source()
    covered: set[int] = set()
    for name, wght in WEIGHTS.items():
        font = TTFont(src)
        static = instancer.instantiateVariableFont(font, {"wght": wght}, updateFontNames=True)
        keep = _noto_codepoints(static.getBestCmap(), all_han=name == "Regular")
        sub = subset.Subsetter(_options())
        sub.populate(unicodes=sorted(keep))
        sub.subset(static)
        _save(static, OUT / f"NotoSansSC-{name}.ttf")
        if name == "Regular":
            covered = keep
    shutil.copy(src.parent / "OFL.txt", OUT / "OFL.txt")
    return covered


def build_fallbacks(covered: set[int]) -> None:
    """KioskFallbackHanA/B: the Han characters of the repertoire not yet covered, from HanaMinA/B."""
    wanted = han_repertoire() - covered
    for letter, filename in FALLBACKS.items():
        src = HANAZONO / filename
        if not src.exists():
            raise SystemExit(f"{src} is missing: install the Debian package fonts-hanazono (scripts/setup --dev)")
        font = TTFont(src)
        keep = sorted(wanted & set(font.getBestCmap()))
        opts = _options()
        opts.hinting = False  # TrueType instructions are a third of the file and do nothing at print sizes
        opts.layout_features = []  # Japanese vertical forms and variants: not used here
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=keep)
        sub.subset(font)
        _rename(font, f"Kiosk Fallback Han {letter}")
        _save(font, OUT / f"KioskFallbackHan{letter}.ttf")
        wanted -= set(keep)
    licence = HANAZONO_COPYRIGHT.read_text(encoding="utf-8")
    header = (
        "KioskFallbackHanA.ttf and KioskFallbackHanB.ttf are subsets of HanaMinA and HanaMinB\n"
        "(Hanazono fonts, GlyphWiki Project), renamed, used under the Hanazono Font License (or,\n"
        "at your option, the SIL Open Font License 1.1). The Debian copyright file follows.\n\n"
    )
    (OUT / "HANAZONO-LICENSE.txt").write_text(header + licence, encoding="utf-8")


_HAN_FACES = ("NotoSansSC-Regular.ttf", "KioskFallbackHanA.ttf", "KioskFallbackHanB.ttf", "KioskFallbackHanG.ttf")


def _in_ranges(cmap: dict[int, str], ranges: list[tuple[int, int]]) -> list[int]:
    return sorted(cp for cp in cmap if any(lo <= cp <= hi for lo, hi in ranges))


def _subset_to(font: TTFont, unicodes: list[int], *, hinting: bool = True) -> None:
    opts = _options()
    opts.hinting = hinting
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(font)


def build_scripts() -> None:
    """The faces for the non-Han scripts of an identity card, each subset to its blocks (features kept)."""
    for out, (source, ranges) in SCRIPT_FACES.items():
        src = NOTO_CORE / source
        if not src.exists():
            raise SystemExit(f"{src} is missing: install the Debian package fonts-noto-core (scripts/setup --dev)")
        font = TTFont(src)
        _subset_to(font, _in_ranges(font.getBestCmap(), ranges), hinting=False)
        _save(font, OUT / out)
    kr = pathlib.Path(_noto_source()).parent.parent / "notosanskr" / "NotoSansKR[wght].ttf"
    static = instancer.instantiateVariableFont(TTFont(kr), {"wght": 400}, updateFontNames=True)
    _subset_to(static, _in_ranges(static.getBestCmap(), HANGUL), hinting=False)
    _save(static, OUT / "NotoSansKR-Regular.ttf")


def build_ext_g() -> None:
    """KioskFallbackHanG: the CJK Extension G characters BabelStone Han draws, and any character of the
    repertoire the faces before it lack (the Unicode 14-15 additions to the older blocks)."""
    if not BABELSTONE.exists():
        raise SystemExit(
            f"{BABELSTONE} is missing: install the Debian package fonts-babelstone-han (scripts/setup --dev)"
        )
    font = TTFont(BABELSTONE)
    before = set().union(*(TTFont(OUT / f, lazy=True).getBestCmap() for f in _HAN_FACES[:-1]))
    cmap = font.getBestCmap()
    keep = sorted(set(_in_ranges(cmap, [EXT_G])) | ((han_repertoire() - before) & set(cmap)))
    opts = _options()
    opts.hinting = False
    opts.layout_features = []
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=keep)
    sub.subset(font)
    _rename(font, "Kiosk Fallback Han G")
    _save(font, OUT / "KioskFallbackHanG.ttf")
    header = (
        "KioskFallbackHanG.ttf is a subset of BabelStone Han (the CJK Extension G characters it draws),\n"
        "renamed, used and redistributed under the Arphic Public License (a few symbol glyphs of the\n"
        "original are CC BY-SA; none of them is in the subset). The Debian copyright file follows.\n\n"
    )
    (OUT / "BABELSTONE-LICENSE.txt").write_text(
        header + BABELSTONE_COPYRIGHT.read_text(encoding="utf-8"), encoding="utf-8"
    )


def report() -> None:
    """Coverage of each Han block by the committed stack (Noto Regular, then the fallbacks)."""
    cmaps = [set(TTFont(OUT / f, lazy=True).getBestCmap()) for f in _HAN_FACES]
    union = set().union(*cmaps)
    for block, (lo, hi) in REPORTED_BLOCKS.items():
        assigned = [cp for cp in range(lo, hi + 1) if unicodedata.category(chr(cp)) != "Cn"]
        per_face = " ".join(f"{sum(cp in c for cp in assigned):6d}" for c in cmaps)
        missing = len(assigned) - sum(cp in union for cp in assigned)
        print(f"{block:36s} {len(assigned):6d} assigned · by face {per_face} · not drawn {missing}")
    total = sum(f.stat().st_size for f in OUT.glob("*.ttf"))
    print(f"assets/fonts: {total / 1e6:.1f} MB (Unicode {unicodedata.unidata_version})")


def main(argv: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    if "--scripts" in argv:  # only the faces for the other scripts and Extension G
        build_scripts()
        build_ext_g()
    elif "--report" not in argv:
        build_fallbacks(build_noto())
        build_scripts()
        build_ext_g()
    report()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
