"""``python -m sync.server.office.bench``: what the office's features cost, each beside a baseline
measured in the same run (docs/benchmarks.md, "Office").

1. the calendar's part of every manifest request: the payload built from the database and hashed per
   request (now, so a published year reaches terminals at once) against the old constant payload
   hashed once (baseline: hashing the same payload again);
2. a reply deadline counted over an unpublished year (the statutory rule: lunar dates, 补假) against one
   over a year the package knows, each with a fresh calendar as the server uses per request;
3. the month's evaluation over N visits in 12 zones against the bare reading of the same rows
   (baseline: ``json.loads`` of every payload, nothing counted);
4. recounting M open deadlines after a year is published, per case.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import select

from kiosk.workdays import reply_deadline
from sync.protocol.signing import canonical
from sync.server.db import Submission, ZoneRow, open_db, sessions
from sync.server.feed import calendar as cal
from sync.server.office import evaluation as ev
from sync.server.office import lifecycle as lc


def _time(fn: Callable[[], object], repeat: int) -> float:
    """Best of three runs of ``repeat`` calls, in ms per call."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - t0) / repeat * 1000)
    return best


def run(visits: int, cases: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-office-"))
    engine = open_db(str(tmp / "district.db"))
    make = sessions(engine)
    out: dict[str, float] = {}

    with make() as s:
        payload = cal.build_payload(s)
        out["manifest_calendar_dynamic_ms"] = _time(
            lambda: hashlib.sha256(canonical(cal.build_payload(s))).hexdigest(), 200
        )
        out["manifest_calendar_constant_ms"] = _time(lambda: hashlib.sha256(canonical(payload)).hexdigest(), 200)
        out["deadline_statutory_year_ms"] = _time(lambda: reply_deadline(date(2027, 1, 29), cal.work_calendar(s)), 50)
        out["deadline_package_year_ms"] = _time(lambda: reply_deadline(date(2026, 1, 29), cal.work_calendar(s)), 50)
    rnd = random.Random(1)  # noqa: S311 - made-up data, not secrets
    zones = [f"z{i:02d}" for i in range(12)]
    with make() as s, s.begin():
        for i, z in enumerate(zones):
            s.add(ZoneRow(code=z, data=json.dumps({"code": z, "name": f"专区{i}", "sort_order": i})))
        for n in range(visits):
            at = f"2026-11-{rnd.randint(1, 28):02d}T10:00:00+08:00"
            events: list[dict[str, object]] = [{"type": "session", "at": at}]
            events += [{"type": "doc_read", "at": at, "category": "policy"} for _ in range(rnd.randint(0, 3))]
            events.append({"type": "search", "at": at, "hits": rnd.randint(0, 3)})
            s.add(
                Submission(
                    terminal_id="t",
                    zone=rnd.choice(zones),
                    kind="usage",
                    idem_key=f"u{n}",
                    payload=json.dumps({"events": events, "counters": {}}),
                    response="",
                )
            )
        for n in range(visits // 10):
            s.add(
                Submission(
                    terminal_id="t",
                    zone=rnd.choice(zones),
                    kind="rating",
                    idem_key=f"r{n}",
                    payload=json.dumps({"level": rnd.randint(1, 5), "at": "2026-11-10T02:00:00Z"}),
                    response="",
                )
            )
    with make() as s:
        out["evaluation_month_ms"] = _time(lambda: ev.build(s, "2026-11"), 1)
        out["evaluation_read_only_ms"] = _time(
            lambda: [json.loads(p) for p in s.scalars(select(Submission.payload))], 1
        )
    with make() as s, s.begin():
        for n in range(cases):
            lc.intake(s, tracking_no=f"B{n:05d}", zone="z00", received_on=date(2026, 12, 1 + n % 28), actor="bench")
    arrangement = json.loads(
        (Path(__file__).resolve().parents[2] / "tests/sync/data/arrangement-2027.json").read_text()
    )
    year, source, entry = cal.parse_arrangement(arrangement)
    with make() as s, s.begin():
        cal.publish_year(s, year, source, entry, by="bench")
        t0 = time.perf_counter()
        moved = lc.recompute_open(s, actor="bench", reason="bench", today=lc.china_today())
        out["recount_per_case_ms"] = (time.perf_counter() - t0) / cases * 1000
        out["recount_moved"] = float(len(moved))
    out["visits"], out["cases"] = float(visits), float(cases)
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sync.server.office.bench")
    p.add_argument("--visits", type=int, default=10_000)
    p.add_argument("--cases", type=int, default=500)
    args = p.parse_args(argv)
    r = run(args.visits, args.cases)
    print(json.dumps(r, indent=1))
    dyn, const = r["manifest_calendar_dynamic_ms"], r["manifest_calendar_constant_ms"]
    print(f"manifest calendar: {dyn:.2f} ms per request vs {const:.3f} ms constant ({dyn / const:.0f}x)")
    print(
        f"deadline over an unpublished year: {r['deadline_statutory_year_ms']:.2f} ms vs "
        f"{r['deadline_package_year_ms']:.2f} ms over a package year "
        f"({r['deadline_statutory_year_ms'] / r['deadline_package_year_ms']:.1f}x)"
    )
    ratio = r["evaluation_month_ms"] / r["evaluation_read_only_ms"]
    print(
        f"evaluation of {args.visits} visits: {r['evaluation_month_ms']:.0f} ms vs "
        f"{r['evaluation_read_only_ms']:.0f} ms just reading them ({ratio:.1f}x)"
    )
    print(f"recount: {r['recount_per_case_ms']:.2f} ms per open case ({int(r['recount_moved'])} of {args.cases} moved)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
