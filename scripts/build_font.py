"""Build the kiosk's bundled CJK fonts from the OFL Noto Sans SC variable font.

The variable TrueType font ships inside the PyPI wheel ``justmytype-intl-cjk``.
Reportlab cannot embed CFF/OTF fonts and embeds only the default (Thin) master of a
variable font, so we instance it to static weights with fontTools' ``varLib.instancer``
and subset it to GBK plus every supplementary-plane character the font carries (GB2312
alone loses characters common in names such as 镕, 堃, 喆).

Run once by a developer (the result is committed under ``assets/fonts/``):

    .venv/bin/python scripts/build_font.py
"""

from __future__ import annotations

import pathlib
import shutil
import sys

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "fonts"
WEIGHTS = {"Regular": 400, "Bold": 700}


def _source() -> pathlib.Path:
    import justmytype_intl_cjk  # type: ignore[import-untyped]

    base = pathlib.Path(justmytype_intl_cjk.__file__).parent / "fonts" / "ofl" / "notosanssc"
    return base / "NotoSansSC[wght].ttf"


def _codepoints(font: TTFont) -> list[int]:
    cmap = font.getBestCmap()
    keep: set[int] = set(range(0x20, 0x7F)) | set(range(0xA0, 0x250))
    for cp in cmap:
        if cp > 0xFFFF:
            keep.add(cp)  # supplementary plane: rare name characters such as 𬭎
            continue
        ch = chr(cp)
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            # general punctuation, arrows, enclosed numbers, CJK symbols stay useful
            if 0x2000 <= cp <= 0x33FF or 0xFE30 <= cp <= 0xFFEF:
                keep.add(cp)
            continue
        keep.add(cp)
    return sorted(cp for cp in keep if cp in cmap)


def main() -> int:
    src = _source()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, wght in WEIGHTS.items():
        font = TTFont(src)
        static = instancer.instantiateVariableFont(font, {"wght": wght}, updateFontNames=True)
        opts = subset.Options()
        opts.name_IDs = ["*"]
        opts.name_languages = ["*"]
        opts.layout_features = ["*"]
        opts.notdef_outline = True
        opts.glyph_names = False
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=_codepoints(static))
        sub.subset(static)
        out = OUT / f"NotoSansSC-{name}.ttf"
        static.save(out)
        print(f"{out.relative_to(ROOT)}: {out.stat().st_size / 1e6:.1f} MB")
    shutil.copy(src.parent / "OFL.txt", OUT / "OFL.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
