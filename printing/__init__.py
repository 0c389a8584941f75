"""Printing for the kiosk: A4 forms (reportlab), receipts and queue tickets (ESC/POS), printers.

    printing.forms        A4 application forms as PDF (blank, sample, filled)
    printing.pdf          A4 PDF helpers: bundled-font registration, CJK wrapping, the A4 receipt and
                          document printouts (build_receipt_pdf, build_document_pdf)
    printing.escpos       receipt and queue-ticket bytes: Chinese mode, per-printer encoding, raster
                          fallback for characters the printer's font lacks, QR code, cut
    printing.backends     one small printer interface and its backends: system queue (CUPS ``lp``),
                          TCP 9100, USB, serial, file
    printing.status       printer status and failure reasons, with what residents and staff are shown
    printing.queue        the persisted print queue and the worker-side PrintService
    python -m printing    the command line for IT and tests

Nothing here imports Qt; the UI hands jobs to :class:`printing.queue.PrintService` and listens for
its callbacks.
"""
