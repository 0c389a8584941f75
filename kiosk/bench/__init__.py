"""Benchmarks run by ``kiosk bench NAME`` (see kiosk/cli/bench_cmd.py); not tests."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def time_builds(fn: Callable[[], bytes], repeat: int) -> tuple[float, float, int]:
    """Median and 95th-percentile milliseconds of ``repeat`` calls after one warm-up, and the output size."""
    size = len(fn())  # warm-up
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, size
