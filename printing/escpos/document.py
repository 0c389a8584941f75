"""An ESC/POS document laid out for one printer: its columns, encoding and font charset.

:class:`EscPosDocument` is the one path receipts and queue tickets take to bytes. It initialises the
printer (``ESC @``), selects Chinese mode (``FS &``) once, and then writes each line either as text
in the printer's encoding or — when the printer's font lacks a character — as a raster image drawn
with the bundled font (see :mod:`printing.escpos.cjk` and :mod:`printing.escpos.raster`). QR codes
use the printer's own ``GS ( k`` symbol (python-escpos ``qr(..., native=True)``); the paper is cut
with ``GS V`` when the printer is configured to cut.
"""

from __future__ import annotations

from dataclasses import dataclass

from escpos.printer import Dummy

from kiosk.config import PrinterConfig
from printing.escpos.cjk import ENCODINGS, FONT_CHARSETS, encode_line, text_width, wrap
from printing.escpos.raster import gs_v_0, render_line
from printing.escpos.shaped import CELL_W

QR_EC_M = 1  # python-escpos QR_ECLEVEL_M (GS ( k fn 69 n = 49)
ESC_INIT = b"\x1b@"
FS_CHINESE_ON = b"\x1c&"  # FS &: select Kanji (Chinese) character mode
LF = b"\n"
_ALIGN = {"left": b"\x1ba\x00", "center": b"\x1ba\x01", "right": b"\x1ba\x02"}
_BOLD = {False: b"\x1bE\x00", True: b"\x1bE\x01"}


def _size(scale: int) -> bytes:
    """GS ! n: character size for ASCII and Chinese alike (width and height multiplier ``scale``)."""
    n = scale - 1
    return b"\x1d!" + bytes([(n << 4) | n])


@dataclass(frozen=True)
class Layout:
    """What a receipt needs to know about its printer."""

    columns: int = 48  # font-A characters per line: 48 on 80 mm paper, 42 on 72 mm, 32 on 58 mm
    encoding: str = "gb18030"  # gb18030 | gbk
    font_charset: str = "gbk"  # gb2312 | gbk | gb18030: what the printer's own font can draw
    cut: bool = True
    dots: int = 0  # printable width in dots (203 dpi): 576 at 80 mm, 384 at 58 mm; 0 = from columns

    def __post_init__(self) -> None:
        if self.encoding not in ENCODINGS:
            raise ValueError(f"unknown printer encoding {self.encoding!r}")
        if self.font_charset not in FONT_CHARSETS:
            raise ValueError(f"unknown printer font charset {self.font_charset!r}")
        if not 16 <= self.columns <= 64:
            raise ValueError("columns must be between 16 and 64")
        if not self.dots:
            object.__setattr__(self, "dots", 576 if self.columns > 32 else 384)
        if self.columns * CELL_W > self.dots:
            raise ValueError(
                f"{self.columns} columns need {self.columns * CELL_W} dots of print width; this printer has "
                f"{self.dots} (at most {self.dots // CELL_W} columns)"
            )

    @classmethod
    def of(cls, printer: PrinterConfig) -> Layout:
        return cls(printer.columns, printer.encoding, printer.font_charset, printer.cut, getattr(printer, "dots", 0))


class EscPosDocument:
    """Lines, rules, QR codes and a cut, collected into ESC/POS bytes for one printer layout."""

    def __init__(self, layout: Layout | None = None) -> None:
        self.layout = layout or Layout()
        self._out = Dummy()
        self._out._raw(ESC_INIT + FS_CHINESE_ON)
        self._align = ""
        self.raster_lines = 0  # how many lines went as images (for tests and logs; no content)

    def _set_align(self, align: str) -> None:
        if align != self._align:
            self._out._raw(_ALIGN[align])
            self._align = align

    def line(self, text: str = "", *, align: str = "left", scale: int = 1, bold: bool = False) -> None:
        """Write ``text``, wrapped to the paper width at ``scale`` (1 or 2 × width and height)."""
        if scale not in (1, 2):
            raise ValueError("scale must be 1 or 2")
        for piece in wrap(text, self.layout.columns // scale):
            self._emit(piece, align, scale, bold)

    def whole_line(self, text: str, *, align: str = "center", scale: int = 2, bold: bool = True) -> None:
        """``text`` on one line, never broken (a tracking number): at ``scale`` if it fits the paper,
        else at normal size."""
        if scale > 1 and text_width(text) * scale > self.layout.columns:
            scale = 1
        if text_width(text) > self.layout.columns:
            raise ValueError("the text does not fit one line even at normal size")
        self._emit(text, align, scale, bold)

    def field_parts(self, label: str, parts: list[str], *, limit: int = 0, more: str = "") -> None:
        """``label：`` and ``parts`` filled greedily after it, each part kept whole on one line (a date,
        its weekday, 前（含当日）); a part longer than the room is wrapped like any text."""
        head = f"{label}："
        width = self.layout.columns
        indent = text_width(head) if text_width(head) <= width // 3 else 0
        room = width - indent
        lines: list[str] = []
        for part in parts:
            if lines and text_width(lines[-1]) + text_width(part) <= room:
                lines[-1] += part
            elif text_width(part) <= room:
                lines.append(part)
            else:
                lines.extend(wrap(part, room))
        if limit and len(lines) > limit:  # shortened, saying where the whole text is
            lines = [*lines[: limit - 1], *wrap(more, room)]
        if indent == 0:
            self._emit(head)
        for i, piece in enumerate(lines):
            self._emit((head if i == 0 and indent else " " * indent) + piece)

    def field(self, label: str, value: str) -> None:
        """``label：value``, continuation lines indented under the value when the label is short."""
        head = f"{label}："
        indent = text_width(head)
        width = self.layout.columns
        if indent > width // 3:
            self.line(head + value)
            return
        pieces = wrap(value, width - indent)
        self._emit(head + pieces[0])
        for piece in pieces[1:]:
            self._emit(" " * indent + piece)

    def _emit(self, piece: str, align: str = "left", scale: int = 1, bold: bool = False) -> None:
        """One line that already fits: as text if the printer's font has every character, else an image."""
        if align not in _ALIGN:
            raise ValueError(f"unknown alignment {align!r}")
        data = encode_line(piece, self.layout.encoding, self.layout.font_charset)
        if data is None:
            # The image spans the full width and carries its own alignment; send it left-aligned.
            self._set_align("left")
            image = render_line(piece, self.layout.columns, align=align, scale=scale, bold=bold)
            self._out._raw(gs_v_0(image))
            self.raster_lines += 1
            return
        self._set_align(align)
        prefix = (_size(scale) if scale != 1 else b"") + (_BOLD[True] if bold else b"")
        suffix = (_BOLD[False] if bold else b"") + (_size(1) if scale != 1 else b"")
        self._out._raw(prefix + data + LF + suffix)

    def rule(self, char: str = "-") -> None:
        """A full-width rule."""
        self.line(char * (self.layout.columns // text_width(char)))

    def feed(self, lines: int = 1) -> None:
        self._set_align("left")
        self._out._raw(LF * lines)

    def qr(self, payload: str, *, module: int = 6) -> None:
        """A QR code printed by the printer itself (GS ( k, model 2), centred, error correction M (a
        thermal print scuffs), with the 4-module quiet zone ISO/IEC 18004 asks for fed above and below."""
        quiet = bytes([0x1B, ord("J"), 4 * module])  # ESC J n: feed n dots
        self._set_align("center")
        self._out._raw(quiet)
        self._out.qr(payload, ec=QR_EC_M, size=module, native=True)
        self._out._raw(quiet)

    def finish(self) -> bytes:
        """The document's bytes, ending with a feed and (if configured) a cut."""
        self._set_align("left")
        if self.layout.cut:
            self._out.cut()
        else:
            self._out._raw(LF * 4)
        return bytes(self._out.output)
