"""A resident's visit at the terminal, and what must be forgotten when it ends (privacy).

Screens and view-models that hold anything a resident entered (a half-typed search, an application
being filled in, recent searches) register a wipe callback here. When the visit ends — the idle timeout
fired, or staff ended it — :meth:`VisitSession.end` calls every callback, so nothing half-entered is
left on the glass for the next person. Qt-free: the UI calls it, tests call it directly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

WipeCallback = Callable[[], None]


class VisitSession:
    """The current visit: when it began, and the wipe callbacks to run when it ends."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._callbacks: dict[str, WipeCallback] = {}
        self.started_at = clock()
        self.visits_ended = 0
        self.last_touch: float | None = None  # the last touch of this visit (None: nobody since it began)

    def touch(self) -> None:
        """Someone touched the screen (the idle clock's activity)."""
        self.last_touch = self._clock()

    def in_use(self, within_s: float) -> bool:
        """Whether someone touched the screen in the last ``within_s`` seconds of this visit."""
        return self.last_touch is not None and self._clock() - self.last_touch < within_s

    def register(self, name: str, callback: WipeCallback) -> None:
        """Run ``callback`` when the visit ends; registering a name again replaces the old callback."""
        self._callbacks[name] = callback

    def unregister(self, name: str) -> None:
        self._callbacks.pop(name, None)

    @property
    def registered(self) -> tuple[str, ...]:
        return tuple(self._callbacks)

    def end(self, reason: str = "idle") -> int:
        """End the visit: run every wipe callback (one failing does not stop the others).

        Returns how many callbacks ran successfully. A new visit starts at once.
        """
        ok = 0
        for name, callback in list(self._callbacks.items()):
            try:
                callback()
                ok += 1
            except Exception:  # a broken screen must not keep personal data on the glass of the others
                log.exception("wipe callback %s failed", name)
        self.visits_ended += 1
        log.info("visit ended (%s): %d wipe callback(s) ran", reason, ok)
        self.started_at = self._clock()
        self.last_touch = None
        return ok

    def seconds(self) -> float:
        """How long the current visit has lasted."""
        return self._clock() - self.started_at
