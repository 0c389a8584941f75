"""The background loop's timing: the interval after success, exponential backoff with jitter after
failures, bounded."""

from __future__ import annotations

import random

from sync.loop import BACKOFF_BASE_S, BACKOFF_MAX_S, next_delay


def test_interval_after_success_and_backoff_after_failures() -> None:
    rng = random.Random(7)
    assert all(270 <= next_delay(300, 0, rng) <= 330 for _ in range(100))
    first = [next_delay(300, 1, rng) for _ in range(200)]
    later = [next_delay(300, 5, rng) for _ in range(200)]
    assert all(BACKOFF_BASE_S / 2 <= d <= 2 * BACKOFF_BASE_S for d in first)
    assert max(later) > 2 * BACKOFF_BASE_S and len(set(later)) > 150  # grows, and jittered
    assert all(d <= BACKOFF_MAX_S for d in (next_delay(300, n, rng) for n in range(60)))
