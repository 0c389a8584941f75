"""The application status lookup's view-model (申请进度查询): tracking number + phone → what is known.

Two sources, asked off the UI thread (the terminal's record on the DB worker, then the server on the
task pool):
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
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QEnum, QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlSingleton

from kiosk.localtime import deadline_text_iso
from ui.ports import LocalStatus, LookupResult, StatusPort
from ui.services import Services, of_engine

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1


def ask_server(port: StatusPort, local: LocalStatus | None, tracking_no: str, phone: str) -> LookupResult:
    """Ask the server, given what the terminal knows; never raises for an offline server (Qt-free).

    ``tracking_no`` is taken as typed: each reading of it (``tracking_candidates``: hyphens, case,
    O/0 and I/1 forgiven) is asked in turn until the district knows one; the reading this terminal
    holds a record of goes first.
    """
    from kiosk.applications.tracking import tracking_candidates
    from kiosk.errors import NetworkError, SyncError

    unchecked = None if local is not None and not local.phone_checked else local
    if not port.server_configured:
        return LookupResult("not_configured", local=unchecked)
    readings = tracking_candidates(tracking_no) or [tracking_no]
    if local is not None and local.tracking_no in readings:
        readings = [local.tracking_no] + [r for r in readings if r != local.tracking_no]
    answer = None
    for reading in readings:
        try:
            answer = port.server_status(reading, phone)
        except NetworkError:
            return LookupResult("offline", local=unchecked)
        except SyncError as exc:
            log.warning("status lookup failed: %s", type(exc).__name__)
            return LookupResult("error", local=unchecked)
        if answer is not None:
            break
    if answer is None:
        return LookupResult("not_found", local=unchecked)
    deadline = str(answer.get("deadline") or "")
    if deadline and answer.get("deadline_provisional"):
        deadline += "（暂定）"
    return LookupResult(
        "answered",
        server_status=str(answer.get("status_label") or answer.get("status") or ""),
        server_received=str(answer.get("received_at") or "")[:10],
        server_deadline=deadline,
        server_details=_details(answer),
        server_next_step=str(answer.get("next_step") or ""),
        local=local,
    )


def _details(answer: dict[str, Any]) -> str:
    """The server's other key dates, its reply type and a provisional deadline's note, one per line."""
    lines = []
    dates = answer.get("dates")
    for d in dates if isinstance(dates, list) else []:
        if isinstance(d, dict) and d.get("label") not in (None, "受理日期"):
            lines.append(f"{d.get('label')}：{d.get('date')}")
    if answer.get("reply_label"):
        lines.append(f"答复结果：{answer['reply_label']}")
    if answer.get("deadline_provisional") and answer.get("deadline_note"):
        lines.append(str(answer["deadline_note"]))
    return "\n".join(lines)


@QmlElement
@QmlSingleton
class StatusLookup(QObject):
    """QML: set ``trackingNumber`` and ``phone``, call ``query()``, show ``state`` and the lines."""

    @QEnum
    class State(IntEnum):
        """``state``: nothing asked yet, asking, an answer to show, or the input refused (``inputError``)."""

        Idle = 0
        Asking = 1
        Done = 2
        Invalid = 3

    @QEnum
    class Server(IntEnum):
        """``serverState``: what the district said (``LookupResult.server_state``)."""

        NotAsked = 0
        Answered = 1
        Offline = 2
        NotFound = 3
        NotConfigured = 4
        Error = 5

    @QEnum
    class Local(IntEnum):
        """``localState``: not submitted here, not yet sent to the district, or delivered to it."""

        Unknown = 0
        Waiting = 1
        Delivered = 2

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._svc = services
        self._tracking = ""
        self._phone = ""
        self._state = StatusLookup.State.Idle
        self._result: LookupResult | None = None
        self._input_error = ""
        self._generation = 0
        services.register_wipe(self, "status-lookup", self.reset)

    @staticmethod
    def create(engine: object) -> StatusLookup:
        return StatusLookup(of_engine(engine))

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
            self._forget_answer()

    @Property(str, notify=inputChanged)
    def phone(self) -> str:
        return self._phone

    @phone.setter  # type: ignore[no-redef]
    def phone(self, value: str) -> None:
        value = value.strip()
        if value != self._phone:
            self._phone = value
            self.inputChanged.emit()
            self._forget_answer()

    def _forget_answer(self) -> None:
        """An edited number or phone: the answer shown was for the old one, so it goes (and a lookup
        still under way for the old one is ignored when it comes back)."""
        if self._state != StatusLookup.State.Idle:
            self._generation += 1
            self._result = None
            self._input_error = ""
            self._set_state(StatusLookup.State.Idle)

    stateChanged = Signal()

    @Property(int, notify=stateChanged)
    def state(self) -> int:
        return self._state

    @Property(str, notify=stateChanged)
    def inputError(self) -> str:
        return self._input_error

    @Property(int, notify=stateChanged)
    def serverState(self) -> int:
        if not self._result:
            return StatusLookup.Server.NotAsked
        return _SERVER_STATES.get(self._result.server_state, StatusLookup.Server.Error)

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
    def serverDeadlineText(self) -> str:
        """``serverDeadline`` as every screen and paper says a deadline (星期, 前（含当日）)."""
        return deadline_text_iso(self._result.server_deadline) if self._result else ""

    @Property(str, notify=stateChanged)
    def serverDetails(self) -> str:
        return self._result.server_details if self._result else ""

    @Property(str, notify=stateChanged)
    def serverNextStep(self) -> str:
        return self._result.server_next_step if self._result else ""

    @Property(int, notify=stateChanged)
    def localState(self) -> int:
        if not self._result or self._result.local is None:
            return StatusLookup.Local.Unknown
        return StatusLookup.Local.Delivered if self._result.local.delivered else StatusLookup.Local.Waiting

    @Property(str, notify=stateChanged)
    def localSubmittedAt(self) -> str:
        return self._result.local.submitted_at if self._result and self._result.local else ""

    @Property(str, notify=stateChanged)
    def localDeadline(self) -> str:
        return self._result.local.deadline if self._result and self._result.local else ""

    @Property(str, notify=stateChanged)
    def localDeadlineText(self) -> str:
        return deadline_text_iso(self._result.local.deadline) if self._result and self._result.local else ""

    @Slot()
    def query(self) -> None:
        """Check the input, then ask the terminal (DB worker) and the server (task pool)."""
        if self._state == StatusLookup.State.Asking:
            return
        if len(self._tracking) < 6 or len(self._phone) < 7:
            self._input_error = "请输入回执上的受理编号" if len(self._tracking) < 6 else "请输入申请时填写的联系电话"
            self._set_state(StatusLookup.State.Invalid)
            return
        port = self._svc.status
        tracking, phone, generation = self._tracking, self._phone, self._generation
        self._input_error = ""
        self._set_state(StatusLookup.State.Asking)

        def local_known(local: LocalStatus | None) -> None:
            if generation != self._generation:
                return
            self._svc.pool.run(
                lambda: ask_server(port, local, tracking, phone),
                lambda result: self._done(generation, result),
                lambda exc: self._failed(generation, type(exc).__name__),
            )

        def job(session: Session) -> LocalStatus | None:
            return port.local_status(session, tracking, phone)

        self._svc.worker.submit("status.local", job, local_known, lambda name: self._failed(generation, name))

    def _done(self, generation: int, result: LookupResult) -> None:
        if generation == self._generation:
            self._result = result
            self._set_state(StatusLookup.State.Done)

    def _failed(self, generation: int, what: str) -> None:
        log.warning("status lookup failed: %s", what)
        if generation == self._generation:
            self._result = LookupResult("error")
            self._set_state(StatusLookup.State.Done)

    def _set_state(self, state: StatusLookup.State) -> None:
        self._state = state
        self.stateChanged.emit()

    @Slot()
    def reset(self) -> None:
        """Forget the numbers typed and the answer shown (idle timeout, leaving the screen)."""
        self._generation += 1
        self._tracking = self._phone = self._input_error = ""
        self._result = None
        self.inputChanged.emit()
        self._set_state(StatusLookup.State.Idle)


# LookupResult.server_state (Qt-free, ui/ports.py) as QML sees it
_SERVER_STATES = {
    "answered": StatusLookup.Server.Answered,
    "offline": StatusLookup.Server.Offline,
    "not_found": StatusLookup.Server.NotFound,
    "not_configured": StatusLookup.Server.NotConfigured,
    "error": StatusLookup.Server.Error,
}
