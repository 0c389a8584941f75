"""On screen, a character Noto Sans SC lacks is drawn from the bundled fallback faces, not the system's."""

from __future__ import annotations

from kiosk import fonts
from ui.app import load_fonts


def test_extension_b_and_compatibility_ideographs_come_from_the_bundled_fallbacks(qapp: object) -> None:
    from PySide6.QtGui import QFont, QTextLayout

    family = load_fonts()
    assert family == "Noto Sans SC"
    font = QFont(family)
    font.setPixelSize(40)
    b = next(chr(c) for c in range(0x20000, 0x2A6E0) if fonts.face_for(chr(c)) is fonts.FALLBACK_B)
    a = next(chr(c) for c in range(0xF900, 0xFB00) if fonts.face_for(chr(c)) is fonts.FALLBACK_A)
    layout = QTextLayout("王䶮" + a + b, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    runs = {run.rawFont().familyName(): len(run.glyphIndexes()) for run in layout.glyphRuns()}
    assert runs == {"Noto Sans SC": 2, "Kiosk Fallback Han A": 1, "Kiosk Fallback Han B": 1}
    assert all(index != 0 for run in layout.glyphRuns() for index in run.glyphIndexes())  # no missing glyph


def test_names_in_every_script_of_an_identity_card_are_drawn_from_the_bundled_faces(qapp: object) -> None:
    """The wizard's review step and the staff screen show such names with the faces the printouts use
    (Qt shapes them itself with HarfBuzz): each script from its face, no missing-glyph box."""
    from PySide6.QtGui import QFont, QTextLayout

    font = QFont(load_fonts())
    font.setPixelSize(40)
    cases = {
        "ئەخمەت تۇرسۇن": fonts.ARABIC,
        "ᠪᠠᠲᠦ ᠮᠦᠩᠬᠡ": fonts.MONGOLIAN,
        "བཀྲ་ཤིས་": fonts.TIBETAN,
        "김민준": fonts.HANGUL,
        "ꆈꌠꁱꂷ": fonts.YI,
        "Ł": fonts.LATIN,
        "ễ": fonts.LATIN,
        "\U00030000": fonts.FALLBACK_G,
    }
    for text, face in cases.items():
        layout = QTextLayout(text, font)
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        families = {run.rawFont().familyName() for run in layout.glyphRuns() if len(run.glyphIndexes())}
        assert face.family in families, (text, families)
        assert families <= {f.family for f in fonts.ALL_FACES}, (text, families)
        assert all(index != 0 for run in layout.glyphRuns() for index in run.glyphIndexes()), text
