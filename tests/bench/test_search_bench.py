"""The search benchmark's parts on a small scale: the corpus-derived generator (deterministic,
realistic sizes and fields), and a whole bench run through the real import path and through the bulk
path, whose mirrors must answer every benchmark query alike."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from kiosk.bench import search as bench
from kiosk.bench.search_corpus import generate, load_district
from kiosk.bench.search_peer import Tantivy, peer_report_md, stages_md
from kiosk.paths import demo_dir


def test_generator_is_deterministic_and_realistic(corpus_path: Path) -> None:
    district = load_district(demo_dir() / "district.jsonl")
    docs = list(generate(corpus_path, district, 400))
    assert docs == list(generate(corpus_path, district, 400))
    sizes = sorted(len(d["body"].encode()) for d in docs)
    assert sizes[0] >= 600 and sizes[-1] <= 40_000 + 10_000  # a last paragraph may overshoot
    assert 2_000 <= sizes[len(sizes) // 2] <= 4_500  # median about 3 KB
    assert sum(1_000 <= x <= 10_000 for x in sizes) / len(sizes) > 0.85
    zones = {z["code"] for z in district.zones}
    assert {d["zone"] for d in docs} - {None} <= zones
    assert 0.3 < sum(d["zone"] is None for d in docs) / len(docs) < 0.5
    assert {d["status"] for d in docs} == {"in_force", "amended", "repealed"}
    assert all(d["categories"][0].startswith("type-") for d in docs)
    assert len({d["title"] for d in docs}) > 350
    assert any("〔" in (d["doc_number"] or "") for d in docs)


def test_percentile() -> None:
    values = [float(i) for i in range(1, 101)]
    assert bench.percentile(values, 50) == 50.0
    assert bench.percentile(values, 95) == 95.0
    assert bench.percentile(values, 99) == 99.0
    assert bench.percentile([3.0], 95) == 3.0


@pytest.mark.slow
def test_bench_run_real_and_bulk_paths_agree(
    tmp_path: Path, corpus_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = bench.bench_size(150, tmp_path / "real", corpus_path, 1, real_import_max=1_000)
    bulk = bench.bench_size(150, tmp_path / "bulk", corpus_path, 1, real_import_max=0)
    assert real["imported"] == bulk["imported"] == 150
    assert real["path"].startswith("kiosk import") and bulk["path"].startswith("bulk")
    assert real["totals"] == bulk["totals"]  # the same index either way
    assert sum(real["totals"].values()) > 0
    for r in (real, bulk):
        assert r["size"]["search_index"] > 0 and r["size"]["file"] > r["size"]["search_index"]
        assert 0 < r["search_ms"]["p50"] <= r["search_ms"]["p95"] <= r["search_ms"]["p99"]
        assert r["like_ms"]["p50"] > 0
    md = bench.report_md([real, bulk], "python -m kiosk bench search --docs 150")
    assert md.count("| 150 |") == 2 and "LIKE" in md
    # the command writes the report and the raw figures
    out = tmp_path / "cmd"
    args = argparse.Namespace(
        docs="120", out=out, rounds=1, corpus=corpus_path, keep=False, reuse=False, real_import_max=0, peer=None
    )
    assert bench.run(args) == 0
    assert "| 120 |" in (out / "report.md").read_text(encoding="utf-8")
    assert json.loads((out / "results.json").read_text(encoding="utf-8"))[0]["docs"] == 120
    assert not list(out.glob("*.db"))  # mirrors removed without --keep
    capsys.readouterr()


@pytest.mark.slow
def test_tantivy_peer_indexes_the_same_pack_and_does_the_same_work(tmp_path: Path, corpus_path: Path) -> None:
    r = bench.bench_size(150, tmp_path, corpus_path, 1, real_import_max=0, peer="tantivy")
    assert r["peer_build"]["docs"] == 150 and r["peer_build"]["build_s"] > 0 and r["peer_build"]["bytes"] > 0
    for key in ("pair_ms", "pair_cpu_ms", "peer_ms", "peer_cpu_ms"):
        assert 0 < r[key]["p50"] <= r[key]["p95"] <= r[key]["p99"], key
    plain = [q for q in bench.QUERIES if q.isalpha() and not q.isascii() and len(q) > 1]
    assert sum(r["peer_totals"][q] for q in plain) > 0
    for q in plain:  # ours also matches synonyms and partial matches: never fewer
        assert r["totals"][q] >= r["peer_totals"][q], q
    peer = Tantivy(tmp_path / "tantivy-150")
    peer.reopen()
    q = max(plain, key=lambda x: r["peer_totals"][x])
    total, page = peer.search(q)
    assert total == r["peer_totals"][q] and 0 < len(page) <= 20
    assert all(doc_id and "<b>" in snip + title for doc_id, title, snip in page)
    # looking for the same alternatives, the peer counts what our strict match counts
    assert r["peer_same_ms"]["p50"] > 0 and r["peer_same_cpu_ms"]["p95"] > 0
    for q in plain:
        assert r["peer_totals"][q] <= r["peer_same_totals"][q] <= r["totals"][q], q
    n, _, of = r["peer_same_totals_equal"].split()[:3]
    assert int(n) == int(of) > 0, r["peer_same_totals_equal"]
    md = peer_report_md([r], "tantivy")
    assert "| 150 |" in md and "tantivy build" in md and "same alternatives" in md
    stages = r["stages_cpu_ms"]
    assert stages["total"] > 0 and 0 < stages["fill"] <= stages["window"] <= stages["total"]
    assert 0 < stages["snippet"] <= stages["_hits"] <= stages["total"]
    assert "| window |" in stages_md([r], "tantivy")
