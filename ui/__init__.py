"""The touch screens: Qt Quick (QML) in ``ui/qml/Kiosk`` and thin Python view-models beside them.

The view-models read the mirror through :mod:`kiosk.catalog` and :mod:`kiosk.search` on one worker
thread (:mod:`ui.worker`) and hand results to QML by signals. :mod:`ui.app` is the composition root.
"""
