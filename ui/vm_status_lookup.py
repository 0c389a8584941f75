"""The application status lookup's view-model (申请进度查询): tracking number + phone → what is known.

Two sources, both asked on a worker thread:
- the district server, through the sync client (``sync.client.lookup_application``), when it can be
  reached; when it cannot (``kiosk.errors.NetworkError``), the screen says so plainly;
- the terminal itself: whether the application was submitted here, and whether it has been delivered
  to the district (its outbox entry acknowledged) or is still waiting to be sent.

The phone number must match the one on the application before anything is shown — checked here while
the terminal still holds the application, by the district once it has been delivered (and its personal
data dropped here); nothing personal is shown either way (dates, state, the deadline).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlSingleton

from ui.vm_background import register_wipe, run_in_background

log = logging.getLogger(__name__)

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1


@dataclass(frozen=True)
class LocalStatus:
    """What this terminal knows about an application it took."""

    submitted_at: str  # "2026-11-27 10:30"
    deadline: str  # ISO date
    delivered: bool  # the district server acknowledged it
    # False once the personal data left the terminal (delivered): the phone can no longer be checked
    # here, so these facts are shown only when the district's answer confirmed the phone.
    phone_checked: bool = True


@dataclass(frozen=True)
class LookupResult:
    """The outcome of one lookup: the server's answer (or why there is none) and the local facts."""

    server_state: str  # answered | offline | not_found | not_configured | error
    server_status: str = ""  # the district's status label, in Chinese (已受理、办理中、已答复、已办结)
    server_received: str = ""  # ISO date the district received it
    server_deadline: str = ""  # ISO date of the reply deadline the district holds
    local: LocalStatus | None = None


class StatusPort(Protocol):
    """What the lookup needs from the core and the sync client (both blocking; worker thread)."""

    def local_status(self, tracking_no: str, phone: str) -> LocalStatus | None: ...

    def server_status(self, tracking_no: str, phone: str) -> dict[str, Any] | None:
        """The server's answer, None when it does not know the number; raises NetworkError offline."""
        ...

    @property
    def server_configured(self) -> bool: ...


_port: StatusPort | None = None


def install(port: StatusPort) -> None:
    """Hand the lookup the core it reads (called by the composition root and by tests)."""
    global _port  # noqa: PLW0603 - one composition root sets it once
    _port = port


def lookup(port: StatusPort, tracking_no: str, phone: str) -> LookupResult:
    """Ask the terminal and then the server; never raises for an offline server (Qt-free)."""
    from kiosk.errors import NetworkError, SyncError

    local = port.local_status(tracking_no, phone)
    unchecked = None if local is not None and not local.phone_checked else local
    if not port.server_configured:
        return LookupResult("not_configured", local=unchecked)
    try:
        answer = port.server_status(tracking_no, phone)
    except NetworkError:
        return LookupResult("offline", local=unchecked)
    except SyncError as exc:
        log.warning("status lookup failed: %s", type(exc).__name__)
        return LookupResult("error", local=unchecked)
    if answer is None:
        return LookupResult("not_found", local=unchecked)
    return LookupResult(
        "answered",
        server_status=str(answer.get("status_label") or answer.get("status") or ""),
        server_received=str(answer.get("received_at") or "")[:10],
        server_deadline=str(answer.get("deadline") or ""),
        local=local,
    )


@QmlElement
@QmlSingleton
class StatusLookup(QObject):
    """QML: set ``trackingNumber`` and ``phone``, call ``query()``, show ``state`` and the lines."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tracking = ""
        self._phone = ""
        self._state = "idle"  # idle | asking | done | invalid
        self._result: LookupResult | None = None
        self._input_error = ""
        self._generation = 0
        register_wipe(self, "status-lookup", self.reset)

    inputChanged = Signal()

    @Property(str, notify=inputChanged)
    def trackingNumber(self) -> str:
        return self._tracking

    @trackingNumber.setter  # type: ignore[no-redef]
    def trackingNumber(self, value: str) -> None:
        value = value.strip().upper()
        if value != self._tracking:
            self._tracking = value
            self.inputChanged.emit()

    @Property(str, notify=inputChanged)
    def phone(self) -> str:
        return self._phone

    @phone.setter  # type: ignore[no-redef]
    def phone(self, value: str) -> None:
        value = value.strip()
        if value != self._phone:
            self._phone = value
            self.inputChanged.emit()

    stateChanged = Signal()

    @Property(str, notify=stateChanged)
    def state(self) -> str:
        return self._state

    @Property(str, notify=stateChanged)
    def inputError(self) -> str:
        return self._input_error

    @Property(str, notify=stateChanged)
    def serverState(self) -> str:
        return self._result.server_state if self._result else ""

    @Property(str, notify=stateChanged)
    def serverStatus(self) -> str:
        return self._result.server_status if self._result else ""

    @Property(str, notify=stateChanged)
    def serverReceived(self) -> str:
        return self._result.server_received if self._result else ""

    @Property(str, notify=stateChanged)
    def serverDeadline(self) -> str:
        return self._result.server_deadline if self._result else ""

    @Property(str, notify=stateChanged)
    def localState(self) -> str:
        """unknown (not submitted here) | waiting (not yet sent to the district) | delivered"""
        if not self._result or self._result.local is None:
            return "unknown"
        return "delivered" if self._result.local.delivered else "waiting"

    @Property(str, notify=stateChanged)
    def localSubmittedAt(self) -> str:
        return self._result.local.submitted_at if self._result and self._result.local else ""

    @Property(str, notify=stateChanged)
    def localDeadline(self) -> str:
        return self._result.local.deadline if self._result and self._result.local else ""

    @Slot()
    def query(self) -> None:
        """Check the input, then ask the terminal and the server on a worker thread."""
        if self._state == "asking":
            return
        if len(self._tracking) < 6 or len(self._phone) < 7:
            self._input_error = "请输入回执上的受理编号" if len(self._tracking) < 6 else "请输入申请时填写的联系电话"
            self._set_state("invalid")
            return
        port = _require_port()
        tracking, phone, generation = self._tracking, self._phone, self._generation
        self._input_error = ""
        self._set_state("asking")
        run_in_background(
            lambda: lookup(port, tracking, phone),
            lambda result: self._done(generation, result),
            lambda exc: self._failed(generation, exc),
        )

    def _done(self, generation: int, result: LookupResult) -> None:
        if generation == self._generation:
            self._result = result
            self._set_state("done")

    def _failed(self, generation: int, exc: BaseException) -> None:
        log.warning("status lookup failed: %s", type(exc).__name__)
        if generation == self._generation:
            self._result = LookupResult("error")
            self._set_state("done")

    def _set_state(self, state: str) -> None:
        self._state = state
        self.stateChanged.emit()

    @Slot()
    def reset(self) -> None:
        """Forget the numbers typed and the answer shown (idle timeout, leaving the screen)."""
        self._generation += 1
        self._tracking = self._phone = self._input_error = ""
        self._result = None
        self.inputChanged.emit()
        self._set_state("idle")


def _require_port() -> StatusPort:
    """The installed port, or the real one built from the installed services (ui.services)."""
    global _port  # noqa: PLW0603 - built once, on first use
    if _port is None:
        from ui import services
        from ui.vm_ports import CoreStatusPort

        _port = CoreStatusPort(services.current().config)
    return _port
