"""Staff mode's view-model (工作人员模式): the PIN gate and the staff screen's state and actions.

The PIN is checked by :class:`kiosk.staff.StaffGate` against the configuration's ``[staff] pin_hash``
on a worker thread (scrypt is deliberately slow). Wrong PINs count towards a lockout; the failure count
and the lockout's end (wall-clock seconds) are kept in the terminal's key-value table, so restarting the
program does not lift a lockout.

Once unlocked, staff can print blank forms and fill-in samples, start a staff-assisted application
(the wizard in proxy mode), reprint a receipt from the recent applications, see the print queue with
each job's state and reason and reprint failed jobs, see each printer's state and print a test page,
see the outbox count and sync state and sync now, and leave kiosk mode. Everything that touches the
disk, a printer or the network runs on a worker thread through :class:`StaffPort`.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, fields
from typing import Any, Protocol

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtQml import QmlElement, QmlSingleton

from ui.vm_background import run_in_background

log = logging.getLogger(__name__)

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1

KV_FAILURES = "staff.failures"
KV_LOCKED_UNTIL = "staff.locked_until"  # wall-clock seconds since the epoch


# ------------------------------------------------------------------------------- lockout persistence
def load_lockout(session_factory: Callable[[], Any]) -> tuple[int, float]:
    """(failures so far, locked until) as persisted in the kv table; (0, 0.0) when nothing is."""
    from kiosk.mirror.models import KeyValue

    with session_factory() as s:
        failures = s.get(KeyValue, KV_FAILURES)
        until = s.get(KeyValue, KV_LOCKED_UNTIL)
        try:
            return (int(failures.value) if failures else 0, float(until.value) if until else 0.0)
        except ValueError:
            return (0, 0.0)


def save_lockout(session_factory: Callable[[], Any], failures: int, locked_until: float) -> None:
    """Persist the gate's failure count and lockout end in one transaction."""
    from kiosk.mirror.models import KeyValue

    with session_factory() as s, s.begin():
        s.merge(KeyValue(key=KV_FAILURES, value=str(failures)))
        s.merge(KeyValue(key=KV_LOCKED_UNTIL, value=f"{locked_until:.3f}"))


def check_pin_persisted(session_factory: Callable[[], Any], gate: Any, pin: str) -> bool:
    """Load the persisted lockout into ``gate``, try ``pin``, persist the outcome (worker thread)."""
    gate.failures, gate.locked_until = load_lockout(session_factory)
    ok = bool(gate.try_pin(pin))
    save_lockout(session_factory, gate.failures, gate.locked_until)
    return ok


# ----------------------------------------------------------------------------------------- rows
@dataclass(frozen=True)
class RecentApplication:
    """One application taken at this terminal, as the staff list shows it (masked)."""

    tracking_no: str
    applicant: str  # masked name, e.g. 张**
    submitted_at: str  # "11-27 10:30"
    delivered: bool


@dataclass(frozen=True)
class PrintJobRow:
    """One job of the persisted print queue."""

    job_id: str
    title: str  # what it is, in Chinese (回执 2026…, 空白申请表, 测试页)
    printer: str
    job_state: str  # queued | printing | done | failed ("state" would shadow QML's Item.state)
    reason: str  # why it failed, in Chinese for staff ("" otherwise)
    created_at: str
    reprintable: bool  # failed with its bytes kept


@dataclass(frozen=True)
class PrinterRow:
    name: str
    role: str  # a4 | receipt
    kind: str
    printer_state: str  # ok | paper_out | offline | cover_open | unreachable | error | unknown
    detail: str


@dataclass(frozen=True)
class SyncRow:
    outbox_pending: int
    last_sync: str  # "" = never
    state: str  # idle | syncing | offline | error | not_configured
    detail: str = ""


@dataclass(frozen=True)
class StaffSnapshot:
    recent: list[RecentApplication]
    jobs: list[PrintJobRow]
    printers: list[PrinterRow]
    sync: SyncRow


class StaffPort(Protocol):
    """What staff mode needs from the core, printing and sync (all blocking; worker thread)."""

    def check_pin(self, pin: str) -> bool:
        """Try the PIN against the gate with its persisted lockout; persist the outcome."""
        ...

    def seconds_locked(self) -> int: ...

    def snapshot(self) -> StaffSnapshot: ...

    def print_form(self, kind: str) -> str:
        """Queue and print a blank form or a sample (kind: blank | sample); returns the job id."""
        ...

    def reprint_receipt(self, tracking_no: str) -> str: ...

    def reprint_job(self, job_id: str) -> str: ...

    def print_test_page(self, printer: str) -> str: ...

    def sync_now(self) -> None: ...


_port: StaffPort | None = None


def install(port: StaffPort) -> None:
    """Hand staff mode its core (called by the composition root and by tests)."""
    global _port  # noqa: PLW0603 - one composition root sets it once
    _port = port


def _require_port() -> StaffPort:
    """The installed port, or the real one built from the installed services (ui.services)."""
    global _port  # noqa: PLW0603 - built once, on first use
    if _port is None:
        from ui import services
        from ui.vm_ports import CoreStaffPort

        _port = CoreStaffPort(services.current().config)
    return _port


# ----------------------------------------------------------------------------------- list models
class RowListModel(QAbstractListModel):
    """A list model over frozen dataclass rows; each field is a role named after it (camelCase)."""

    row_type: type

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        names = [f.name for f in fields(self.row_type)]
        self.Role = enum.IntEnum("Role", {n.upper(): Qt.ItemDataRole.UserRole + 1 + i for i, n in enumerate(names)})
        self._names = {int(r): _camel(n) for r, n in zip(self.Role, names, strict=True)}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or index.parent().isValid():
            return None
        row = astuple(self._rows[index.row()])
        if role == Qt.ItemDataRole.DisplayRole:
            return str(row[0])
        offset = role - (Qt.ItemDataRole.UserRole + 1)
        return row[offset] if 0 <= offset < len(row) else None

    def roleNames(self) -> dict[int, QByteArray]:
        return {r: QByteArray(n.encode()) for r, n in self._names.items()}

    countChanged = Signal()

    @Property(int, notify=countChanged)
    def count(self) -> int:
        return len(self._rows)

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Replace the rows (a reset: lists here are short); unchanged rows leave the view alone."""
        if list(rows) == self._rows:
            return
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()
        self.countChanged.emit()

    def rows(self) -> list[Any]:
        return list(self._rows)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


@QmlElement
class RecentApplicationsModel(RowListModel):
    row_type = RecentApplication


@QmlElement
class PrintJobsModel(RowListModel):
    row_type = PrintJobRow


@QmlElement
class PrintersModel(RowListModel):
    row_type = PrinterRow


# ----------------------------------------------------------------------------------- staff mode
@QmlElement
@QmlSingleton
class StaffMode(QObject):
    """The PIN gate and the staff screen. QML: ``pressDigit``/``submitPin``, then the actions."""

    MAX_PIN = 12

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pin = ""
        self._unlocked = False
        self._checking = False
        self._pin_error = ""
        self._locked_s = 0
        self._message = ""
        self._message_ok = True
        self._busy = 0
        self._sync = SyncRow(0, "", "idle")
        self._recent = RecentApplicationsModel(self)
        self._jobs = PrintJobsModel(self)
        self._printers = PrintersModel(self)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_lock)

    # -- PIN ---------------------------------------------------------------------------------------
    pinChanged = Signal()

    @Property(int, notify=pinChanged)
    def pinLength(self) -> int:
        return len(self._pin)

    gateChanged = Signal()

    @Property(bool, notify=gateChanged)
    def unlocked(self) -> bool:
        return self._unlocked

    @Property(bool, notify=gateChanged)
    def checking(self) -> bool:
        return self._checking

    @Property(str, notify=gateChanged)
    def pinError(self) -> str:
        return self._pin_error

    @Property(int, notify=gateChanged)
    def lockedSeconds(self) -> int:
        return self._locked_s

    @Slot(str)
    def pressDigit(self, digit: str) -> None:
        if digit.isdigit() and len(digit) == 1 and len(self._pin) < self.MAX_PIN and not self._locked_s:
            self._pin += digit
            self.pinChanged.emit()

    @Slot()
    def deleteDigit(self) -> None:
        if self._pin:
            self._pin = self._pin[:-1]
            self.pinChanged.emit()

    @Slot()
    def clearPin(self) -> None:
        if self._pin:
            self._pin = ""
            self.pinChanged.emit()

    @Slot()
    def open(self) -> None:
        """The PIN screen is shown: read the persisted lockout (worker) so a locked gate says so."""
        self.clearPin()
        self._pin_error = ""
        port = _require_port()
        run_in_background(port.seconds_locked, self._lock_known, self._gate_failed)

    @Slot()
    def submitPin(self) -> None:
        """Check the typed PIN on a worker thread; the digits are forgotten at once."""
        if self._checking or not self._pin:
            return
        pin, self._pin = self._pin, ""
        self.pinChanged.emit()
        self._checking = True
        self._pin_error = ""
        self.gateChanged.emit()
        port = _require_port()
        run_in_background(lambda: (port.check_pin(pin), port.seconds_locked()), self._pin_checked, self._gate_failed)

    def _pin_checked(self, outcome: tuple[bool, int]) -> None:
        ok, locked = outcome
        self._checking = False
        self._unlocked = ok
        self._pin_error = "" if ok else ("" if locked else "密码不正确，请重新输入")
        self._lock_known(locked)
        if ok:
            log.info("staff mode unlocked")
            self.refresh()
        else:
            log.warning("staff PIN rejected%s", " (locked)" if locked else "")

    def _gate_failed(self, exc: BaseException) -> None:
        log.error("staff gate failed: %s", type(exc).__name__)
        self._checking = False
        self._pin_error = "无法校验密码，请稍后再试"
        self.gateChanged.emit()

    def _lock_known(self, seconds: int) -> None:
        self._locked_s = int(seconds)
        self._lock_deadline = time.monotonic() + self._locked_s
        if self._locked_s:
            self._tick.start()
        else:
            self._tick.stop()
        self.gateChanged.emit()

    def _update_lock(self) -> None:
        left = max(0, int(self._lock_deadline - time.monotonic() + 0.999))
        if left != self._locked_s:
            self._locked_s = left
            if not left:
                self._tick.stop()
            self.gateChanged.emit()

    @Slot()
    def lock(self) -> None:
        """Leave staff mode (back to the resident's screens)."""
        self._pin = ""
        if self._unlocked:
            self._unlocked = False
            log.info("staff mode locked")
        self._recent.set_rows([])
        self.gateChanged.emit()
        self.pinChanged.emit()

    # -- the staff screen --------------------------------------------------------------------------
    @Property(QObject, constant=True)
    def recentApplications(self) -> QObject:
        return self._recent

    @Property(QObject, constant=True)
    def printJobs(self) -> QObject:
        return self._jobs

    @Property(QObject, constant=True)
    def printers(self) -> QObject:
        return self._printers

    syncChanged = Signal()

    @Property(int, notify=syncChanged)
    def outboxPending(self) -> int:
        return self._sync.outbox_pending

    @Property(str, notify=syncChanged)
    def lastSync(self) -> str:
        return self._sync.last_sync

    @Property(str, notify=syncChanged)
    def syncState(self) -> str:
        return self._sync.state

    messageChanged = Signal()

    @Property(str, notify=messageChanged)
    def message(self) -> str:
        return self._message

    @Property(bool, notify=messageChanged)
    def messageOk(self) -> bool:
        return self._message_ok

    @Property(bool, notify=messageChanged)
    def busy(self) -> bool:
        return self._busy > 0

    actionDone = Signal(str, arguments=["message"])
    actionFailed = Signal(str, str, arguments=["message", "reason"])

    @Slot()
    def refresh(self) -> None:
        if not self._unlocked:
            return
        run_in_background(_require_port().snapshot, self._snapshot, self._snapshot_failed)

    def _snapshot(self, snap: StaffSnapshot) -> None:
        if not self._unlocked:
            return
        self._recent.set_rows(snap.recent)
        self._jobs.set_rows(snap.jobs)
        self._printers.set_rows(snap.printers)
        self._sync = snap.sync
        self.syncChanged.emit()

    def _snapshot_failed(self, exc: BaseException) -> None:
        log.error("staff screen could not read state: %s", type(exc).__name__)
        self._say("无法读取终端状态", ok=False)

    def _action(self, fn: Callable[[], Any], done: str, failed: str) -> None:
        if not self._unlocked:
            return
        self._busy += 1
        self._say("正在处理…", ok=True)
        run_in_background(fn, lambda _r: self._action_done(done), lambda exc: self._action_failed(failed, exc))

    def _action_done(self, message: str) -> None:
        self._busy -= 1
        self._say(message, ok=True)
        self.actionDone.emit(message)
        self.refresh()

    def _action_failed(self, message: str, exc: BaseException) -> None:
        self._busy -= 1
        reason = str(getattr(exc, "reason", "") or type(exc).__name__)
        log.warning("staff action failed: %s", reason)
        self._say(f"{message}（{_reason_label(reason)}）", ok=False)
        self.actionFailed.emit(message, reason)
        self.refresh()

    def _say(self, message: str, ok: bool) -> None:
        self._message, self._message_ok = message, ok
        self.messageChanged.emit()

    @Slot(str)
    def printForm(self, kind: str) -> None:
        """Print a blank application form (blank) or the filled-in sample (sample) on the A4 printer."""
        if kind not in ("blank", "sample"):
            return
        label = "空白申请表" if kind == "blank" else "填写样表"
        port = _require_port()
        self._action(lambda: port.print_form(kind), f"{label}已发送打印", f"{label}打印失败")

    @Slot(str)
    def reprintReceipt(self, tracking_no: str) -> None:
        port = _require_port()
        self._action(lambda: port.reprint_receipt(tracking_no), "回执已重新打印", "回执打印失败")

    @Slot(str)
    def reprintJob(self, job_id: str) -> None:
        port = _require_port()
        self._action(lambda: port.reprint_job(job_id), "已重新打印", "重新打印失败")

    @Slot(str)
    def printTestPage(self, printer: str) -> None:
        port = _require_port()
        self._action(lambda: port.print_test_page(printer), "测试页已打印", "测试页打印失败")

    @Slot()
    def syncNow(self) -> None:
        port = _require_port()
        self._sync = SyncRow(self._sync.outbox_pending, self._sync.last_sync, "syncing")
        self.syncChanged.emit()
        self._action(port.sync_now, "同步完成", "同步失败")

    leavingKiosk = Signal()

    @Slot()
    def leaveKiosk(self) -> None:
        """Exit the program (退出终端模式); only when unlocked."""
        if self._unlocked:
            log.info("staff left kiosk mode")
            self.leavingKiosk.emit()
            QCoreApplication.exit(0)


def _reason_label(reason: str) -> str:
    return {
        "paper_out": "打印机缺纸",
        "offline": "打印机未连接",
        "cover_open": "打印机盖未关",
        "no_printer": "未配置打印机",
        "NetworkError": "无法连接区政务公开办",
        "SyncError": "同步出错",
    }.get(reason, "请查看打印机或日志")
