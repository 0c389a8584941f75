"""DLE EOT replies read the way Epson's ESC/POS reference lays the bits out."""

from __future__ import annotations

import pytest

from printing.backends.base import parse_status


@pytest.mark.parametrize(
    ("replies", "ready", "reason", "near_end"),
    [
        ({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}, True, "", False),
        ({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E}, True, "", True),  # roll near end: a warning
        ({1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E}, False, "paper_out", True),
        ({1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12}, False, "cover_open", False),
        ({1: 0x1A, 2: 0x12, 3: 0x12, 4: 0x12}, False, "offline", False),
        ({1: 0x1A, 2: 0x52, 3: 0x1A, 4: 0x12}, False, "error", False),  # autocutter error
    ],
)
def test_status_bits(replies: dict[int, int], ready: bool, reason: str, near_end: bool) -> None:
    status = parse_status(replies)
    assert (status.ready, status.reason, status.paper_near_end) == (ready, reason, near_end)
    assert status.two_way
