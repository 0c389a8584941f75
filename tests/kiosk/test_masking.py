"""The privacy mask on receipts and staff lists shows no more digits than intended, for any number."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from kiosk.applications.model import mask_email, mask_phone
from kiosk.applications.validation import check_phone, normalise_phone

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def visible(masked: str) -> str:
    return re.sub(r"\D", "", masked)


@st.composite
def mobiles(draw: st.DrawFn) -> tuple[str, str]:
    number = "1" + draw(st.sampled_from("3456789")) + draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086"]))
    spaced = draw(st.booleans())
    shown = f"{number[:3]} {number[3:7]} {number[7:]}" if spaced else number
    return prefix + shown, number


@st.composite
def landlines(draw: st.DrawFn) -> tuple[str, str, str, str]:
    area = "0" + draw(st.text(alphabet="0123456789", min_size=2, max_size=3))
    number = draw(st.sampled_from("123456789")) + draw(st.text(alphabet="0123456789", min_size=6, max_size=7))
    ext = draw(st.one_of(st.just(""), st.text(alphabet="0123456789", min_size=1, max_size=6)))
    sep = draw(st.sampled_from(["-", "转", "ext", "#"]))
    phone = f"{area}-{number}" + (f"{sep}{ext}" if ext else "")
    return phone, area, number, ext


@given(mobiles())
def test_a_mobile_shows_its_first_three_and_last_four_digits_only(case: tuple[str, str]) -> None:
    phone, number = case
    masked = mask_phone(phone)
    assert visible(masked) == number[:3] + number[-4:]
    assert masked == number[:3] + "****" + number[-4:]


@given(landlines())
def test_a_landline_shows_its_area_code_and_last_four_digits_never_the_extension(
    case: tuple[str, str, str, str],
) -> None:
    phone, area, number, ext = case
    masked = mask_phone(phone)
    assert visible(masked) == area + number[-4:], (phone, masked)
    assert len(visible(masked)) <= 8
    if ext:
        assert masked.endswith("*" * len(ext))


@given(landlines())
def test_masking_a_normalised_valid_landline_shows_no_more(case: tuple[str, str, str, str]) -> None:
    phone, area, number, _ = case
    normal = normalise_phone(phone)
    if check_phone(normal) is None:  # what validation lets through is what gets printed
        assert visible(mask_phone(normal)) == area + number[-4:]


@given(st.text(max_size=40))
def test_anything_else_shows_at_most_four_digits_more_than_a_landline(text: str) -> None:
    masked = mask_phone(text)
    assert len(visible(masked)) <= 8
    assert len(masked) == len(text.strip())


def test_the_reported_case_and_e_mail() -> None:
    assert mask_phone("0738-8123456-806") == "0738-***3456-***"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_email("zhangsan@example.com") == "z*******@example.com"
    assert mask_email("a@b.cn") == "a***@b.cn"


@given(st.emails())
def test_an_e_mail_keeps_one_character_of_its_local_part(email: str) -> None:
    masked = mask_email(email)
    local = email.rpartition("@")[0]
    assert masked.endswith("@" + email.rpartition("@")[2])
    assert masked[0] == local[0] and set(masked.rpartition("@")[0][1:]) == {"*"}
