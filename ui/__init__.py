"""The touch screens: Qt Quick (QML) in ``ui/qml/Kiosk`` and thin Python view-models beside them.

The view-models read the mirror through :mod:`kiosk.catalog` and :mod:`kiosk.search` on one worker
thread (:mod:`ui.worker`) and hand results to QML by signals. :mod:`ui.app` is the composition root.
"""

from ui import pyside_guard

# Before any view-model emits a signal: see ui/pyside_guard.py (PySide6 6.12.0 on Python 3.11).
pyside_guard.apply()
