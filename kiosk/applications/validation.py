"""Validation of an application (依申请公开申请) before it is submitted: every rule that can be checked
at the terminal, each failure a plain-Chinese message keyed by the field's dotted path (the keys of the
JSON form, e.g. ``"applicant.id_number"``), so the screen can show it next to the field.

Checked here:
- 居民身份证 (GB 11643-1999): 18 characters, a province code, a real birth date not in the future, and
  the ISO 7064 MOD 11-2 check digit (``0``–``9`` or ``X``).
- 统一社会信用代码 (GB 32100-2015): 18 characters from the 31-character set (no I, O, Z, S, V) and the
  MOD 31 check character.
- Mobile numbers (``1[3-9]`` + 9 digits, an optional ``+86``) and landlines (area code ``0xx``/``0xxx``,
  a 7–8 digit number, an optional extension).
- Postcodes (6 digits), e-mail addresses (a plain shape check), text lengths.
- What is required by applicant kind, by the media and delivery chosen, by proxy filing, and the
  pledge and consent.

:func:`validate` returns a normalised copy (upper-case ``X``, phone spacing removed) or raises
:class:`kiosk.errors.ValidationError` with every error at once.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from kiosk.applications.model import (
    Applicant,
    ApplicantKind,
    Application,
    Delivery,
    IdType,
    Medium,
    ProxyKind,
)
from kiosk.errors import ValidationError
from kiosk.fonts import undrawable

# GB 11643: weights 2^(17-i) mod 11 for the first 17 digits; the check digit indexed by the sum mod 11.
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"
# Province-level codes (first two digits) in use: the mainland, 71 Taiwan, 81/82 Hong Kong/Macao
# residence permits, 83 Taiwan residence permits, 91 (old) overseas.
PROVINCE_CODES = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
        71,
        81,
        82,
        83,
        91,
    }
)

# GB 32100: the 31 characters and the weights 3^(i) mod 31 for positions 1–17.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

MOBILE_RE = re.compile(r"1[3-9]\d{9}")
LANDLINE_RE = re.compile(r"(0\d{2,3})-?([1-9]\d{6,7})(?:(?:-|转|ext\.?)(\d{1,6}))?", re.IGNORECASE)
POSTCODE_RE = re.compile(r"[0-8]\d{5}")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")

MAX_LEN = {
    "applicant.name": 100,
    "applicant.id_number": 40,
    "applicant.employer": 100,
    "applicant.legal_representative": 50,
    "applicant.contact_person": 50,
    "applicant.address": 200,
    "applicant.email": 100,
    "applicant.fax": 30,
    "applicant.id_type_other": 30,
    "request.description": 2000,
    "request.doc_number": 100,
    "request.purpose": 500,
    "proxy.staff_id": 32,
    "proxy.agent_name": 50,
    "proxy.note": 200,
}


# --------------------------------------------------------------------------------- resident ID
def resident_id_check_digit(first17: str) -> str:
    """The GB 11643 check character (``0``–``9`` or ``X``) for 17 digits."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("need exactly 17 ASCII digits")
    total = sum(int(ch) * w for ch, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK[total % 11]


def check_resident_id(number: str, today: date | None = None) -> str | None:
    """None if ``number`` is a well-formed 18-digit resident ID, else why not (plain Chinese)."""
    n = number.strip().upper()
    problem = _resident_id_shape(n) or _resident_id_birth(n, today or date.today())
    if problem:
        return problem
    if resident_id_check_digit(n[:17]) != n[17]:
        return "最后一位不对，请对照身份证核对"
    return None


def _resident_id_shape(n: str) -> str | None:
    if len(n) != 18:
        return f"身份证号码应为18位，现在是{len(n)}位"
    if not (n[:17].isdigit() and n[:17].isascii()) or not (n[17].isdigit() or n[17] == "X"):
        return "身份证号码前17位是数字，最后一位是数字或X"
    if int(n[:2]) not in PROVINCE_CODES:
        return "前两位（省份）不对，请对照身份证核对"
    return None


def _resident_id_birth(n: str, today: date) -> str | None:
    try:
        born = date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return "中间的出生日期不对，请对照身份证核对"
    if born.year < 1900 or born > today:
        return "中间的出生日期不对，请对照身份证核对"
    return None


# ------------------------------------------------------------------------ unified social credit code
def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a unified social credit code."""
    if len(first17) != 17 or any(ch not in USCC_CHARSET for ch in first17):
        raise ValueError("need 17 characters from the GB 32100 character set")
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def check_uscc(code: str) -> str | None:
    """None if ``code`` is a well-formed 统一社会信用代码, else why not (plain Chinese)."""
    c = code.strip().upper()
    if len(c) != 18:
        return f"统一社会信用代码应为18位，现在是{len(c)}位"
    bad = sorted({ch for ch in c if ch not in USCC_CHARSET})
    if bad:
        return f"统一社会信用代码中不应出现字符 {''.join(bad)}（不使用 I、O、Z、S、V）"
    if not c[2:8].isdigit():
        return "第3至8位应为数字，请对照营业执照或登记证书核对"
    if uscc_check_char(c[:17]) != c[17]:
        return "最后一位不对，请对照营业执照或登记证书核对"
    return None


# ------------------------------------------------------------------------------------ phones etc.
def normalise_phone(phone: str) -> str:
    """Spaces dropped, full-width digits and dashes made ASCII, ``+86``/``0086`` dropped from mobiles,
    ``(0731)8456…`` written ``0731-8456…``."""
    p = phone.strip().translate(_FULLWIDTH).replace(" ", "")
    p = re.sub(r"^\((0\d{2,3})\)", r"\1-", p)
    for prefix in ("+86", "0086"):
        if p.startswith(prefix) and MOBILE_RE.fullmatch(p[len(prefix) :].replace("-", "")):
            p = p[len(prefix) :]
    if MOBILE_RE.fullmatch(p.replace("-", "")):
        p = p.replace("-", "")
    return p


_FULLWIDTH = str.maketrans("０１２３４５６７８９－（）＋—", "0123456789-()+-")


def check_phone(phone: str) -> str | None:
    """None if ``phone`` (already normalised) is a mobile or landline number, else why not."""
    if not phone:
        return "请填写联系电话"
    if MOBILE_RE.fullmatch(phone):
        return None
    if LANDLINE_RE.fullmatch(phone):
        return None
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("1"):
        return "手机号码应为1开头的11位数字（第二位为3至9）"
    return "电话号码格式不对：手机填11位，座机填“区号-号码”（如 0731-84561234，分机用“-”隔开）"


def check_postcode(postcode: str) -> str | None:
    return None if POSTCODE_RE.fullmatch(postcode) else "邮政编码应为6位数字"


def check_email(email: str) -> str | None:
    return None if EMAIL_RE.fullmatch(email) else "电子邮箱格式不对（如 name@example.com）"


# ----------------------------------------------------------------------------------- the whole form
def normalise(app: Application) -> Application:
    """A copy with numbers in their canonical spelling (ID upper-case, phones without spaces)."""
    a = app.applicant
    applicant = replace(
        a,
        id_number=a.id_number.strip().replace(" ", "").upper(),
        phone=normalise_phone(a.phone),
        postcode=a.postcode.strip().translate(_FULLWIDTH),
        email=a.email.strip(),
        fax=a.fax.strip(),
    )
    proxy = app.proxy
    if proxy is not None and proxy.agent_phone:
        proxy = replace(proxy, agent_phone=normalise_phone(proxy.agent_phone))
    return replace(app, applicant=applicant, proxy=proxy)


def validate(app: Application, today: date | None = None) -> Application:
    """The normalised application if it can be submitted; else ValidationError with every problem."""
    app = normalise(app)
    errors: dict[str, str] = {}
    _check_identity(app.applicant, errors, today)
    _check_contact(app.applicant, errors)
    _check_request(app, errors)
    _check_proxy_and_consent(app, errors)
    for path, limit in MAX_LEN.items():
        value = _field(app, path)
        if len(value) > limit and path not in errors:
            errors[path] = f"内容过长（最多{limit}字）"
    if errors:
        raise ValidationError(errors)
    return app


def _check_identity(a: Applicant, errors: dict[str, str], today: date | None) -> None:
    citizen = a.kind is ApplicantKind.CITIZEN
    if not a.name:
        errors["applicant.name"] = "请填写姓名" if citizen else "请填写单位名称"
    if citizen and a.id_type is IdType.USCC:
        errors["applicant.id_type"] = "公民请选择居民身份证或其他个人证件"
    if not citizen and a.id_type is IdType.RESIDENT_ID:
        errors["applicant.id_type"] = "法人或者其他组织请填写统一社会信用代码或其他证照"
    if a.id_type is IdType.OTHER and not a.id_type_other:
        errors["applicant.id_type_other"] = "请写明证件名称"
    if not a.id_number:
        errors["applicant.id_number"] = "请填写证件号码"
        return
    checker = {IdType.RESIDENT_ID: lambda n: check_resident_id(n, today), IdType.USCC: check_uscc}.get(a.id_type)
    if checker is not None and (msg := checker(a.id_number)):
        errors["applicant.id_number"] = msg


def _check_contact(a: Applicant, errors: dict[str, str]) -> None:
    if a.kind is ApplicantKind.ORGANISATION:
        if not a.legal_representative:
            errors["applicant.legal_representative"] = "请填写法定代表人或者主要负责人"
        if not a.contact_person:
            errors["applicant.contact_person"] = "请填写联系人姓名"
    if msg := check_phone(a.phone):
        errors["applicant.phone"] = msg
    if not a.address:
        errors["applicant.address"] = "请填写通信地址"
    if a.postcode and (msg := check_postcode(a.postcode)):
        errors["applicant.postcode"] = msg
    if a.email and (msg := check_email(a.email)):
        errors["applicant.email"] = msg
    if a.fax and not LANDLINE_RE.fullmatch(normalise_phone(a.fax)):
        errors["applicant.fax"] = "传真号码格式不对（区号-号码）"


def _check_request(app: Application, errors: dict[str, str]) -> None:
    if not app.request.description:
        errors["request.description"] = "请填写所需信息的名称、文号或者其他特征性描述"
    elif len(app.request.description) < 4:
        errors["request.description"] = "所需信息描述太短，请写明信息名称、文号或其他便于查找的特征"
    if not app.media:
        errors["media"] = "请至少选择一种信息载体形式"
    if not app.delivery:
        errors["delivery"] = "请至少选择一种获取方式"
    if Delivery.EMAIL in app.delivery and Medium.EMAIL not in app.media:
        errors["delivery"] = "选择电子邮件获取时，载体形式应包含电子邮件"
    needs_email = Medium.EMAIL in app.media or Delivery.EMAIL in app.delivery
    if needs_email and not app.applicant.email:
        errors.setdefault("applicant.email", "选择电子邮件时请填写电子邮箱")
    if Delivery.POST in app.delivery and not app.applicant.postcode:
        errors.setdefault("applicant.postcode", "选择邮寄时请填写邮政编码")


def _check_proxy_and_consent(app: Application, errors: dict[str, str]) -> None:
    if app.proxy is not None:
        if app.proxy.kind is ProxyKind.STAFF and not app.proxy.staff_id:
            errors["proxy.staff_id"] = "工作人员代为填写时请填写工号"
        if app.proxy.kind is ProxyKind.AGENT and not app.proxy.agent_name:
            errors["proxy.agent_name"] = "代理人代为填写时请填写代理人姓名"
        if app.proxy.agent_phone and (msg := check_phone(app.proxy.agent_phone)):
            errors["proxy.agent_phone"] = msg
    if not app.pledge_accepted:
        errors["pledge_accepted"] = "请阅读并确认申请人承诺"
    if not app.consent_personal_data:
        errors["consent_personal_data"] = "请同意为办理申请处理您的个人信息，否则无法提交"


def _field(app: Application, path: str) -> str:
    section, _, name = path.partition(".")
    obj = {"applicant": app.applicant, "request": app.request, "proxy": app.proxy}[section]
    value = getattr(obj, name, "") if obj is not None else ""
    return value if isinstance(value, str) else ""


# ------------------------------------------------------------------------ characters no font draws
DRAWN_FIELDS = {
    "applicant.name": "姓名或名称",
    "applicant.employer": "工作单位",
    "applicant.legal_representative": "法定代表人",
    "applicant.contact_person": "联系人",
    "applicant.address": "通信地址",
    "request.description": "所需信息描述",
    "proxy.agent_name": "代理人姓名",
}


def drawing_warnings(app: Application) -> dict[str, str]:
    """For staff, never the resident: the fields holding a character no bundled font can draw (it
    would print as a box), each with the characters by code point, so staff can check with the
    applicant. Such characters are rare (added to Unicode after the fonts were made) and allowed."""
    out: dict[str, str] = {}
    for path, label in DRAWN_FIELDS.items():
        missing = undrawable(_field(app, path))
        if missing:
            codes = "、".join(f"U+{ord(ch):04X}" for ch in missing)
            out[path] = f"{label}中有{len(missing)}个字没有可用字体（{codes}），打印时会显示为方框，请与申请人核对"
    return out
