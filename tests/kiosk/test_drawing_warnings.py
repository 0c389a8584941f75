"""Validation tells staff when a name holds a character no bundled font can draw (it would print as a box)."""

from __future__ import annotations

import pytest

from kiosk.applications.model import Applicant, ApplicantKind, Application, IdType, RequestedInfo
from kiosk.applications.validation import drawing_warnings, validate
from kiosk.errors import ValidationError


def app(name: str) -> Application:
    return Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name=name,
            id_type=IdType.RESIDENT_ID,
            id_number="11010519491231002X",
            phone="13912345678",
            address="万宝镇",
        ),
        request=RequestedInfo(description="2025年低保名单"),
    )


def test_every_drawable_name_has_no_warning() -> None:
    for name in (
        "王小明",
        "李䶮",
        "张\U00020001",
        "阿卜杜热合曼·买买提",
        "金\uf900",
        "王\u9fff",
        "李\U00030000",
        "ئەخمەت تۇرسۇن",
        "ᠪᠠᠲᠦ",
        "བཀྲ་ཤིས་",
        "김민준",
        "ꆈꌠꁱꂷ",
        "Łukasz Świątek",
        "Nguyễn",
        "Ἑλένη",
        "Ғалия",
    ):  # Unicode 14, Extension G (BabelStone Han) and every script of an identity card draw now
        assert drawing_warnings(app(name)) == {}, name


def test_a_character_no_font_has_is_named_by_code_point_for_staff() -> None:
    warnings = drawing_warnings(app("王\U00030041\U0002b73a"))  # Extension G / C characters no face has
    assert list(warnings) == ["applicant.name"]
    assert "U+30041" in warnings["applicant.name"]
    assert "方框" in warnings["applicant.name"]


def test_such_a_name_is_still_accepted() -> None:
    # the resident is never stopped by it: validation errors are the resident's, this warning is staff's
    with pytest.raises(ValidationError) as err:  # the pledge and consent are missing on purpose
        validate(app("王\U00030041"))
    assert "applicant.name" not in err.value.errors
    assert "pledge_accepted" in err.value.errors
