"""Finds text a resident cannot read whole: every visible Text item of the window is checked for

- elision (``truncated``: the item cut its own text with …),
- overflow of its own box (wrapped text taller than the height it was given),
- clipping by an ancestor that clips (``clip: true``) and does not scroll: the painted text must lie
  inside it. Text inside a Flickable/ListView is checked against the Flickable's content, not its
  viewport (what is scrolled away is not cut: a swipe brings it).

A Text item that is meant to be cut (a title in a list of many, a search snippet, the scrolling
announcements line) declares ``property bool mayElide: true``. Its own module so tests import it by a
name no other folder's conftest shadows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF


@dataclass(frozen=True)
class Clipped:
    name: str
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.why}: {self.name} {self.text[:40]!r}"


def _is_text(item: Any) -> bool:
    meta = item.metaObject()
    while meta is not None:
        if meta.className() == "QQuickText":
            return True
        meta = meta.superClass()
    return False


def _is_flickable(item: Any) -> bool:
    return item.metaObject().indexOfProperty("flickableDirection") >= 0


def _effectively_visible(item: Any) -> bool:
    p = item
    while p is not None:
        if not p.isVisible() or p.opacity() <= 0.01:
            return False
        p = p.parentItem()
    return True


def _walk(root: Any) -> Iterator[Any]:
    stack = [root]
    while stack:
        item = stack.pop()
        if not item.isVisible() or item.objectName() == "inputPanel":
            continue
        yield item
        stack.extend(item.childItems())


def _label(item: Any) -> str:
    p, path = item, []
    while p is not None and len(path) < 4:
        if p.objectName():
            path.append(p.objectName())
        p = p.parentItem()
    return "/".join(reversed(path)) or item.metaObject().className()


def _alignment(item: Any) -> tuple[int, int]:
    """The item's effective alignment flags (read through QML: PySide6 has no converter for the enums)."""
    from PySide6.QtQml import QQmlEngine, QQmlExpression

    context = QQmlEngine.contextForObject(item)
    if context is None:
        return 0x1, 0x20
    expression = QQmlExpression(context, item, "effectiveHorizontalAlignment * 1000 + verticalAlignment")
    value, _undefined = expression.evaluate()
    return int(value) // 1000, int(value) % 1000


def _painted_rect(item: Any) -> QRectF:
    """Where the text's glyphs are, in the item's coordinates (alignment taken into account)."""
    w, h = float(item.property("contentWidth")), float(item.property("contentHeight"))
    halign, valign = _alignment(item)
    pad_l = float(item.property("leftPadding") or 0)
    pad_t = float(item.property("topPadding") or 0)
    inner_w = item.width() - pad_l - float(item.property("rightPadding") or 0)
    inner_h = item.height() - pad_t - float(item.property("bottomPadding") or 0)
    x = pad_l + (inner_w - w if halign & 0x2 else (inner_w - w) / 2 if halign & 0x4 else 0)
    y = pad_t + (inner_h - h if valign & 0x40 else (inner_h - h) / 2 if valign & 0x80 else 0)
    return QRectF(x, y, w, h)


def clipped_texts(window: Any, root: Any = None) -> list[Clipped]:
    """Every visible Text under ``root`` (default: the window) that is not shown whole (the on-screen
    keyboard's own keys are Qt's and left out)."""
    found: list[Clipped] = []
    for item in _walk(root or window.contentItem()):
        if not _is_text(item) or not str(item.property("text") or "").strip():
            continue
        if item.property("mayElide") is True or not _effectively_visible(item):
            continue
        name, text = _label(item), str(item.property("text"))
        if item.property("truncated"):
            found.append(Clipped(name, text, "elided"))
            continue
        painted = _painted_rect(item)
        # a line's own leading (lineHeight > 1) may hang below the box: tolerate up to one line
        slack = max(4.0, float(item.property("font").pixelSize()))
        if painted.height() > item.height() + slack and item.property("maximumLineCount") > 1000:
            found.append(Clipped(name, text, f"taller than its box ({painted.height():.0f} > {item.height():.0f})"))
            continue
        scene = item.mapRectToScene(painted)
        parent = item.parentItem()
        while parent is not None:
            if _is_flickable(parent):
                # scrolled content: a swipe brings it into view, if it lies within what can be scrolled to
                content = parent.property("contentItem")
                inner = content.mapRectFromScene(scene)
                extent = QRectF(0, 0, float(parent.property("contentWidth")), float(parent.property("contentHeight")))
                if extent.width() > 0 and not extent.adjusted(-2, -2, 2, 2).contains(inner):
                    found.append(Clipped(name, text, f"beyond the scrollable area of {_label(parent)}"))
                break
            if parent.clip():
                box = parent.mapRectToScene(QRectF(0, 0, parent.width(), parent.height()))
                if not box.adjusted(-1, -1, 1, 1).contains(scene):
                    found.append(Clipped(name, text, f"cut by {_label(parent)}"))
                    break
            parent = parent.parentItem()
        else:
            win = QRectF(0, 0, window.width(), window.height())
            if not win.adjusted(-1, -1, 1, 1).contains(scene):
                found.append(Clipped(name, text, "off the window"))
    return found
