"""A small ESC/POS reader for tests: the bytes a receipt sends, back as lines of text and images.

It knows the commands :mod:`printing.escpos.document` and python-escpos emit (ESC @, FS &, ESC a,
ESC E, ESC J, GS !, GS v 0, GS ( k, GS V, ESC d) and fails loudly on anything else, so a new command is
noticed rather than misread. Text is decoded as GB18030 (Chinese mode).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image


@dataclass
class Line:
    """One printed line: text (GB18030 decoded) or an image, with the size it was printed at."""

    text: str = ""
    image: Image.Image | None = None
    scale: int = 1
    align: int = 0
    bold: bool = False


@dataclass
class Decoded:
    lines: list[Line] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    qr_ec: list[int] = field(default_factory=list)  # error-correction level per QR: 48 L, 49 M, 50 Q, 51 H
    cut: bool = False

    def texts(self) -> list[str]:
        return [
            line.text if line.image is None else f"[image {line.image.width}x{line.image.height}]"
            for line in self.lines
        ]


def decode(data: bytes) -> Decoded:
    out = Decoded()
    buf = bytearray()
    scale, align, bold = 1, 0, False
    i = 0
    while i < len(data):
        b = data[i]
        if b == 0x0A:
            out.lines.append(Line(bytes(buf).decode("gb18030"), None, scale, align, bold))
            buf.clear()
            i += 1
        elif b == 0x1B:
            cmd = data[i + 1]
            if cmd == ord("@"):
                i += 2
            elif cmd == ord("a"):
                align = data[i + 2]
                i += 3
            elif cmd == ord("E"):
                bold = bool(data[i + 2])
                i += 3
            elif cmd in (ord("d"), ord("t"), ord("J")):  # feed lines, code page, feed dots
                i += 3
            else:
                raise ValueError(f"unknown ESC {cmd:#x} at {i}")
        elif b == 0x1C:
            if data[i + 1] in (ord("&"), ord(".")):
                i += 2
            else:
                raise ValueError(f"unknown FS {data[i + 1]:#x} at {i}")
        elif b == 0x1D:
            cmd = data[i + 1]
            if cmd == ord("!"):
                scale = (data[i + 2] & 0x0F) + 1
                i += 3
            elif cmd == ord("v"):
                xl, xh, yl, yh = data[i + 4 : i + 8]
                wb, h = xl + 256 * xh, yl + 256 * yh
                raw = data[i + 8 : i + 8 + wb * h]
                out.lines.append(Line("", Image.frombytes("1", (wb * 8, h), raw), scale, align, bold))
                i += 8 + wb * h
            elif cmd == ord("("):
                pl, ph, cn, fn = data[i + 3], data[i + 4], data[i + 5], data[i + 6]
                n = pl + 256 * ph
                body = data[i + 7 : i + 5 + n]
                if cn == 49 and fn == 80:  # store the symbol data
                    out.qr.append(bytes(body[1:]).decode("utf-8"))
                elif cn == 49 and fn == 69:  # error correction level
                    out.qr_ec.append(body[0])
                i += 5 + n
            elif cmd == ord("V"):
                out.cut = True
                i += 3 if data[i + 2] in (0, 1, 48, 49) else 4
            else:
                raise ValueError(f"unknown GS {cmd:#x} at {i}")
        else:
            buf.append(b)
            i += 1
    if buf:
        out.lines.append(Line(bytes(buf).decode("gb18030"), None, scale, align, bold))
    return out
