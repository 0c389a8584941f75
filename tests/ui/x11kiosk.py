"""The kiosk on a real X display, for tests that tap it from outside (xdotool) and photograph the screen
(``import -window root``): ``python tests/ui/x11kiosk.py CONFIG [--large-text]``.

It builds the real program exactly as ``kiosk run`` does (ui.app.KioskApp, full screen, background
services started) on Qt's xcb platform, and answers questions on stdin/stdout, one JSON object a line,
so the test knows where to put its finger and what the screen says. It never taps, types or changes
anything itself: every input reaches the window as an X event through the window manager.

Questions (``{"op": …}``) and answers:
  rect NAME             where the visible item called NAME is on the screen: {"x", "y", "w", "h"} or null,
                        with "view": the rectangle of the scrolling area it is in, if any
  key TEXT              where the on-screen keyboard's (or the number pad's) key for TEXT is
  candidate WORD        where the Pinyin candidate bar shows WORD
  prop NAME PROP        a property of the item NAME (as text; null if no such item)
  window PROP           a property of the window (homeReady, keyboardUp, padUp, currentPage's objectName …)
  singleton NAME PROP   a property of a Kiosk.Backend singleton (ApplyWizard, StatusLookup, …)
  warnings              the Qt warnings seen so far (ui.qt_messages' ignore list applies)
  quit                  shut down
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _walk(root: Any) -> list[Any]:
    out, stack = [], [root]
    while stack:
        item = stack.pop()
        out.append(item)
        stack.extend(reversed(item.childItems()))
    return out


def _shown(item: Any) -> bool:
    p = item
    while p is not None:
        if not p.isVisible() or p.opacity() <= 0.01:
            return False
        p = p.parentItem()
    return item.width() > 0 and item.height() > 0


class Answers:
    """Answers the test's questions about the running window (Qt objects are read on the GUI thread)."""

    def __init__(self, app: Any, warnings: list[str]) -> None:
        self.app = app
        self.warnings = warnings

    @property
    def window(self) -> Any:
        return self.app.window

    def rect(self, item: Any) -> dict[str, float] | None:
        from PySide6.QtCore import QPointF

        if item is None:
            return None
        p = item.mapToGlobal(QPointF(0, 0))
        out: dict[str, Any] = {"x": p.x(), "y": p.y(), "w": item.width(), "h": item.height()}
        view = item.parentItem()
        while view is not None and view.metaObject().indexOfProperty("flickableDirection") < 0:
            view = view.parentItem()
        if view is not None:  # where the scrolling area around it shows its content
            v = view.mapToGlobal(QPointF(0, 0))
            out["view"] = {"x": v.x(), "y": v.y(), "w": view.width(), "h": view.height()}
        return out

    def named(self, name: str) -> Any:
        found = [i for i in _walk(self.window.contentItem()) if i.objectName() == name and _shown(i)]
        return found[0] if found else None

    def key(self, text: str) -> Any:
        pad_up = bool(self.window.property("padUp"))
        board = self.named("keyPad") if pad_up else self.named("inputPanel")
        for item in _walk(board) if board is not None else []:
            meta = item.metaObject()
            if not _shown(item) or meta.indexOfProperty("key") < 0 or meta.indexOfProperty("text") < 0:
                continue
            if str(item.property("text")).lower() == text.lower() and item.property("enabled"):
                return item
        return None

    def candidate(self, word: str) -> Any:
        panel = self.named("inputPanel")
        for item in _walk(panel) if panel is not None else []:
            meta = item.metaObject()
            if _shown(item) and meta.className().startswith("QQuickText") and item.property("text") == word:
                return item
        return None

    def answer(self, q: dict[str, Any]) -> Any:
        op = q["op"]
        if op == "rect":
            return self.rect(self.named(q["name"]))
        if op == "key":
            return self.rect(self.key(q["text"]))
        if op == "candidate":
            return self.rect(self.candidate(q["word"]))
        if op == "prop":
            item = self.named(q["name"])
            return None if item is None else _plain(item.property(q["prop"]))
        if op == "window":
            if q["prop"] == "currentPage":
                page = self.window.property("currentPage")
                return page.objectName() if page is not None else ""
            return _plain(self.window.property(q["prop"]))
        if op == "singleton":
            obj = self.app.engine.singletonInstance("Kiosk.Backend", q["name"])
            return _plain(obj.property(q["prop"]))
        if op == "warnings":
            return list(self.warnings)
        raise ValueError(f"unknown question {op!r}")


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def main() -> int:
    import os

    from PySide6.QtCore import QSocketNotifier

    from kiosk.config import load as load_config
    from ui.app import KioskApp
    from ui.qt_messages import install_handler

    config = Path(sys.argv[1])
    warnings: list[str] = []
    install_handler(warnings)
    app = KioskApp(load_config(config), initial={"fullscreen": True, "largeText": "--large-text" in sys.argv})
    app.load()
    app.start_background()
    answers = Answers(app, warnings)
    stdin = sys.stdin.fileno()
    os.set_blocking(stdin, False)
    pending = b""

    def readable() -> None:
        nonlocal pending
        try:
            chunk = os.read(stdin, 65536)
        except BlockingIOError:
            return
        if not chunk:
            app.qapp.quit()
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            q = json.loads(line)
            if q["op"] == "quit":
                app.qapp.quit()
                return
            try:
                reply = {"ok": True, "value": answers.answer(q)}
            except Exception as exc:  # a bad question is the test's to report
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            sys.stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
            sys.stdout.flush()

    notifier = QSocketNotifier(stdin, QSocketNotifier.Type.Read)
    notifier.activated.connect(readable)
    print(json.dumps({"ok": True, "value": "started"}), flush=True)
    code = app.qapp.exec()
    app.shutdown()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
