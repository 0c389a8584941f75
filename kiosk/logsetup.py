"""The terminal's log: rotating JSON-line files in the data folder's ``logs/``, with no personal data.

One line per record::

    {"ts": "2026-11-27T09:00:00.123Z", "level": "INFO", "logger": "kiosk.seed", "msg": "…", "event": "…"}

Fields given through ``extra=`` (``event``, ``check``, ``ms``, ``job``, …) are carried as they are when
they are plain JSON values. Files rotate at :data:`MAX_BYTES` and :data:`BACKUPS` old files are kept, so
the log of a terminal that runs for years stays a few megabytes. A frozen kiosk is started by systemd or
the Windows task scheduler with no console, so this file is where field problems are read.

Personal data must never reach a log: callers log ids, counts and reasons, never names, ID numbers or
phone numbers. As a second line of defence :class:`RedactPersonalData` masks anything in a record that
looks like an 18-digit resident ID number or a mainland mobile number before it is written anywhere.
A log folder that cannot be written never stops the kiosk: the file log is skipped with one warning.
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.handlers
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOG_FILE = "kiosk.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
ID_MASK = "[身份证号已隐去]"
MOBILE_MASK = "[手机号已隐去]"

# LogRecord's own attributes: everything else on a record came through ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    """``text`` with resident ID numbers and mobile numbers masked."""
    return _MOBILE.sub(MOBILE_MASK, _ID_NUMBER.sub(ID_MASK, text))


class RedactPersonalData(logging.Filter):
    """Masks ID and mobile numbers in a record's message, arguments and extra fields (never drops it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:  # formatters reuse the cached text, so masking it masks every output
            record.exc_text = redact(record.exc_text)
        return True


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record, UTF-8, Chinese kept readable (no \\u escapes)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line and isinstance(value, str | int | float | bool | None):
                line[key] = value
        if record.exc_info:
            record.exc_text = record.exc_text or self.formatException(record.exc_info)
        if record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def _our_handler(path: Path) -> logging.Handler | None:
    for h in logging.getLogger().handlers:
        if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path:
            return h
    return None


def file_logger(name: str, log_dir: Path) -> logging.Logger:
    """A logger whose records go to the JSON log file only, not to the console (e.g. per-check results
    that a command already prints as a table). Falls back to the ordinary logger if there is no file."""
    path = setup_logging(log_dir, console=False)
    logger = logging.getLogger(name)
    handler = _our_handler(path) if path else None
    if handler is not None:
        logger.propagate = False
        if handler not in logger.handlers:
            logger.addHandler(handler)
    return logger


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Log files readable by the service user only (0600), the first one and every one after a rollover."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def setup_logging(log_dir: Path, *, level: int = logging.INFO, console: bool = True) -> Path | None:
    """Send the root logger's records to ``log_dir/kiosk.log`` as JSON lines (idempotent).

    With ``console`` a plain stderr handler is added when the root logger has none yet. Returns the log
    file, or None when the folder cannot be written (the kiosk then runs with console logging only).
    """
    root = logging.getLogger()
    root.setLevel(min(root.level or level, level) if root.handlers else level)
    if console and not root.handlers:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        stream.addFilter(RedactPersonalData())
        root.addHandler(stream)
    path = (Path(log_dir) / LOG_FILE).resolve()
    if _our_handler(path) is not None:
        return path
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as exc:
        logging.getLogger(__name__).warning("file logging disabled: cannot write %s (%s)", path, exc.strerror)
        return None
    handler.setFormatter(JsonLineFormatter())
    handler.addFilter(RedactPersonalData())
    handler.setLevel(level)
    root.addHandler(handler)
    return path
