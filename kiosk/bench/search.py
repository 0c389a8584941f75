"""Search benchmark: import time, mirror size and search latency at 10,000 and 100,000 documents.

``python -m kiosk bench search [--docs 10000,100000] [--out DIR] [--rounds N] [--peer tantivy]``

For each size it generates a content pack from the shared corpus (:mod:`kiosk.bench.search_corpus`),
imports it into a fresh mirror through the real import path (``kiosk.contentpack.import_pack``, which
goes through ``kiosk.mirror.store.apply_documents`` and the search index), and measures:

- import wall time and CPU time, the part spent in search indexing, and as baseline the same
  documents written with one plain ``executemany`` into an un-indexed table in the same run;
- the mirror's size on disk and the search index's share of it (SQLite ``dbstat``);
- latency p50/p95/p99 of :func:`kiosk.search.search` (first page of 20 with total count and snippets)
  over :data:`QUERIES`, beside the search as it was before query understanding (the ``old`` engine of
  :mod:`kiosk.bench.search_eval`, read from git) and a plain ``LIKE '%q%'`` scan over title and body
  on the same mirror (first page of 20 plus the count, as the search does).

With ``--peer tantivy`` the same pack is also indexed by tantivy and the same queries are run on it
doing the same work (:mod:`kiosk.bench.search_peer`): both build times and p95s in the same run.

It prints a Markdown report and writes it with the raw figures (JSON) to ``--out``.

Why about 460 lines: one benchmark command — the generated mirror, the measured runs (ours and the
peer's, query by query) and the report beside its baseline — kept in one file so the figures in
docs/benchmarks.md can be read against the code that made them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from kiosk.bench.search_peer import Tantivy, peer_report_md, side_by_side, stage_times, stages_md

QUERIES: tuple[str, ...] = (
    # residents' words, 2–6 characters
    "低保",
    "医保",
    "户籍",
    "社保",
    "公积金",
    "养老金",
    "残疾证",
    "廉租房",
    "补贴",
    "救助",
    "居住证",
    "垃圾分类",
    "义务教育",
    "房屋征收",
    "临时救助",
    "失业保险金",
    "最低生活保障",
    "政府信息公开",
    "住房公积金提取",
    "食品安全",
    "安全生产",
    "就业创业",
    "退役军人",
    "电动自行车",
    "养犬",
    "征地补偿标准",
    "医疗救助",
    "高龄津贴",
    "农村危房改造",
    "办事指南",
    # one character
    "法",
    "税",
    # 文号
    "娄民发〔2023〕12号",
    "娄政办发[2019]8号",
    "国务院令第711号",
    # pinyin initials
    "dbj",
    "zfxxgk",
    "gjj",
    "ylj",
    "shbx",
    # a resident's sentence, mixed text
    "我想办低保怎么弄",
    "2023年 补贴",
)

DEFAULT_OUT = Path("var/bench/search")
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "laws.jsonl"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--docs", default="10000,100000", help="mirror sizes, comma separated")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="working folder (packs, mirrors, report)")
    p.add_argument("--rounds", type=int, default=5, help="timed rounds over the query list")
    p.add_argument("--corpus", type=Path, default=CORPUS, help="the shared corpus laws.jsonl")
    p.add_argument("--keep", action="store_true", help="keep the generated packs and mirrors")
    p.add_argument(
        "--real-import-max",
        type=int,
        default=10_000,
        help="sizes up to this go through the real import path; larger ones are bulk-loaded",
    )
    p.add_argument("--peer", choices=("tantivy",), default=None, help="index and search the same pack with a peer")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="measure search again on mirrors kept by an earlier --keep run (import figures from then)",
    )


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, math.ceil(q / 100 * len(s)) - 1))
    return s[k]


def _stats(ms: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "mean": statistics.fmean(ms),
        "max": max(ms),
    }


@contextmanager
def _index_timer(acc: dict[str, float]) -> Iterator[None]:
    """Accumulate the time spent in the search index (index + remove) during an import."""
    from kiosk.search import index as module  # the module object store.py calls through

    originals = {name: getattr(module, name) for name in ("index_document", "remove_document")}

    def timed(fn: Callable[[Session, Any], None]) -> Callable[[Session, Any], None]:
        def wrapper(session: Session, doc: Any) -> None:
            t = time.perf_counter()
            fn(session, doc)
            acc["index_s"] = acc.get("index_s", 0.0) + time.perf_counter() - t

        return wrapper

    for name, fn in originals.items():
        setattr(module, name, timed(fn))
    try:
        yield
    finally:
        for name, fn in originals.items():
            setattr(module, name, fn)


def _baseline_insert(pack: Path, db: Path) -> float:
    """Seconds to write the pack's documents into a plain, un-indexed SQLite table (WAL, FULL sync)."""
    for f in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        f.unlink(missing_ok=True)
    t = time.perf_counter()
    rows = []
    with pack.open(encoding="utf-8") as fh:
        for line in fh:
            o = json.loads(line)
            if o.get("type") in (None, "document"):
                rows.append(
                    (
                        o["id"],
                        o["title"],
                        o.get("doc_number"),
                        o.get("issuer"),
                        o.get("published"),
                        o.get("status"),
                        o.get("zone"),
                        o["body"],
                    )
                )
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute(
        "CREATE TABLE documents (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, title TEXT, "
        "doc_number TEXT, issuer TEXT, published TEXT, status TEXT, zone_id TEXT, body TEXT)"
    )
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO documents(id, title, doc_number, issuer, published, status, zone_id, body) "
        "VALUES (?,?,?,?,?,?,?,?)",
        rows,
    )
    con.execute("COMMIT")
    con.close()
    return time.perf_counter() - t


def _bulk_load(pack: Path, engine: Any) -> tuple[float, float, int]:
    """Load a generated pack without the per-document write path: zones, categories, documents and
    their categories by ``executemany``, then the whole search index in one batch
    (:func:`kiosk.search.index.rebuild`). Returns (seconds for the rows, seconds for the index, count)."""
    from kiosk.search.index import rebuild

    doc_sql = text(
        "INSERT INTO documents(id, version, title, doc_number, issuer, zone_id, published, status, body, "
        "body_format, seq) VALUES (:id, 1, :title, :doc_number, :issuer, :zone, :published, :status, :body, "
        "'markdown', 0)"
    )
    cat_sql = text("INSERT INTO document_categories(document_id, category_code) VALUES (:d, :c)")
    t = time.perf_counter()
    n = 0
    with engine.begin() as conn, pack.open(encoding="utf-8") as fh:
        docs: list[dict[str, Any]] = []
        cats: list[dict[str, str]] = []
        for line in fh:
            o = json.loads(line)
            if o.get("type") == "zone":
                conn.execute(
                    text(
                        "INSERT INTO zones(code, name, kind, prefix, address, hours, phone, sort_order) "
                        "VALUES (:code, :name, :kind, :prefix, '', '', '', 0)"
                    ),
                    o,
                )
            elif o.get("type") == "category":
                conn.execute(
                    text(
                        "INSERT INTO categories(code, name, facet, sort_order, icon, description) "
                        "VALUES (:code, :name, :facet, 0, '', '')"
                    ),
                    o,
                )
            else:
                docs.append(o)
                cats.extend({"d": o["id"], "c": c} for c in o.get("categories", ()))
                if len(docs) >= 5000:
                    conn.execute(doc_sql, docs)
                    conn.execute(cat_sql, cats)
                    n += len(docs)
                    docs, cats = [], []
        if docs:
            conn.execute(doc_sql, docs)
            conn.execute(cat_sql, cats)
            n += len(docs)
    rows_s = time.perf_counter() - t
    t = time.perf_counter()
    with engine.begin() as conn:
        rebuild(conn)
    return rows_s, time.perf_counter() - t, n


def _sizes(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        by_name = dict(con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    finally:
        con.close()
    search = sum(v for k, v in by_name.items() if k.startswith(("search_", "ix_search_")))
    return {"file": db.stat().st_size, "search_index": int(search), "documents": int(by_name.get("documents", 0))}


def _like_search(session: Session, q: str) -> int:
    pat = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where = "WHERE title LIKE :p ESCAPE '\\' OR body LIKE :p ESCAPE '\\'"
    rows = session.execute(
        text(
            f"SELECT id, title FROM documents {where} "  # noqa: S608 - constant SQL
            "ORDER BY published DESC LIMIT 20"
        ),
        {"p": pat},
    ).all()
    total = session.execute(text(f"SELECT count(*) FROM documents {where}"), {"p": pat}).scalar_one()  # noqa: S608
    return len(rows) + int(total)


def _time_queries(fn: Callable[[str], Any], rounds: int, *, warm: bool = True) -> tuple[list[float], dict[str, float]]:
    if warm:
        for q in QUERIES:  # warm-up: page cache, statement cache
            fn(q)
    all_ms: list[float] = []
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    for _ in range(rounds):
        for q in QUERIES:
            t = time.perf_counter()
            fn(q)
            ms = (time.perf_counter() - t) * 1000
            all_ms.append(ms)
            per_query[q].append(ms)
    return all_ms, {q: statistics.median(v) for q, v in per_query.items()}


def bench_size(
    n: int,
    out: Path,
    corpus: Path,
    rounds: int,
    *,
    reuse: bool = False,
    real_import_max: int = 10_000,
    peer: str | None = None,
) -> dict[str, Any]:
    from kiosk.bench.search_corpus import write_pack
    from kiosk.contentpack import import_pack
    from kiosk.db import open_engine, session_factory
    from kiosk.mirror.blobs import BlobStore
    from kiosk.paths import demo_dir

    pack = out / f"pack-{n}.jsonl"
    db = out / f"mirror-{n}.db"
    saved = out / f"import-{n}.json"
    if reuse and db.exists() and saved.exists():
        return _measure_search(json.loads(saved.read_text(encoding="utf-8")), db, rounds, peer=_peer(out, n, peer))
    t = time.perf_counter()
    pack_bytes = write_pack(pack, corpus, demo_dir() / "district.jsonl", n)
    gen_s = time.perf_counter() - t
    for f in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        f.unlink(missing_ok=True)
    res: dict[str, Any] = {"docs": n, "pack_bytes": pack_bytes, "generate_s": gen_s}

    engine = open_engine(db)
    if n <= real_import_max:
        res["path"] = "kiosk import (contentpack.import_pack → store.apply_documents, batches of 500)"
        acc: dict[str, float] = {}
        t, c = time.perf_counter(), time.process_time()
        with _index_timer(acc):
            report = import_pack(session_factory(engine)(), BlobStore(out / "blobs"), pack)
        res["import_s"] = time.perf_counter() - t
        res["import_cpu_s"] = time.process_time() - c
        res["index_s"] = acc.get("index_s", 0.0)
        res["imported"] = report.counts.get("inserted", 0)
    else:
        res["path"] = "bulk: executemany rows, then the search index in one batch (index.rebuild)"
        t, c = time.perf_counter(), time.process_time()
        rows_s, index_s, count = _bulk_load(pack, engine)
        res["import_s"] = time.perf_counter() - t
        res["import_cpu_s"] = time.process_time() - c
        res["index_s"] = index_s
        res["rows_s"] = rows_s
        res["imported"] = count
    engine.dispose()
    res["baseline_insert_s"] = _baseline_insert(pack, out / f"baseline-{n}.db")
    res["baseline_bytes"] = (out / f"baseline-{n}.db").stat().st_size
    res["size"] = _sizes(db)
    tv = _peer(out, n, peer)
    if tv is not None:
        print(f"search bench: {peer} indexing {n:,} documents …", flush=True)
        res["peer_build"] = tv.build(pack)
    saved.write_text(json.dumps(res, ensure_ascii=False), encoding="utf-8")
    return _measure_search(res, db, rounds, peer=tv)


def _peer(out: Path, n: int, name: str | None) -> Tantivy | None:
    return Tantivy(out / f"tantivy-{n}") if name == "tantivy" else None


def _measure_search(res: dict[str, Any], db: Path, rounds: int, *, peer: Tantivy | None = None) -> dict[str, Any]:
    from kiosk.bench.search_eval import old_engine
    from kiosk.db import open_engine, session_factory
    from kiosk.search import search

    engine = open_engine(db)
    res["load_before"] = os.getloadavg()[0]
    with session_factory(engine)() as session:
        fts_ms, fts_q = _time_queries(lambda q: search(session, q, limit=20), rounds)
        res["load_after_search"] = os.getloadavg()[0]
        res["totals"] = {q: search(session, q, limit=1).total for q in QUERIES}
        old = old_engine(Path(__file__).resolve().parents[2])
        if old is not None:
            old_ms, old_q = _time_queries(lambda q: old(session, q, 20), rounds)
            res["old_ms"] = _stats(old_ms)
            res["old_per_query_ms"] = old_q
        if peer is not None:
            if peer.searcher is None:
                peer.reopen()
            res |= side_by_side(
                lambda q: search(session, q, limit=20), peer.search, QUERIES, rounds, _stats, peer_same=peer.search_same
            )
            res["stages_cpu_ms"] = stage_times(lambda q: search(session, q, limit=20), QUERIES, rounds)
            res["peer_totals"] = {q: peer.search(q)[0] for q in QUERIES}
            res["peer_same_totals"] = {q: peer.search_same(q)[0] for q in QUERIES}
            # Chinese words with no partial match: the peer has no pinyin, 文号 lookup or partial level
            words = [q for q in QUERIES if q.isalpha() and not q.isascii() and not search(session, q, limit=1).relaxed]
            same = sum(res["peer_same_totals"][q] == res["totals"][q] for q in words)
            res["peer_same_totals_equal"] = f"{same} of {len(words)} word queries without partial matches"
        _like_search(session, QUERIES[0])  # one scan warms the page cache for all
        like_ms, like_q = _time_queries(lambda q: _like_search(session, q), max(1, rounds // 5), warm=False)
    engine.dispose()
    res["search_ms"] = _stats(fts_ms)
    res["like_ms"] = _stats(like_ms)
    res["search_per_query_ms"] = fts_q
    res["like_per_query_ms"] = like_q
    return res


def _fmt_bytes(b: float) -> str:
    return f"{b / 1e6:.0f} MB"


def _old(r: dict[str, Any]) -> str:
    o = r.get("old_ms")
    return f"{o['p50']:.1f} / {o['p95']:.1f} / {o['p99']:.1f} ms" if o else "—"


def report_md(results: list[dict[str, Any]], cmd: str) -> str:
    lines = [
        f"Command: `{cmd}` · {platform.node() or 'host'}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; {len(QUERIES)} queries "
        "(`kiosk/bench/search.py` QUERIES), first page of 20 with total count and snippets.",
        "",
        "| documents | import (wall / CPU) | of which search index | baseline: plain INSERT | mirror size "
        "(search index) | baseline: text only | search p50 / p95 / p99 | old search p50 / p95 / p99 | "
        "LIKE scan p50 / p95 / p99 | p95 vs LIKE |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s, lk = r["search_ms"], r["like_ms"]
        lines.append(
            f"| {r['docs']:,} | {r['import_s']:.0f} s / {r['import_cpu_s']:.0f} s | {r['index_s']:.0f} s | "
            f"{r['baseline_insert_s']:.1f} s | {_fmt_bytes(r['size']['file'])} "
            f"({_fmt_bytes(r['size']['search_index'])}) | {_fmt_bytes(r['baseline_bytes'])} | "
            f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f} ms | {_old(r)} | "
            f"{lk['p50']:.0f} / {lk['p95']:.0f} / {lk['p99']:.0f} ms | "
            f"{lk['p95'] / max(s['p95'], 1e-9):.0f}× faster |"
        )
    lines.append("")
    for r in results:
        load = ""
        if "load_before" in r:
            load = f"; load average {r['load_before']:.1f} → {r['load_after_search']:.1f} while searching"
        lines.append(f"- {r['docs']:,} documents: {r['path']}; pack {_fmt_bytes(r['pack_bytes'])}{load}.")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    sizes = [int(x) for x in str(args.docs).split(",") if x.strip()]
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for n in sizes:
        print(f"search bench: {n:,} documents …", flush=True)
        r = bench_size(
            n, out, args.corpus, args.rounds, reuse=args.reuse, real_import_max=args.real_import_max, peer=args.peer
        )
        results.append(r)
        print(
            json.dumps(
                {k: r[k] for k in ("docs", "import_s", "index_s", "size", "search_ms", "like_ms")}, ensure_ascii=False
            ),
            flush=True,
        )
        if not args.keep and not args.reuse:
            for f in out.glob(f"*-{n}.*"):
                if f.suffix == ".jsonl" or ".db" in f.name:
                    f.unlink(missing_ok=True)
            shutil.rmtree(out / f"tantivy-{n}", ignore_errors=True)
    cmd = "python -m kiosk bench search --docs " + ",".join(str(n) for n in sizes)
    cmd += f" --peer {args.peer}" if args.peer else ""
    md = report_md(results, cmd)
    if args.peer:
        md += "\n" + peer_report_md(results, args.peer) + "\n" + stages_md(results, args.peer)
    (out / "report.md").write_text(md, encoding="utf-8")
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(md)
    return 0
