"""The request bodies a terminal sends the district server, as strict, bounded pydantic models.

Both ends use them: the terminal builds and checks what it sends (``sync.client``, ``sync.enrol_cmd``),
the server validates every request body with them before it reads a field
(``sync.server.terminals``), and the server's OpenAPI document (``/openapi.json``, ``/docs``) shows them
as the request bodies. Types are strict (a JSON ``true`` is not an integer, a number is not a string),
every string and list is bounded, strings carry no NUL and no lone surrogate.

Unknown fields, decided per model:

- **forbidden** (refused) in everything that carries personal data or is stored as sent — the application
  and its parts, the rating, the usage record, the status lookup, the enrolment: nothing unvalidated is
  ever stored, and a misspelt field is an error rather than silently lost;
- **ignored** (dropped, never stored) in the heartbeat: it only updates the fleet page's columns, and a
  newer terminal that reports more must still be heard by an older server.

Older payload shapes that the server has always accepted stay valid: an application names itself either at
the top level (``tracking_no``, ``zone``, ``submitted_at``, ``deadline``) or, as the kiosk writes it,
under ``issued``; a rating says ``level`` (the kiosk) or ``score`` (older terminals); usage may carry
``counters`` alone (older terminals) or events too. Checks that need the terminal (its zone) stay with
the server.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from sync.protocol.releases import ReleaseVersion
from sync.protocol.schema import (
    Code,
    IsoDate,
    IsoTime,
    Text16,
    Text32,
    Text40,
    Text64,
    Text80,
    Text120,
    Text200,
    Text300,
    Text500,
    Text2000,
)

MAX_COUNT = 2**31 - 1  # counters, sizes, intervals: what the server's integer columns hold
TRACKING_NO = r"^[A-Za-z0-9-]{4,40}$"

Tracking = Annotated[str, Field(pattern=TRACKING_NO)]
Whole = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,40}$")]  # counter and event names


class Forbid(BaseModel):
    """Strict types, unknown fields refused, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Ignore(BaseModel):
    """Strict types, unknown fields dropped (never stored), immutable."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


def digits(value: str) -> str:
    """The digits of a phone number as typed (spaces, dashes and brackets dropped)."""
    return re.sub(r"\D", "", value)


# -- the application (依申请公开申请), as ``kiosk.applications.model.Application.to_json`` writes it ------
class ApplicantPart(Forbid):
    """申请人: what the form asked (``kiosk.applications.validation.MAX_LEN`` bounds what a terminal takes)."""

    kind: Text32 = "citizen"
    name: Text120 = ""
    id_type: Text32 = "resident_id"
    id_type_other: Text40 = ""
    id_number: Text40 = ""
    employer: Text120 = ""
    legal_representative: Text64 = ""
    contact_person: Text64 = ""
    phone: Text40 = ""
    address: Text200 = ""
    postcode: Text16 = ""
    email: Text120 = ""
    fax: Text40 = ""


class RequestPart(Forbid):
    """所需信息: the description, the document number if known, the purpose."""

    description: Text2000 = ""
    doc_number: Text120 = ""
    purpose: Text500 = ""


class ProxyPart(Forbid):
    """代为填写: a staff member's or an agent's help."""

    kind: Text16
    staff_id: Text40 = ""
    agent_name: Text64 = ""
    agent_phone: Text40 = ""
    note: Text200 = ""


class IssuedPart(Forbid):
    """What the terminal issued on its receipt: the tracking number, zone, time and printed deadline."""

    tracking_no: Tracking
    zone_code: Code
    terminal_id: Text64 = ""
    submitted_at: IsoTime
    deadline: IsoDate | None = None
    deadline_explanation: Text2000 = ""
    extended_deadline: IsoDate | None = None
    calendar_source: Text32 = ""


class ApplicationRequest(Forbid):
    """``POST /v1/submissions/application``: one application, delivered once under its idempotency key.

    The tracking number, submission time and zone come from ``issued`` or, in the older shape, the top
    level; one of the two must name them, and the applicant's (or agent's) phone must have digits."""

    version: Annotated[int, Field(ge=1, le=1)] = 1
    applicant: ApplicantPart = ApplicantPart()
    request: RequestPart = RequestPart()
    media: Annotated[list[Text16], Field(max_length=8)] = []
    delivery: Annotated[list[Text16], Field(max_length=8)] = []
    proxy: ProxyPart | None = None
    pledge_accepted: bool = False
    consent_personal_data: bool = False
    issued: IssuedPart | None = None
    tracking_no: Tracking | None = None
    zone: Code | None = None
    submitted_at: IsoTime | None = None
    deadline: IsoDate | None = None

    @model_validator(mode="after")
    def _names_itself(self) -> Self:
        if self.tracking_number is None:
            raise ValueError("tracking_no missing (neither at the top level nor under issued)")
        if self.submitted is None:
            raise ValueError("submitted_at missing (neither at the top level nor under issued)")
        if not self.phone_digits:
            raise ValueError("application carries no phone number")
        return self

    @property
    def tracking_number(self) -> str | None:
        if self.tracking_no is not None or self.issued is None:
            return self.tracking_no
        return self.issued.tracking_no

    @property
    def zone_code(self) -> str | None:
        if self.zone is not None or self.issued is None:
            return self.zone
        return self.issued.zone_code

    @property
    def submitted(self) -> str | None:
        if self.submitted_at is not None or self.issued is None:
            return self.submitted_at
        return self.issued.submitted_at

    @property
    def printed_deadline(self) -> str | None:
        if self.deadline is not None or self.issued is None:
            return self.deadline
        return self.issued.deadline

    @property
    def phone_digits(self) -> str:
        """The number the applicant is reached on: theirs, else their agent's (digits only)."""
        own = digits(self.applicant.phone)
        return own or (digits(self.proxy.agent_phone) if self.proxy is not None else "")


# -- ratings and usage (non-personal) -------------------------------------------------------------------
Level = Annotated[int, Field(ge=1, le=5)]


class RatingRequest(Forbid):
    """``POST /v1/submissions/rating``: one 满意度 rating, 1–5 (``level``; older terminals say ``score``)."""

    level: Level | None = None
    score: Level | None = None
    label: Text16 = ""
    terminal: Text64 = ""
    zone: Code | None = None
    context: Text80 = ""
    at: IsoTime | None = None

    @model_validator(mode="after")
    def _has_a_level(self) -> Self:
        if self.level is None and self.score is None:
            raise ValueError("score (or level) must be a whole number 1–5")
        return self


class UsageEvent(Forbid):
    """One event of a visit (``kiosk.usage``): its type, local time and the type's one fact."""

    type: Name
    at: IsoTime
    category: Text200 | None = None
    hits: Whole | None = None
    what: Text16 | None = None
    level: Annotated[int, Field(ge=0, le=5)] | None = None
    query: Text200 | None = None  # at most 30 characters before NFKC, which may lengthen it


class UsageRequest(Forbid):
    """``POST /v1/submissions/usage``: one visit's events and counters (older terminals: counters only)."""

    zone: Code | None = None
    terminal: Text64 = ""
    visit: Text64 = ""
    started_at: IsoTime | None = None
    events: Annotated[list[UsageEvent], Field(max_length=500)] | None = None
    counters: Annotated[dict[Name, Whole], Field(max_length=64)]


# -- the heartbeat --------------------------------------------------------------------------------------
class SyncFailureReport(Forbid):
    """The heartbeat's ``sync_failure``: the part of the run, a short code, the terminal's plain-Chinese
    sentence, when, and how many runs in a row failed (a boolean is not a count)."""

    part: Annotated[str, Field(pattern=r"^[a-z_]{1,16}$")]
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,23}$")]
    text: Annotated[Text300, Field(min_length=1)]
    at: IsoTime
    in_a_row: Annotated[int, Field(ge=1, le=10**9)]


UpdateState = Literal["current", "downloading", "staged", "switched", "confirmed", "rolled_back", "failed"]


class UpdateReport(Forbid):
    """The heartbeat's ``update``: the terminal's updater state (``kiosk.update.state``), strict and bounded."""

    state: UpdateState
    version: ReleaseVersion | None = None
    note: Text300 = ""
    at: IsoTime
    percent: Annotated[int, Field(ge=0, le=100)] | None = None


class HeartbeatRequest(Ignore):
    """``POST /v1/submissions/heartbeat``: the terminal's health for IT's fleet page (not stored as sent)."""

    version: Text40 = ""
    mirror_seq: Annotated[int, Field(ge=0, le=2**53)] | None = None
    last_sync_at: IsoTime | None = None
    printer_state: Text2000 = ""
    free_disk_mb: Annotated[int, Field(ge=-1, le=2**53)] | None = None
    pending_outbox: Whole | None = None
    outbox_oldest: IsoTime | None = None
    last_error: Text2000 | None = None
    sync_failure: SyncFailureReport | None = None
    sync_interval_s: Annotated[int, Field(ge=1, le=86_400 * 7)] | None = None
    zone: Code | None = None
    update: UpdateReport | None = None


# -- the status lookup and enrolment --------------------------------------------------------------------
class LookupRequest(Forbid):
    """``POST /v1/applications/lookup``: the tracking number and the phone given with the application."""

    tracking_no: Text40
    phone: Text40


class EnrolRequest(Forbid):
    """``POST /v1/enrol``: the one-time enrolment code IT handed out (``XXXXX-XXXXX``)."""

    code: Text40


SUBMISSION_MODELS: dict[str, type[BaseModel]] = {
    "application": ApplicationRequest,
    "rating": RatingRequest,
    "usage": UsageRequest,
    "heartbeat": HeartbeatRequest,
}
REQUEST_MODELS: tuple[type[BaseModel], ...] = (*SUBMISSION_MODELS.values(), LookupRequest, EnrolRequest)


class RequestRefused(ValueError):
    """A request body the protocol does not allow; ``str()`` names the field and the rule, never a value."""

    def __init__(self, field: str, rule: str, *, not_an_object: bool = False) -> None:
        super().__init__(f"{field}: {rule}" if field else rule)
        self.field = field
        self.rule = rule
        self.not_an_object = not_an_object  # the body is not even a JSON object


_FIELD_NAME = re.compile(r"^(\[key\]|[A-Za-z_][A-Za-z0-9_]{0,40})$")


def _named(part: str | int) -> str:
    """A location part as it may be logged: a field name or an index; a key the body chose (an unknown
    field, a counter's name) may be anything a person typed, so it is not repeated."""
    return str(part) if isinstance(part, int) or _FIELD_NAME.match(part) else "…"


def parse[M: BaseModel](model: type[M], obj: Any) -> M:
    """``obj`` (decoded JSON) validated as ``model``, or :class:`RequestRefused` for its first problem."""
    if not isinstance(obj, dict):
        raise RequestRefused("", "body must be a JSON object", not_an_object=True)
    try:
        return model.model_validate(obj, strict=True)
    except PydanticValidationError as exc:
        err = exc.errors(include_url=False, include_input=False, include_context=False)[0]
        where = ".".join(_named(p) for p in err["loc"])
        rule = str(err["msg"]).removeprefix("Value error, ")[:160]
        raise RequestRefused(where, rule) from None


def wire(model: BaseModel) -> dict[str, Any]:
    """The JSON object a terminal sends for ``model``: the fields it was given (defaults left out)."""
    return model.model_dump(mode="json", exclude_unset=True)
