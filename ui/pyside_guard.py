"""Work around a reference-count bug of PySide6 6.12.0 on Python 3.11 (applied by ``ui/__init__.py``).

On Python 3.11 every ``Signal.emit()`` made from Python drops one reference to ``True`` and every static
void call such as ``QCoreApplication.processEvents()`` one to ``None``. ``True`` starts with a few
hundred references, so the kiosk aborted with "bool_dealloc: deallocating True or False" after a few
hundred view-model signals — minutes of use. Python 3.12 made these objects immortal, which hides the
bug there; PySide6 6.11.3 does not have it (checked), but its cross-thread delivery differs in ways our
worker relies on, so we stay on 6.12.0 and make ``None``/``True``/``False`` immortal in effect by adding
2**40 references to each. Reproduce: ``for _ in range(1000): obj.someSignal.emit("x")``.
``tests/ui/test_pyside_guard.py`` fails if the guard is lost. Drop this module when PySide6 is fixed.
"""

from __future__ import annotations

import ctypes
import sys


def apply() -> bool:
    """Make None/True/False effectively immortal on Python < 3.12; idempotent; True when applied now."""
    if sys.version_info >= (3, 12) or getattr(sys, "_kiosk_pyside_guard", False):
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40  # ob_refcnt is PyObject's first field
    sys._kiosk_pyside_guard = True  # type: ignore[attr-defined]
    return True
