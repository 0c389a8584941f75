"""One small printer interface and its backends.

    Printer (protocol)     send(data, content_type, title) and status()
    ├── SystemPrinter      the operating system's print queue: CUPS ``lp``/``lpstat`` (one-way)
    ├── TcpPrinter         ESC/POS over TCP port 9100 (two-way: DLE EOT status)
    ├── UsbPrinter         ESC/POS over USB bulk endpoints via pyusb (two-way)
    ├── SerialPrinter      ESC/POS over a serial port via pyserial (two-way)
    └── FolderPrinter      one file per job in a folder (demo terminals, tests, archiving)

``content_type`` is ``"escpos"`` (raw bytes for a receipt printer) or ``"pdf"`` (an A4 document for
the system queue). A failure raises :class:`kiosk.errors.PrinterError` whose ``reason`` is one of
:data:`printing.status.REASONS`; details never carry personal data.

:func:`open_printer` makes the backend a :class:`kiosk.config.PrinterConfig` describes.
"""

from __future__ import annotations

from kiosk.config import Config, PrinterConfig
from kiosk.errors import ConfigError
from printing.backends.base import CONTENT_TYPES, Printer
from printing.backends.folder import FolderPrinter
from printing.backends.serial_port import SerialPrinter
from printing.backends.system import SystemPrinter
from printing.backends.tcp import TcpPrinter
from printing.backends.usb import UsbPrinter

__all__ = [
    "CONTENT_TYPES",
    "FolderPrinter",
    "Printer",
    "SerialPrinter",
    "SystemPrinter",
    "TcpPrinter",
    "UsbPrinter",
    "find_printer",
    "open_printer",
]


def open_printer(cfg: PrinterConfig) -> Printer:
    """The backend for one configured printer (nothing is opened until a job or status query)."""
    match cfg.kind:
        case "system":
            return SystemPrinter(cfg.name, cfg.target)
        case "tcp":
            return TcpPrinter(cfg.name, cfg.target)
        case "usb":
            return UsbPrinter(cfg.name, cfg.target)
        case "serial":
            return SerialPrinter(cfg.name, cfg.target)
        case "file":
            return FolderPrinter(cfg.name, cfg.target)
    raise ConfigError(f"打印机 '{cfg.name}'：未知的打印机类型 '{cfg.kind}'")


def find_printer(config: Config, name: str) -> PrinterConfig:
    """The configured printer called ``name``; a ConfigError listing the known names otherwise."""
    for p in config.printers:
        if p.name == name:
            return p
    known = "、".join(p.name for p in config.printers) or "（无）"
    where = config.path or "配置"
    raise ConfigError(f"{where}: 没有名为 '{name}' 的打印机（已配置：{known}）")
