"""Receipts and queue tickets as ESC/POS bytes (python-escpos 3.1 underneath).

:mod:`.cjk` decides how each character is sent (text in the printer's Chinese mode, or a raster image
when the printer's own font lacks it), :mod:`.raster` draws such lines with the bundled font,
:mod:`.document` lays lines out for the paper width, and :mod:`.receipt` builds the application
receipt (受理回执) and the consultation-desk queue ticket (排队号) from small dataclasses.
"""

from printing.escpos.document import EscPosDocument
from printing.escpos.receipt import (
    ReceiptData,
    TicketData,
    ZoneInfo,
    build_receipt,
    build_test_page,
    build_ticket,
    receipt_from_application,
)

__all__ = [
    "EscPosDocument",
    "ReceiptData",
    "TicketData",
    "ZoneInfo",
    "build_receipt",
    "build_test_page",
    "build_ticket",
    "receipt_from_application",
]
