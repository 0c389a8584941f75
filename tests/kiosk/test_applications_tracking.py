"""Tracking numbers as residents type them: every loose reading maps to the canonical number, and
nothing that could not be one is invented."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.applications.tracking import TRACKING_RE, format_tracking_no, terminal_code, tracking_candidates


@pytest.mark.parametrize(
    "typed",
    [
        "WB01-20261208-0001",
        "WB0120261208 0001",  # the case: no hyphens, a space before the sequence
        "WB01202612080001",
        "wb01-20261208-0001",
        " wb 01 2026 1208 0001 ",
        "WB01—20261208－0001",  # a long dash and a full-width hyphen
        "WBO1-2O26I2O8-OOO1",  # O for 0 and I for 1 where only digits can be
        "wbo1202612o8oool",  # the same in lower case, with l for 1
        "W B 0 1 2 0 2 6 1 2 0 8 0 0 0 1",
    ],
)
def test_loose_readings_give_the_canonical_number(typed: str) -> None:
    assert tracking_candidates(typed)[0] == "WB01-20261208-0001"


def test_letters_in_the_prefix_are_restored_from_digits() -> None:
    assert tracking_candidates("W801-20261208-0001") == []  # 8 is not B: no guessing beyond O/0, I/1
    assert tracking_candidates("0B01-20261208-0001") == ["OB01-20261208-0001"]
    assert tracking_candidates("1JK0120261208 0001")[0] == "IJK01-20261208-0001"


def test_a_base32_terminal_code_is_kept_and_an_ambiguous_one_tried_both_ways() -> None:
    code = terminal_code("kiosk-lobby")  # two base-32 characters
    number = format_tracking_no("XYZW", "kiosk-lobby", date(2026, 2, 13), 1)
    assert code.isalpha() or not code.isdigit()
    assert tracking_candidates(number.replace("-", "").lower())[0] == number
    # "OI" is a possible base-32 code and also a mistyped "01": both readings, the literal one first
    assert tracking_candidates("WBOI202612080001") == ["WBOI-20261208-0001", "WB01-20261208-0001"]
    # a code with a 0 or 1 in it cannot be base 32: only the digits reading
    assert tracking_candidates("WBO1202612080001") == ["WB01-20261208-0001"]


def test_every_candidate_is_a_well_formed_tracking_number() -> None:
    for typed in ("WB0120261208 0001", "WBOI202612080001", "abcd1220261208 12345", "QQ0O2O27O1O1OOO7"):
        for candidate in tracking_candidates(typed):
            assert TRACKING_RE.fullmatch(candidate), candidate


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "WB01",
        "WB01-2026-1",
        "WB0120261340 0001",
        "WB01-20261208-001",
        "低保",
        "WB01-20261208-0001号",
        "12345678901234567",
    ],
)
def test_what_cannot_be_a_tracking_number_gives_nothing(typed: str) -> None:
    assert tracking_candidates(typed) == []


def test_a_longer_sequence_and_a_longer_prefix() -> None:
    assert tracking_candidates("lxq0720270104 12345") == ["LXQ07-20270104-12345"]
    assert tracking_candidates("DIST01-20261208-0001") == ["DIST01-20261208-0001"]
