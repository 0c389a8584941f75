"""The 依申请公开 wizard's view-model: one application being entered on the touch screen.

QML sees an ``ApplyWizard`` with the current step (步骤 1/5 …), the values typed so far and the
per-field error messages from :mod:`kiosk.applications` (plain Chinese, shown next to each field).
``next()`` checks the fields of the current step only; ``submit()`` writes the application and its
outbox entry on the DB worker (one transaction, durable before the receipt prints), then queues the
receipt on the print queue and follows the job (:class:`ui.events.PrintEvents`). ``reset()`` wipes
everything typed: the shell's idle policy calls it.

In staff mode (``startProxy()``) the same wizard records that a staff member filled it in for a walk-in
applicant (代为填写, Article 29).

Field keys are the core's dotted field paths (``applicant.name``, ``request.description``, ``media``…),
so an error from :mod:`kiosk.applications.validation` lands next to the field it names. Steps::

    0 kind       applicant.kind (citizen 公民 | organisation 法人或者其他组织)
    1 applicant  applicant.name, id_number, phone, address, postcode, email, employer / legal_representative,
                 contact_person
    2 request    request.description, request.doc_number, request.purpose
    3 delivery   media, delivery (big toggle buttons; several may be chosen)
    4 review     consent_personal_data, pledge_accepted (+ proxy.staff_id, proxy.note in staff mode)

Why about 500 lines: the wizard's one view-model — its steps share one draft application, one set of
field errors and the submit-and-print sequence; split by step, each part would reach into the others'
state.
"""

from __future__ import annotations

import logging
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QEnum, QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlSingleton

from kiosk.errors import SubmitRefused, ValidationError
from ui.ports import JobUpdate, SubmitOutcome
from ui.qttypes import QVariantMap
from ui.services import Services, of_engine

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1

KIND = "applicant.kind"
CITIZEN_FIELDS = (
    "applicant.name",
    "applicant.id_number",
    "applicant.phone",
    "applicant.address",
    "applicant.postcode",
    "applicant.email",
    "applicant.employer",
)
ORGANISATION_FIELDS = (
    "applicant.name",
    "applicant.id_number",
    "applicant.legal_representative",
    "applicant.contact_person",
    "applicant.phone",
    "applicant.address",
    "applicant.postcode",
    "applicant.email",
)
REQUEST_FIELDS = ("request.description", "request.doc_number", "request.purpose")
DELIVERY_FIELDS = ("media", "delivery")
REVIEW_FIELDS = ("consent_personal_data", "pledge_accepted")
PROXY_FIELDS = ("proxy.staff_id", "proxy.note")
CHOICE_FIELDS = ("media", "delivery")  # several may be chosen: lists of codes
STEP_NAMES = ("kind", "applicant", "request", "delivery", "review")


def fields_of_step(step: int, applicant_kind: str, proxy: bool = False) -> tuple[str, ...]:
    """The field keys (the core's dotted error paths) that the wizard's ``step`` asks for."""
    if step == 0:
        return (KIND,)
    if step == 1:
        return ORGANISATION_FIELDS if applicant_kind == "organisation" else CITIZEN_FIELDS
    if step == 4:
        return REVIEW_FIELDS + (PROXY_FIELDS if proxy else ())
    return (REQUEST_FIELDS, DELIVERY_FIELDS)[step - 2] if 2 <= step <= 3 else ()


def blank_values() -> dict[str, Any]:
    """A fresh, empty application as the wizard holds it (keys are the core's dotted field paths)."""
    values: dict[str, Any] = dict.fromkeys(
        (KIND, *CITIZEN_FIELDS, *ORGANISATION_FIELDS, *REQUEST_FIELDS, *PROXY_FIELDS), ""
    )
    values.update(media=["paper"], delivery=["collect"], consent_personal_data=False, pledge_accepted=False)
    return values


def to_application_json(values: dict[str, Any], proxy: bool) -> dict[str, Any]:
    """The wizard's values in the documented application JSON form (docs/applications.md)."""
    kind = values.get(KIND) or "citizen"
    applicant = {k.split(".", 1)[1]: str(v).strip() for k, v in values.items() if k.startswith("applicant.")}
    applicant["kind"] = kind
    applicant["id_type"] = "uscc" if kind == "organisation" else "resident_id"
    if kind == "citizen":
        applicant["legal_representative"] = applicant["contact_person"] = ""
    else:
        applicant["employer"] = ""
    applicant["id_number"] = applicant.get("id_number", "").upper()
    out: dict[str, Any] = {
        "applicant": applicant,
        "request": {k.split(".", 1)[1]: str(v).strip() for k, v in values.items() if k.startswith("request.")},
        "media": list(values.get("media") or []),
        "delivery": list(values.get("delivery") or []),
        "pledge_accepted": bool(values.get("pledge_accepted")),
        "consent_personal_data": bool(values.get("consent_personal_data")),
        "proxy": None,
    }
    if proxy:
        out["proxy"] = {
            "kind": "staff",
            "staff_id": str(values.get("proxy.staff_id", "")).strip(),
            "note": str(values.get("proxy.note", "")).strip(),
        }
    return out


@QmlElement
@QmlSingleton
class ApplyWizard(QObject):
    """One application being entered; QML binds to ``values``/``errors`` and calls the slots."""

    STEP_COUNT = len(STEP_NAMES)

    @QEnum
    class Phase(IntEnum):
        """``phase``: the application being entered, on its way into the core, or submitted."""

        Editing = 0
        Submitting = 1
        Done = 2

    @QEnum
    class Receipt(IntEnum):
        """``receiptState``: the receipt printed after submitting."""

        NoReceipt = 0
        Printing = 1
        Printed = 2
        Failed = 3

    @QEnum
    class Kind(IntEnum):
        """``applicantKind``: not chosen yet, 公民 (citizen) or 法人或者其他组织 (organisation)."""

        NoKind = 0
        Citizen = 1
        Organisation = 2

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._svc = services
        self._values: dict[str, Any] = blank_values()
        self._errors: dict[str, str] = {}
        self._step = 0
        self._proxy = False
        self._busy = False
        self._phase = ApplyWizard.Phase.Editing
        self._outcome: SubmitOutcome | None = None
        self._receipt_state = ApplyWizard.Receipt.NoReceipt
        self._general_error = ""
        self._generation = 0  # bumps on reset: a late worker result for a wiped session is dropped
        services.register_wipe(self, "apply-wizard", self.reset)

    @staticmethod
    def create(engine: object) -> ApplyWizard:
        return ApplyWizard(of_engine(engine))

    # -- properties -------------------------------------------------------------------------------
    stepChanged = Signal()

    @Property(int, notify=stepChanged)
    def step(self) -> int:
        return self._step

    @Property(int, constant=True)
    def stepCount(self) -> int:
        return self.STEP_COUNT

    @Property(str, notify=stepChanged)
    def stepName(self) -> str:
        return STEP_NAMES[self._step]

    valuesChanged = Signal()

    @Property(QVariantMap, notify=valuesChanged)
    def values(self) -> dict[str, Any]:
        return dict(self._values)

    @Property(bool, notify=valuesChanged)
    def hasInput(self) -> bool:
        """Something was typed or chosen beyond the applicant kind (leaving would lose it)."""
        blank = blank_values()
        return any(value != blank.get(key) for key, value in self._values.items() if key != KIND)

    @Property(int, notify=valuesChanged)
    def applicantKind(self) -> int:
        return _KINDS.get(self._kind_code(), ApplyWizard.Kind.NoKind)

    def _kind_code(self) -> str:
        return str(self._values.get(KIND, ""))

    @Property(str, notify=valuesChanged)
    def maskedId(self) -> str:
        from kiosk.applications.model import mask_id

        return mask_id(str(self._values.get("applicant.id_number", "")))

    errorsChanged = Signal()

    @Property(QVariantMap, notify=errorsChanged)
    def errors(self) -> dict[str, str]:
        return dict(self._errors)

    @Property(str, notify=errorsChanged)
    def generalError(self) -> str:
        return self._general_error

    proxyChanged = Signal()

    @Property(bool, notify=proxyChanged)
    def proxy(self) -> bool:
        return self._proxy

    phaseChanged = Signal()

    @Property(int, notify=phaseChanged)
    def phase(self) -> int:
        return self._phase

    @Property(bool, notify=phaseChanged)
    def busy(self) -> bool:
        return self._phase == ApplyWizard.Phase.Submitting

    @Property(str, notify=phaseChanged)
    def trackingNumber(self) -> str:
        return self._outcome.tracking_no if self._outcome else ""

    @Property(str, notify=phaseChanged)
    def deadline(self) -> str:
        return self._outcome.deadline if self._outcome else ""

    @Property(str, notify=phaseChanged)
    def deadlineText(self) -> str:
        """The deadline as every screen and paper says it: 2027年1月6日（星期三）前（含当日）."""
        from kiosk.localtime import deadline_text_iso

        return deadline_text_iso(self._outcome.deadline) if self._outcome else ""

    @Property(str, notify=phaseChanged)
    def deadlineExplanation(self) -> str:
        return self._outcome.deadline_explanation if self._outcome else ""

    receiptStateChanged = Signal()

    @Property(int, notify=receiptStateChanged)
    def receiptState(self) -> int:
        return self._receipt_state

    # -- outcomes ---------------------------------------------------------------------------------
    submitted = Signal(str, arguments=["trackingNumber"])

    # -- editing ----------------------------------------------------------------------------------
    @Slot(str, "QVariant")
    def setValue(self, key: str, value: Any) -> None:
        """Set one field; its error (if any) goes away until the next check."""
        if key not in self._values or self._phase != ApplyWizard.Phase.Editing:
            return
        if isinstance(self._values[key], bool):
            value = bool(value)
        elif isinstance(self._values[key], list):
            value = [str(v) for v in value] if isinstance(value, list | tuple) else []
        elif value is None:
            value = ""
        else:
            value = str(value)
        if self._values[key] == value:
            return
        self._values[key] = value
        self.valuesChanged.emit()
        if key in self._errors:
            del self._errors[key]
            self.errorsChanged.emit()

    @Slot(int)
    def chooseKind(self, kind: int) -> None:
        """Step 1: 公民 (citizen) or 法人或者其他组织 (organisation); moves on to the details."""
        code = next((c for c, k in _KINDS.items() if k == kind), "")
        if not code:
            return
        self.setValue(KIND, code)
        self.next()

    @Slot(str, str)
    def toggleChoice(self, key: str, code: str) -> None:
        """Media and delivery: tap to choose, tap again to un-choose (several may be chosen)."""
        if key not in CHOICE_FIELDS:
            return
        chosen = list(self._values[key])
        if code in chosen:
            chosen.remove(code)
        else:
            chosen.append(code)
        self.setValue(key, chosen)

    @Slot(result=bool)
    def next(self) -> bool:
        """Check the current step's fields; move on when they are acceptable. Returns whether it moved."""
        if self._phase != ApplyWizard.Phase.Editing:
            return False
        errors = self._check(fields_of_step(self._step, self._kind_code(), self._proxy))
        if errors:
            return False
        if self._step < self.STEP_COUNT - 1:
            self._step += 1
            self.stepChanged.emit()
            return True
        return False

    @Slot()
    def back(self) -> None:
        if self._phase == ApplyWizard.Phase.Editing and self._step > 0:
            self._step -= 1
            self.stepChanged.emit()
            if self._errors or self._general_error:
                self._errors, self._general_error = {}, ""
                self.errorsChanged.emit()

    @Slot(int)
    def goToStep(self, step: int) -> None:
        """From the review page back to an earlier step to correct it."""
        if self._phase == ApplyWizard.Phase.Editing and 0 <= step < self._step:
            self._step = step
            self.stepChanged.emit()

    def _all_errors(self) -> dict[str, str]:
        errors = dict(self._svc.applications.validate(to_application_json(self._values, self._proxy)))
        if self._values[KIND] not in ("citizen", "organisation"):
            errors[KIND] = "请选择申请人类型"
        return errors

    def _check(self, keys: tuple[str, ...]) -> dict[str, str]:
        errors = {k: v for k, v in self._all_errors().items() if k in keys}
        if errors != self._errors or self._general_error:
            self._errors = errors
            self._general_error = ""
            self.errorsChanged.emit()
        return errors

    # -- submitting -------------------------------------------------------------------------------
    @Slot()
    def submit(self) -> None:
        """Check everything, then write the application on the DB worker and print the receipt."""
        if self._phase != ApplyWizard.Phase.Editing or self._step != self.STEP_COUNT - 1:
            return
        port = self._svc.applications
        errors = self._all_errors()
        if errors:
            self._errors = errors
            self.errorsChanged.emit()
            first = next(
                (
                    i
                    for i in range(self.STEP_COUNT)
                    if set(fields_of_step(i, self._kind_code(), self._proxy)) & errors.keys()
                ),
                self._step,
            )
            if first != self._step:
                self._step = first
                self.stepChanged.emit()
            return
        self._set_phase(ApplyWizard.Phase.Submitting)
        application, generation = to_application_json(self._values, self._proxy), self._generation

        def job(session: Session) -> SubmitOutcome | ValidationError | SubmitRefused:
            try:
                return port.submit(session, application)
            except (ValidationError, SubmitRefused) as exc:  # field messages; or why no application is taken
                return exc

        self._svc.worker.submit(
            "",
            job,
            lambda outcome: self._submitted(generation, outcome),
            lambda reason: self._submit_failed(generation, reason),
            write=True,
        )

    def _submitted(self, generation: int, outcome: SubmitOutcome | ValidationError | SubmitRefused) -> None:
        if generation != self._generation:
            return
        if isinstance(outcome, ValidationError | SubmitRefused):
            self._submit_failed(generation, outcome)
            return
        self._outcome = outcome
        self._set_phase(ApplyWizard.Phase.Done)
        self._svc.record_usage("application")
        self.submitted.emit(outcome.tracking_no)
        self._print_receipt(outcome.tracking_no)

    def _submit_failed(self, generation: int, problem: ValidationError | SubmitRefused | str) -> None:
        if generation != self._generation:
            return
        log.warning(
            "application not submitted: %s", type(problem).__name__ if not isinstance(problem, str) else problem
        )
        self._set_phase(ApplyWizard.Phase.Editing)
        if isinstance(problem, ValidationError):
            self._errors = dict(problem.errors)
            self._general_error = "请按提示修改后再提交"
        elif isinstance(problem, SubmitRefused):  # revoked terminal, full disk: the sentence says why
            self._general_error = str(problem)
        else:
            self._general_error = "申请未能保存，请重试或联系工作人员"
        self.errorsChanged.emit()

    def _print_receipt(self, tracking_no: str) -> None:
        port, events = self._svc.applications, self._svc.print_events
        generation = self._generation
        self._set_receipt(ApplyWizard.Receipt.Printing)

        def queued(job_id: int) -> None:
            events.when_finished(job_id, lambda update: self._receipt_finished(generation, update))

        self._svc.worker.submit(
            "",
            lambda session: port.queue_receipt(session, tracking_no),
            queued,
            lambda reason: self._receipt_finished(generation, JobUpdate(0, "failed", reason)),
        )

    def _receipt_finished(self, generation: int, update: JobUpdate) -> None:
        if update.state != "done":
            log.warning("receipt not printed: %s", update.reason)
        if update.state == "done":
            self._svc.record_usage("print", what="receipt")
        if generation == self._generation:
            self._set_receipt(ApplyWizard.Receipt.Printed if update.state == "done" else ApplyWizard.Receipt.Failed)

    @Slot()
    def retryReceipt(self) -> None:
        if self._outcome and self._receipt_state == ApplyWizard.Receipt.Failed:
            self._print_receipt(self._outcome.tracking_no)

    def _set_phase(self, phase: ApplyWizard.Phase) -> None:
        if phase != self._phase:
            self._phase = phase
            self.phaseChanged.emit()

    def _set_receipt(self, state: ApplyWizard.Receipt) -> bool:
        if state != self._receipt_state:
            self._receipt_state = state
            self.receiptStateChanged.emit()
        return True

    # -- privacy ----------------------------------------------------------------------------------
    @Slot()
    def start(self) -> None:
        """A new application by a resident."""
        self.reset()

    @Slot()
    def startProxy(self) -> None:
        """A new application filled in by staff for a walk-in applicant (代为填写)."""
        self.reset()
        self._proxy = True
        self.proxyChanged.emit()

    @Slot()
    def reset(self) -> None:
        """Forget everything typed and every result shown (idle timeout, leaving the wizard)."""
        self._generation += 1
        self._values = blank_values()
        self._errors, self._general_error = {}, ""
        self._step, self._outcome, self._receipt_state = 0, None, ApplyWizard.Receipt.NoReceipt
        self._phase = ApplyWizard.Phase.Editing
        self._proxy = False
        for sig in (
            self.valuesChanged,
            self.errorsChanged,
            self.stepChanged,
            self.phaseChanged,
            self.receiptStateChanged,
            self.proxyChanged,
        ):
            sig.emit()


# the application's applicant.kind codes as QML sees them
_KINDS = {"citizen": ApplyWizard.Kind.Citizen, "organisation": ApplyWizard.Kind.Organisation}
