"""The folder printer: one complete file per job."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import PrinterConfig
from kiosk.errors import PrinterError
from printing.backends import FolderPrinter, open_printer


def test_one_file_per_job_with_the_right_suffix(tmp_path: Path) -> None:
    printer = open_printer(PrinterConfig(name="f", kind="file", target=str(tmp_path / "out")))
    assert isinstance(printer, FolderPrinter)
    assert printer.status().ready
    printer.send(b"\x1b@receipt\n", "escpos", "kiosk-receipt-1")
    printer.send(b"%PDF-1.4 ...", "pdf", "kiosk-form-2")
    files = sorted((tmp_path / "out").iterdir())
    assert [f.suffix for f in files] == [".bin", ".pdf"]
    assert files[0].read_bytes() == b"\x1b@receipt\n"
    assert "kiosk-receipt-1" in files[0].name
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    printer = FolderPrinter("f", str(blocker / "sub"))
    assert printer.status().reason == "unreachable"
    with pytest.raises(PrinterError) as err:
        printer.send(b"x")
    assert err.value.reason == "unreachable"
