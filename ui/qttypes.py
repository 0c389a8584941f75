"""Qt's names for the container types QML sees, typed for mypy.

PySide6's stubs type ``Property``'s first argument as a Python type; Qt also takes a metatype's name,
which is how a property says it is a ``QVariantList`` (a JavaScript array), a ``QVariantMap`` (an
object) or a ``QStringList``. These constants carry those names typed as ``Any``, so a declaration reads
``@Property(QVariantList, notify=…)`` and mypy checks everything else about it.
"""

from __future__ import annotations

from typing import Any

QVariantList: Any = "QVariantList"
QVariantMap: Any = "QVariantMap"
QStringList: Any = "QStringList"
