"""The Chinese words of a refused content-pack line: every field a pack may carry has its Chinese name, and
every message this Python's JSON parser gives is said in Chinese (a new Python's wording would leak English)."""

from __future__ import annotations

import json
import re

import pytest

from kiosk.contentpack import _DOC_FIELDS
from kiosk.contentpack_words import FIELDS, json_reason, label

BAD_JSON = [
    "",
    "{a: 1}",
    '{"a" 1}',
    '{"a": 1 "b": 2}',
    '"abc',
    '"a\nb"',
    '"\\x"',
    '"\\u12"',
    "{} x",
    '{"a": 1,}',
    "[1,]",
]


@pytest.mark.parametrize("text", BAD_JSON)
def test_every_json_parser_message_is_said_in_chinese(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as err:
        json.loads(text)
    said = json_reason(err.value.msg)
    words = set(re.findall(r"[A-Za-z]{3,}", said)) - {"JSON", "uXXXX"}  # the format's name, the escape's form
    assert re.search(r"[\u4e00-\u9fff]", said) and not words, (err.value.msg, said)


def test_every_field_has_its_chinese_name() -> None:
    zone_and_category = {"code", "name", "kind", "prefix", "address", "hours", "phone", "sort_order", "facet"}
    attachment = {"name", "mime", "sha256", "path", "data_base64", "size"}
    for key in _DOC_FIELDS | zone_and_category | attachment | {"icon", "description"}:
        assert key in FIELDS, key
    assert label("title") == "标题（title）" and label("no_such") == "no_such"
