"""How each character reaches a receipt printer in Chinese mode, and how wide it is on paper.

python-escpos's ``text()`` guesses: it sends GB18030 only when a line holds a character in
U+4E00–9FA5, so a line of Chinese punctuation prints ``???``, ``¥`` becomes four bytes and CJK
Extension characters become ``?``. Here the choice is deliberate and per printer:

- the printer is put in Chinese mode (``FS &``) once, by :class:`printing.escpos.EscPosDocument`;
- printable ASCII goes as one byte and takes one column;
- every other character is sent as two bytes (or four, for GB18030 printers) in the printer's
  ``encoding`` **if** the printer's built-in font (``font_charset``: gb2312 | gbk | gb18030) has it,
  and takes two columns;
- anything else — rare name characters such as 𬭎, or 镕/堃/喆 on a GB2312-only printer — is
  reported as unprintable, and the caller draws that line as a raster image (never a ``?``).

``gb18030`` as a font charset means the 2- and 4-byte GB18030 characters of the Basic Multilingual
Plane (what GB18030 printers carry); supplementary-plane characters always go as an image.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from kiosk.fonts import JOINERS
from kiosk.textlayout import layout_runs, needs_layout
from printing.escpos import shaped

ENCODINGS = ("gb18030", "gbk")
FONT_CHARSETS = ("gb2312", "gbk", "gb18030")

# Characters normalised before encoding. U+00A5 ¥ is four bytes in GB18030 and absent from GBK; the
# full-width ￥ is the two-byte yen/yuan sign every Chinese printer font has.
_NORMALISE = str.maketrans({"¥": "￥", "\t": " ", "\r": " ", "\n": " ", "\u3000": "  "})

# GB2312 glyphs that Python's gb2312 codec maps to a different code point than GBK/GB18030 do:
# A1A4 is the middle dot of minority names (阿卜杜拉·买买提), A1AA the em dash.
_GB2312_EXTRA = {"·": b"\xa1\xa4", "—": b"\xa1\xaa"}


def normalise(text: str) -> str:
    """Text ready for a receipt: yen sign made full-width, tabs/newlines spaces, controls dropped.

    Only control, format (zero-width) and lone-surrogate characters are dropped, except the joiners
    and Mongolian selectors that change how a name is drawn (:data:`kiosk.fonts.JOINERS`); a character this
    Python's Unicode database does not know yet (a newer CJK extension) is kept and drawn.
    """
    text = text.translate(_NORMALISE)
    return "".join(ch for ch in text if ch in JOINERS or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def _in_font(ch: str, font_charset: str) -> bool:
    """Whether the printer's built-in font has a glyph for ``ch`` at the width we lay it out with.

    The printer profiles: ``gb2312`` and ``gbk`` fonts carry their code sets; a ``gb18030`` font
    carries GBK plus CJK Extension A (what GB18030 receipt printers have), not the other scripts
    GB18030 can encode (Tibetan, Uyghur, Mongolian, Yi …), which go as images. A character the
    printer would draw two columns wide but East Asian Width calls narrow (é, ü in Chinese mode) is
    drawn as an image too, one column wide."""
    if ord(ch) > 0xFFFF:  # no printer font carries the supplementary planes (𬭎 U+2CB4E)
        return False
    if char_width(ch) != 2:
        return False
    if font_charset == "gb2312" and ch in _GB2312_EXTRA:
        return True
    if font_charset == "gb18030" and 0x3400 <= ord(ch) <= 0x4DBF:
        return True
    try:
        ch.encode("gbk" if font_charset == "gb18030" else font_charset)
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=65536)
def char_bytes(ch: str, encoding: str, font_charset: str) -> bytes | None:
    """The bytes that print ``ch`` from the printer's own font, or None if it must be drawn."""
    if " " <= ch <= "~":
        return ch.encode("ascii")
    if not _in_font(ch, font_charset):
        return None
    try:
        data = _GB2312_EXTRA[ch] if ch in _GB2312_EXTRA else ch.encode(encoding)
    except UnicodeEncodeError:
        return None
    # A single byte that is not printable ASCII is nothing a printer in Chinese mode draws.
    return data if len(data) > 1 else None


@lru_cache(maxsize=65536)
def char_width(ch: str) -> int:
    """Columns ``ch`` takes in font A, by East Asian Width: wide and full-width characters two, and
    ambiguous ones two when they are punctuation or symbols (·, —, “”, ①: wide in Chinese text) but one
    when they are letters (é, ü, Greek, Cyrillic); narrow and neutral ones (ASCII) one."""
    if ch < "\x80":
        return 1
    eaw = unicodedata.east_asian_width(ch)
    if eaw in ("W", "F"):
        return 2
    return 2 if eaw == "A" and not unicodedata.category(ch).startswith("L") else 1


def text_width(text: str) -> int:
    """Columns ``text`` takes on paper (a line in another script: as its image lays it out)."""
    if text.isascii():
        return len(text)
    if needs_layout(text):
        return sum(shaped.cells(run) if run.shaped else _grid_width(run.text) for run in layout_runs(text))
    return _grid_width(text)


def _grid_width(text: str) -> int:
    return sum(map(char_width, text))


def encode_line(text: str, encoding: str, font_charset: str) -> bytes | None:
    """The whole line as bytes for the printer's Chinese mode, or None if any character must be drawn."""
    parts: list[bytes] = []
    for ch in text:
        data = char_bytes(ch, encoding, font_charset)
        if data is None:
            return None
        parts.append(data)
    return b"".join(parts)


# Punctuation that must not begin a line (行首禁则) and that must not end one (行尾禁则).
_NO_LINE_START = set("，。、；：？！）》」』】〕”’…%,.;:?!)]}·—\u0f0b\u0f0d\u0f0e")  # with the Tibetan tsheg and shad
_NO_LINE_END = set("（《「『【〔“‘([{")


@lru_cache(maxsize=65536)
def _is_word_char(ch: str) -> bool:
    """ASCII words, Hangul words, and words of letters and marks that are not wide (Latin with
    diacritics, Greek, Cyrillic, Uyghur, Mongolian, Tibetan): a line breaks between words, never inside
    one (Chinese and Yi break between any two characters)."""
    if ch < "\x80":
        return ch.isalnum() or ch in "-_./:@#%&=?+"
    if "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3131" <= ch <= "\u318e":
        return True
    return ch in JOINERS or (unicodedata.category(ch)[0] in "LM" and unicodedata.east_asian_width(ch) not in "WF")


def wrap(text: str, width: int) -> list[str]:  # noqa: PLR0912 (one pass over tokens reads best)
    """Break ``text`` into lines of at most ``width`` columns.

    ASCII words (numbers, times, URLs) are kept whole when they fit on a line; closing punctuation
    never starts a line and opening punctuation never ends one (避头尾), which may leave a line a
    little short. Leading spaces are kept (indentation), trailing ones dropped.
    """
    if width < 4:
        raise ValueError("a line must be at least four columns wide")
    text = normalise(text).rstrip()
    if not text:
        return [""]
    # Tokens: ASCII words stay together, everything else is one character per token.
    tokens: list[str] = []
    for ch in text:
        if tokens and _is_word_char(ch) and _is_word_char(tokens[-1][-1]):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    lines: list[list[str]] = []
    line: list[str] = []
    used = 0
    for tok in tokens:
        w = text_width(tok)
        if w > width:  # a word longer than a line: split it by characters
            for ch in tok:
                if used + char_width(ch) > width:
                    lines.append(line)
                    line, used = [], 0
                line.append(ch)
                used += char_width(ch)
            continue
        if used + w > width:
            carry: list[str] = []
            if tok in _NO_LINE_START:
                # pull the run of closing punctuation and the token before it down with this one
                while line and line[-1] in _NO_LINE_START:
                    carry.insert(0, line.pop())
                if line:
                    carry.insert(0, line.pop())
            while line and line[-1] in _NO_LINE_END:
                carry.insert(0, line.pop())
            if not line:  # nothing would be left: break where it falls instead
                line, carry = carry, []
            lines.append(line)
            while carry and carry[0] == " ":
                carry.pop(0)
            line = carry
            used = sum(text_width(t) for t in line)
            if tok == " ":
                continue
        line.append(tok)
        used += w
    lines.append(line)
    out = ["".join(parts).rstrip(" ") for parts in lines]
    return [s for s in out if s.strip()] or [""]


def pad(left: str, right: str, width: int) -> str:
    """``left`` and ``right`` on one line, ``right`` flush with the right edge (if both fit)."""
    gap = width - text_width(left) - text_width(right)
    return left + " " * max(gap, 1) + right
