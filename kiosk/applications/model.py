"""The application for disclosure (依申请公开申请) as plain, frozen data, with its JSON form.

One :class:`Application` is what a resident (or a staff member for them) fills in at the terminal,
following Article 29 of the 政府信息公开条例 and the printed 政府信息公开申请表 in use:

    Application
    ├── applicant: Applicant          who asks (citizen 公民 | organisation 法人或者其他组织)
    ├── request: RequestedInfo        what is asked for (名称/文号/特征性描述), purpose
    ├── media: tuple[Medium, ...]     the form wanted (paper 纸质 | email 电子邮件 | disc 光盘), ≥ 1
    ├── delivery: tuple[Delivery,...] how to get it (post 邮寄 | email | collect 自行领取 | onsite 当场阅读、抄录), ≥ 1
    ├── proxy: Proxy | None           filled in for the applicant (代为填写) by staff or by an agent
    ├── pledge_accepted, consent_personal_data   the applicant's pledge (申请人承诺) and data consent
    └── issued: Issued | None         set by the terminal on submission: tracking number, deadline, …

The JSON form (``to_json`` / ``from_json``) is the one documented in ``docs/applications.md``: nested
objects, enum values as the lower-case English codes below, dates as ISO 8601 strings, absent optional
text as ``""``. ``from_json`` checks shape, types and the always-required keys (unknown codes, wrong types) and
raises :class:`kiosk.errors.ValidationError` keyed by dotted field path (``"applicant.kind"``); the
content rules (check digits, phone formats, required-by-kind) live in
:mod:`kiosk.applications.validation`, keyed the same way.

Nothing here logs; ``repr`` of these objects contains personal data, so never log them either.

Why one module of about 520 lines: it is the one definition of the form — every field of Article 29 with
its Chinese label and its JSON form — that the wizard, the printed form, the receipt and the server's
request model all read; split, the form's parts and their (de)serialisation would drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from kiosk.errors import ValidationError

SCHEMA_VERSION = 1

E = TypeVar("E", bound=StrEnum)


class ApplicantKind(StrEnum):
    """Who applies: a citizen (公民) or a legal person / other organisation (法人或者其他组织)."""

    CITIZEN = "citizen"
    ORGANISATION = "organisation"

    @property
    def label(self) -> str:
        return {"citizen": "公民", "organisation": "法人或者其他组织"}[self.value]


class IdType(StrEnum):
    """The identity document (身份证件) the applicant gives."""

    RESIDENT_ID = "resident_id"  # 居民身份证 (18 digits, GB 11643 check digit)
    USCC = "uscc"  # 统一社会信用代码 (18 characters, GB 32100 check character)
    PASSPORT = "passport"  # 护照
    HK_MACAO_PERMIT = "hk_macao_permit"  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit"  # 台湾居民来往大陆通行证
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证
    OTHER = "other"  # 其他证件 (name it in ``id_type_other``)

    @property
    def label(self) -> str:
        return _ID_TYPE_LABELS[self.value]


_ID_TYPE_LABELS = {
    "resident_id": "居民身份证",
    "uscc": "统一社会信用代码",
    "passport": "护照",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "foreign_permanent": "外国人永久居留身份证",
    "other": "其他证件",
}


class Medium(StrEnum):
    """The form the information is wanted in (所需信息的指定提供载体形式)."""

    PAPER = "paper"
    EMAIL = "email"
    DISC = "disc"

    @property
    def label(self) -> str:
        return {"paper": "纸质", "email": "电子邮件", "disc": "光盘"}[self.value]


class Delivery(StrEnum):
    """How the applicant gets the information (获取信息的方式)."""

    POST = "post"
    EMAIL = "email"
    COLLECT = "collect"
    ONSITE = "onsite"

    @property
    def label(self) -> str:
        return {"post": "邮寄", "email": "电子邮件", "collect": "自行领取", "onsite": "当场阅读、抄录"}[self.value]


class ProxyKind(StrEnum):
    """Who filled in the form for the applicant (代为填写, Article 29: 申请人书写确有困难的)."""

    STAFF = "staff"  # a staff member of the disclosure zone; ``staff_id`` required
    AGENT = "agent"  # an agent (代理人) the applicant brought; ``agent_name`` required

    @property
    def label(self) -> str:
        return {"staff": "工作人员代为填写", "agent": "代理人代为填写"}[self.value]


@dataclass(frozen=True)
class Applicant:
    """The applicant's details (申请人信息). Which fields are required depends on ``kind``
    (see :mod:`kiosk.applications.validation`); optional text is ``""``.

    kind                  citizen | organisation
    name                  citizen: full name (姓名); organisation: its registered name (名称)
    id_type               the document: resident_id for citizens and uscc for organisations as a rule
    id_type_other         the document's name when ``id_type`` is ``other`` (e.g. 军官证)
    id_number             the document's number (证件号码), upper-case X / letters kept as given
    employer              citizen only, optional: 工作单位
    legal_representative  organisation: 法定代表人或者主要负责人
    contact_person        organisation: 联系人姓名 (a citizen is their own contact)
    phone                 联系电话: mobile (11 digits) or landline (区号-号码[-分机])
    address               通信地址 (required: replies go there)
    postcode              邮政编码, 6 digits (optional unless delivery is by post)
    email                 电子邮箱 (required when medium or delivery is e-mail)
    fax                   传真, optional
    """

    kind: ApplicantKind
    name: str
    id_type: IdType
    id_number: str
    phone: str
    address: str
    id_type_other: str = ""
    employer: str = ""
    legal_representative: str = ""
    contact_person: str = ""
    postcode: str = ""
    email: str = ""
    fax: str = ""


@dataclass(frozen=True)
class RequestedInfo:
    """What is asked for (所需信息情况).

    description  the information's name, 文号 or other description that identifies it (所需信息的名称、
                 文号或者便于行政机关查询的其他特征性描述), free text, required
    doc_number   the document number (文号) when known, optional
    purpose      the use the applicant intends (所需信息的用途), optional — the law does not require it
    """

    description: str
    doc_number: str = ""
    purpose: str = ""


@dataclass(frozen=True)
class Proxy:
    """The form was filled in for the applicant (代为填写).

    kind          staff | agent
    staff_id      the staff member's id (工号) when ``kind`` is staff
    agent_name    the agent's name when ``kind`` is agent
    agent_phone   the agent's phone, optional
    note          free text, e.g. why (申请人书写困难), optional
    """

    kind: ProxyKind
    staff_id: str = ""
    agent_name: str = ""
    agent_phone: str = ""
    note: str = ""


@dataclass(frozen=True)
class Issued:
    """What the terminal assigns on submission (never typed by the applicant).

    tracking_no           受理编号, unique across all terminals without network (see tracking.py)
    zone_code             the zone (政务公开专区) that took the application, e.g. "wanbao"
    terminal_id           the terminal's configured id
    submitted_at          the moment of submission, terminal local time (Asia/Shanghai), tz-aware if known
    deadline              the last day of the reply period (答复期限), 20 working days (Article 33)
    deadline_explanation  how the date was counted, shown on the receipt in Chinese
    extended_deadline     the date if extended by 20 more working days (延长答复期限), for reference
    calendar_source       which calendar counted it: server | package | weekends
    """

    tracking_no: str
    zone_code: str
    terminal_id: str
    submitted_at: datetime
    deadline: date
    deadline_explanation: str
    extended_deadline: date | None = None
    calendar_source: str = "server"


@dataclass(frozen=True)
class Application:
    """One application for disclosure (依申请公开申请); see the module docstring for the tree."""

    applicant: Applicant
    request: RequestedInfo
    media: tuple[Medium, ...] = (Medium.PAPER,)
    delivery: tuple[Delivery, ...] = (Delivery.COLLECT,)
    proxy: Proxy | None = None
    pledge_accepted: bool = False  # 申请人承诺: the information is for lawful use, the details are true
    consent_personal_data: bool = False  # 同意本终端为办理申请处理其个人信息
    issued: Issued | None = field(default=None)

    def with_issued(self, issued: Issued) -> Application:
        """A copy carrying the terminal-assigned parts."""
        return replace(self, issued=issued)

    @property
    def tracking_no(self) -> str:
        """The tracking number, or ``""`` before submission."""
        return self.issued.tracking_no if self.issued else ""

    # ----------------------------------------------------------------------------------------- JSON
    def to_json(self) -> dict[str, Any]:
        """The documented JSON form (a dict ready for ``json.dumps(..., ensure_ascii=False)``)."""
        a = self.applicant
        out: dict[str, Any] = {
            "version": SCHEMA_VERSION,
            "applicant": {
                "kind": a.kind.value,
                "name": a.name,
                "id_type": a.id_type.value,
                "id_type_other": a.id_type_other,
                "id_number": a.id_number,
                "employer": a.employer,
                "legal_representative": a.legal_representative,
                "contact_person": a.contact_person,
                "phone": a.phone,
                "address": a.address,
                "postcode": a.postcode,
                "email": a.email,
                "fax": a.fax,
            },
            "request": {
                "description": self.request.description,
                "doc_number": self.request.doc_number,
                "purpose": self.request.purpose,
            },
            "media": [m.value for m in self.media],
            "delivery": [d.value for d in self.delivery],
            "proxy": None,
            "pledge_accepted": self.pledge_accepted,
            "consent_personal_data": self.consent_personal_data,
            "issued": None,
        }
        if self.proxy is not None:
            p = self.proxy
            out["proxy"] = {
                "kind": p.kind.value,
                "staff_id": p.staff_id,
                "agent_name": p.agent_name,
                "agent_phone": p.agent_phone,
                "note": p.note,
            }
        if self.issued is not None:
            i = self.issued
            out["issued"] = {
                "tracking_no": i.tracking_no,
                "zone_code": i.zone_code,
                "terminal_id": i.terminal_id,
                "submitted_at": i.submitted_at.isoformat(timespec="seconds"),
                "deadline": i.deadline.isoformat(),
                "deadline_explanation": i.deadline_explanation,
                "extended_deadline": i.extended_deadline.isoformat() if i.extended_deadline else None,
                "calendar_source": i.calendar_source,
            }
        return out

    @classmethod
    def from_json(cls, data: Any) -> Application:
        """Read the documented JSON form; bad shape or types raise ValidationError keyed by field path.

        Missing optional keys take their defaults; unknown keys are ignored (forward compatibility).
        """
        r = _Reader()
        if not isinstance(data, dict):
            raise ValidationError({"": "申请数据应为一个 JSON 对象"})
        version = data.get("version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise ValidationError({"version": f"不支持的数据版本 {version!r}（应为 {SCHEMA_VERSION}）"})
        ap = r.obj(data, "applicant")
        rq = r.obj(data, "request")
        applicant = Applicant(
            kind=r.enum(ap, "applicant.kind", ApplicantKind, ApplicantKind.CITIZEN),
            name=r.text(ap, "applicant.name", required=True),
            id_type=r.enum(ap, "applicant.id_type", IdType, IdType.RESIDENT_ID),
            id_type_other=r.text(ap, "applicant.id_type_other"),
            id_number=r.text(ap, "applicant.id_number", required=True),
            employer=r.text(ap, "applicant.employer"),
            legal_representative=r.text(ap, "applicant.legal_representative"),
            contact_person=r.text(ap, "applicant.contact_person"),
            phone=r.text(ap, "applicant.phone", required=True),
            address=r.text(ap, "applicant.address", required=True),
            postcode=r.text(ap, "applicant.postcode"),
            email=r.text(ap, "applicant.email"),
            fax=r.text(ap, "applicant.fax"),
        )
        request = RequestedInfo(
            description=r.text(rq, "request.description", required=True),
            doc_number=r.text(rq, "request.doc_number"),
            purpose=r.text(rq, "request.purpose"),
        )
        media = r.enum_list(data, "media", Medium, (Medium.PAPER,))
        delivery = r.enum_list(data, "delivery", Delivery, (Delivery.COLLECT,))
        proxy: Proxy | None = None
        raw_proxy = data.get("proxy")
        if raw_proxy is not None:
            px = r.obj(data, "proxy")
            proxy = Proxy(
                kind=r.enum(px, "proxy.kind", ProxyKind, ProxyKind.STAFF, required=True),
                staff_id=r.text(px, "proxy.staff_id"),
                agent_name=r.text(px, "proxy.agent_name"),
                agent_phone=r.text(px, "proxy.agent_phone"),
                note=r.text(px, "proxy.note"),
            )
        issued: Issued | None = None
        if data.get("issued") is not None:
            iss = r.obj(data, "issued")
            issued = Issued(
                tracking_no=r.text(iss, "issued.tracking_no", required=True),
                zone_code=r.text(iss, "issued.zone_code", required=True),
                terminal_id=r.text(iss, "issued.terminal_id"),
                submitted_at=r.datetime_(iss, "issued.submitted_at"),
                deadline=r.date_(iss, "issued.deadline", required=True) or date.min,
                deadline_explanation=r.text(iss, "issued.deadline_explanation"),
                extended_deadline=r.date_(iss, "issued.extended_deadline"),
                calendar_source=r.text(iss, "issued.calendar_source") or "server",
            )
        pledge = r.bool_(data, "pledge_accepted")
        consent = r.bool_(data, "consent_personal_data")
        if r.errors:
            raise ValidationError(r.errors)
        return cls(
            applicant=applicant,
            request=request,
            media=media,
            delivery=delivery,
            proxy=proxy,
            pledge_accepted=pledge,
            consent_personal_data=consent,
            issued=issued,
        )


class _Reader:
    """Collects shape errors while reading JSON so the caller gets them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def obj(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            self.errors[key] = "缺少此项或格式不对（应为 JSON 对象）"
            return {}
        return value

    def text(self, data: dict[str, Any], path: str, *, required: bool = False) -> str:
        key = path.rsplit(".", 1)[-1]
        value = data.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.errors[path] = "应为文字"
            return ""
        stripped: str = value.strip()
        if required and not stripped:
            self.errors.setdefault(path, "此项必填")
        return stripped

    def bool_(self, data: dict[str, Any], path: str) -> bool:
        value = data.get(path, False)
        if not isinstance(value, bool):
            self.errors[path] = "应为 true 或 false"
            return False
        return value

    def enum(self, data: dict[str, Any], path: str, enum: type[E], default: E, *, required: bool = False) -> E:
        key = path.rsplit(".", 1)[-1]
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.errors[path] = "此项必填"
            return default
        try:
            return enum(value)
        except ValueError:
            allowed = "、".join(m.value for m in enum)
            self.errors[path] = f"无法识别的取值（可选：{allowed}）"
            return default

    def enum_list(self, data: dict[str, Any], path: str, enum: type[E], default: tuple[E, ...]) -> tuple[E, ...]:
        value = data.get(path)
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.errors[path] = "应为取值列表"
            return default
        out: list[E] = []
        for item in value:
            try:
                member = enum(item)
            except ValueError:
                allowed = "、".join(m.value for m in enum)
                self.errors[path] = f"无法识别的取值 {item!r}（可选：{allowed}）"
                return default
            if member not in out:
                out.append(member)
        return tuple(out)

    def date_(self, data: dict[str, Any], path: str, *, required: bool = False) -> date | None:
        key = path.rsplit(".", 1)[-1]
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.errors[path] = "此项必填"
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.errors[path] = "日期格式应为 YYYY-MM-DD"
            return None

    def datetime_(self, data: dict[str, Any], path: str) -> datetime:
        key = path.rsplit(".", 1)[-1]
        value = data.get(key)
        try:
            return datetime.fromisoformat(str(value))
        except (TypeError, ValueError):
            self.errors[path] = "时间格式应为 ISO 8601（如 2026-11-27T10:30:00+08:00）"
            return datetime.min


# ------------------------------------------------------------------------------------------- masking
def mask_id(number: str) -> str:
    """An identity-document number with its middle hidden, for receipts and staff lists.

    Keeps the first 4 and last 4 characters when the number has at least 10 (``430102199003071234`` →
    ``4301**********1234``), otherwise only the last 2; the length is preserved.
    """
    number = number.strip()
    n = len(number)
    if n >= 10:
        return number[:4] + "*" * (n - 8) + number[-4:]
    if n > 2:
        return "*" * (n - 2) + number[-2:]
    return "*" * n


_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})")
_LANDLINE = re.compile(
    r"(?P<area>\(?0\d{2,3}\)?)(?P<sep>[- ]?)(?P<number>[1-9]\d{6,7})"
    r"(?:(?P<xsep>\s*(?:-|转|ext\.?|分机|#)\s*)(?P<ext>\d{1,6}))?",
    re.IGNORECASE,
)


def mask_phone(phone: str) -> str:
    """A phone number with no more digits shown than needed to recognise it.

    Mobiles keep the first 3 and last 4 digits (``+86 138 1234 5678`` → ``138****5678``); landlines keep
    the area code and the last 4 digits of the number, and hide the extension (``0738-8123456-806`` →
    ``0738-***3456-***``); anything else shows only its last 4 digits.
    """
    p = phone.strip()
    compact = re.sub(r"[\s-]", "", p)
    if m := _MOBILE.fullmatch(compact):
        d = m.group(1)
        return d[:3] + "****" + d[-4:]
    if m := _LANDLINE.fullmatch(p):
        number = m.group("number")
        out = m.group("area") + m.group("sep") + "*" * (len(number) - 4) + number[-4:]
        if m.group("ext"):
            out += m.group("xsep") + "*" * len(m.group("ext"))
        return out
    digits = sum(ch.isdigit() for ch in p)
    seen = 0
    out_chars = []
    for ch in p:
        if ch.isdigit():
            seen += 1
            out_chars.append(ch if seen > digits - 4 else "*")
        else:
            out_chars.append(ch)
    return "".join(out_chars)


def mask_email(email: str) -> str:
    """An e-mail address with its local part hidden but its first character (``z*******@example.com``);
    the domain stays, it identifies no one."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return "*" * len(email.strip())
    return local[:1] + "*" * max(len(local) - 1, 3) + "@" + domain


def mask_name(name: str) -> str:
    """A name with all but its first character hidden (``张三丰`` → ``张**``); code points, so a
    supplementary-plane character counts as one."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""
