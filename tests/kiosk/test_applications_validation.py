"""Validation of applications: GB 11643 / GB 32100 check characters (property tests against an
independent formulation), phones, postcodes, e-mail and the per-kind required fields."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.applications.model import (
    Applicant,
    ApplicantKind,
    Application,
    Delivery,
    IdType,
    Medium,
    Proxy,
    ProxyKind,
    RequestedInfo,
)
from kiosk.applications.validation import (
    USCC_CHARSET,
    check_phone,
    check_resident_id,
    check_uscc,
    normalise_phone,
    resident_id_check_digit,
    uscc_check_char,
    validate,
)
from kiosk.errors import ValidationError

TODAY = date(2026, 11, 27)


def iso7064_mod11_2(digits: str) -> str:
    """ISO 7064 MOD 11-2 in its recursive form (not the weight table the code uses)."""
    p = 0
    for ch in digits:
        p = ((p + int(ch)) * 2) % 11
    c = (12 - p) % 11
    return "X" if c == 10 else str(c)


def gb32100_recursive(chars: str) -> str:
    total = sum(USCC_CHARSET.index(ch) * pow(3, i, 31) for i, ch in enumerate(chars))
    return USCC_CHARSET[-total % 31]


births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
provinces = st.sampled_from(["11", "31", "43", "44", "65", "81"])
body = st.text(alphabet="0123456789", min_size=4, max_size=4)
seqs = st.text(alphabet="0123456789", min_size=3, max_size=3)


def make_id(prov: str, rest: str, born: date, seq: str) -> str:
    first17 = f"{prov}{rest}{born:%Y%m%d}{seq}"
    return first17 + iso7064_mod11_2(first17)


@settings(max_examples=150, deadline=None)
@given(provinces, body, births, seqs)
def test_resident_id_check_digit_matches_iso7064(prov: str, rest: str, born: date, seq: str) -> None:
    number = make_id(prov, rest, born, seq)
    assert resident_id_check_digit(number[:17]) == number[17]
    assert check_resident_id(number, TODAY) is None
    assert check_resident_id(number.lower(), TODAY) is None  # a lower-case x is accepted


@settings(max_examples=150, deadline=None)
@given(provinces, body, births, seqs, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_resident_id_any_single_change_is_caught(prov: str, rest: str, born: date, seq: str, pos: int, ch: str) -> None:
    number = make_id(prov, rest, born, seq)
    if number[pos] == ch or (pos < 17 and ch == "X"):
        return
    changed = number[:pos] + ch + number[pos + 1 :]
    assert check_resident_id(changed, TODAY) is not None


@settings(max_examples=150, deadline=None)
@given(provinces, body, births, seqs, st.integers(0, 16))
def test_resident_id_adjacent_transposition_is_caught(prov: str, rest: str, born: date, seq: str, pos: int) -> None:
    number = make_id(prov, rest, born, seq)
    if number[pos] == number[pos + 1]:
        return
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    assert check_resident_id(swapped, TODAY) is not None


uscc_body = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17).map(lambda s: s[:2] + "110105" + s[8:])


@settings(max_examples=150, deadline=None)
@given(uscc_body, st.integers(0, 17), st.sampled_from(USCC_CHARSET))
def test_uscc_check_char_matches_recursive_form_and_catches_changes(first17: str, pos: int, ch: str) -> None:
    code = first17 + gb32100_recursive(first17)
    assert uscc_check_char(first17) == code[17]
    assert check_uscc(code) is None
    if code[pos] != ch:
        assert check_uscc(code[:pos] + ch + code[pos + 1 :]) is not None


@pytest.mark.parametrize(
    "code", ["91350100M000100Y43", "91110000802100433B", "91440300708461136T", "911100001000044477"]
)
def test_real_published_credit_codes_pass(code: str) -> None:
    assert check_uscc(code) is None


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("43010219900307123", "18位"),
        ("4301021990030712X4", "前17位"),
        ("990102199003071234", "省份"),
        ("430102199002301233", "出生日期"),  # 30 February
        ("430102203001011239", "出生日期"),  # born in the future
    ],
)
def test_resident_id_errors_say_what_is_wrong(number: str, fragment: str) -> None:
    message = check_resident_id(number, TODAY)
    assert message is not None
    assert fragment in message


def test_uscc_rejects_letters_outside_the_set() -> None:
    message = check_uscc("91350100M000100O43")
    assert message is not None
    assert "O" in message


@pytest.mark.parametrize(
    ("raw", "normal", "ok"),
    [
        ("13812345678", "13812345678", True),
        ("138 1234 5678", "13812345678", True),
        ("+86 138-1234-5678", "13812345678", True),
        ("１３８１２３４５６７８", "13812345678", True),
        ("12812345678", "12812345678", False),
        ("1381234567", "1381234567", False),
        ("0731-84561234", "0731-84561234", True),
        ("(010)62345678", "010-62345678", True),
        ("0731-84561234-806", "0731-84561234-806", True),
        ("84561234", "84561234", False),  # no area code
        ("0731-0456123", "0731-0456123", False),  # a local number never starts with 0
    ],
)
def test_phone_numbers(raw: str, normal: str, ok: bool) -> None:
    p = normalise_phone(raw)
    assert p == normal
    assert (check_phone(p) is None) is ok


def citizen(**changes: object) -> Application:
    app = Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name="王喆",
            id_type=IdType.RESIDENT_ID,
            id_number=make_id("43", "0102", date(1990, 3, 7), "123"),
            phone="138 1234 5678",
            address="湖南省长沙市芙蓉区五一大道1号",
            postcode="410011",
        ),
        request=RequestedInfo(description="2025年本区老旧小区改造项目清单"),
        media=(Medium.PAPER,),
        delivery=(Delivery.POST,),
        pledge_accepted=True,
        consent_personal_data=True,
    )
    return replace(app, **changes)  # type: ignore[arg-type]


def errors_of(app: Application) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        validate(app, TODAY)
    return info.value.errors


def test_a_good_citizen_application_passes_normalised() -> None:
    ok = validate(citizen(), TODAY)
    assert ok.applicant.phone == "13812345678"


def test_organisation_needs_representative_contact_and_credit_code() -> None:
    app = citizen(
        applicant=Applicant(
            kind=ApplicantKind.ORGANISATION,
            name="长沙某某科技有限公司",
            id_type=IdType.USCC,
            id_number="91350100M000100Y44",
            phone="0731-84561234",
            address="长沙市岳麓区",
            postcode="410000",
        )
    )
    errs = errors_of(app)
    assert set(errs) == {"applicant.id_number", "applicant.legal_representative", "applicant.contact_person"}
    assert errs["applicant.id_number"] == "最后一位不对，请对照营业执照或登记证书核对"


def test_every_problem_is_reported_at_once_in_chinese() -> None:
    app = citizen(
        applicant=replace(citizen().applicant, name="", phone="12345", postcode="41001", email="a@"),
        request=RequestedInfo(description=""),
        media=(Medium.PAPER,),
        delivery=(Delivery.EMAIL,),
        pledge_accepted=False,
        consent_personal_data=False,
        proxy=Proxy(kind=ProxyKind.STAFF),
    )
    errs = errors_of(app)
    assert set(errs) == {
        "applicant.name",
        "applicant.phone",
        "applicant.postcode",
        "applicant.email",
        "request.description",
        "delivery",
        "pledge_accepted",
        "consent_personal_data",
        "proxy.staff_id",
    }
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in errs.values())


def test_conditional_requirements() -> None:
    errs = errors_of(citizen(applicant=replace(citizen().applicant, postcode=""), media=(Medium.EMAIL,)))
    assert errs == {"applicant.postcode": "选择邮寄时请填写邮政编码", "applicant.email": "选择电子邮件时请填写电子邮箱"}
    errs = errors_of(citizen(applicant=replace(citizen().applicant, id_type=IdType.OTHER)))
    assert set(errs) == {"applicant.id_type_other"}
    errs = errors_of(citizen(applicant=replace(citizen().applicant, id_type=IdType.USCC)))
    assert "applicant.id_type" in errs


def test_other_documents_are_not_checksummed() -> None:
    app = citizen(applicant=replace(citizen().applicant, id_type=IdType.PASSPORT, id_number="E12345678"))
    assert validate(app, TODAY).applicant.id_number == "E12345678"


def test_lengths_are_capped() -> None:
    errs = errors_of(citizen(request=RequestedInfo(description="信" * 2001)))
    assert errs == {"request.description": "内容过长（最多2000字）"}


def test_a_wrong_last_digit_is_said_in_plain_words() -> None:
    body = "43130219500612003"
    right = resident_id_check_digit(body)
    wrong = "0" if right != "0" else "1"
    assert check_resident_id(body + wrong) == "最后一位不对，请对照身份证核对"
    assert check_resident_id(body + right) is None
    said = [check_resident_id(n) for n in ("43010219900307123", "990102199003071234", "430102199002301233")]
    assert all(s and "校验" not in s and "代码" not in s for s in said), said
