"""Search quality on the project's labelled queries: recall@10 and MRR by kind, new engine vs baselines.

``python -m kiosk bench search-eval [--out DIR] [--queries FILE] [--rebuild] [--misses N]``

The queries (``kiosk/bench/search_eval.jsonl``, made by ``scripts/build_search_eval.py`` with a fixed
seed) are derived from titles by one rule per kind — a resident's question around a title keyword,
its full pinyin, traditional characters, full-width letters/digits, a homophone slip, title words,
the 文号 — and labelled with the documents whose titles hold the keyword. The mirror holds what they
were drawn from: the demo district's documents and the shared corpus (2,970 laws), imported through
the real path (``kiosk.contentpack.import_pack``) into ``--out`` and kept for the next run.

Engines, each on the same mirror in the same run:

- ``new``: :func:`kiosk.search.search` as it is;
- ``novocab``: the same search without the residents' vocabulary (``kiosk/search/everyday.tsv``), the
  baseline for the ``everyday`` and ``everyday_independent`` kinds (the second a phrasing list written
  by an engineer who never saw the vocabulary);
- ``old``: the search as it was before query understanding (``kiosk/search/query.py`` and
  ``synonyms.tsv`` at commit :data:`OLD_ENGINE_COMMIT`, read with ``git show``; skipped without git);
- ``bigram``: a plain bigram match (every bigram of the query in the text, titles first, newest
  first), what a CJK bigram engine does.

Per kind: recall@10 = share of queries with a relevant document in the first 10 hits; MRR = mean of
1/rank of the first relevant hit (0 if none in the first 10); mean latency per query.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
import types
from collections import defaultdict
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

QUERIES = Path(__file__).resolve().parent / "search_eval.jsonl"
DEFAULT_OUT = Path("var/bench/search-eval")
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "laws.jsonl"
OLD_ENGINE_COMMIT = "6a94dea"  # main before query understanding (issue 11)
KINDS = (
    "sentence",
    "full_pinyin",
    "traditional",
    "full_width",
    "homophone",
    "title_words",
    "doc_number",
    "everyday",
    "everyday_independent",
    "everyday_blind",
    "everyday_heldout",
    "everyday_fifth",
)
TOP = 10


class Engine(Protocol):
    """A search to score: query → document ids, best first."""

    def __call__(self, session: Session, q: str, limit: int = TOP) -> list[str]: ...


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="working folder (mirror, report)")
    p.add_argument("--queries", type=Path, default=QUERIES, help="labelled queries (JSON Lines)")
    p.add_argument("--corpus", type=Path, default=CORPUS, help="the shared corpus laws.jsonl")
    p.add_argument("--rebuild", action="store_true", help="import the mirror again")
    p.add_argument("--misses", type=int, default=0, help="print up to N missed queries per kind (new engine)")
    p.add_argument("--engines", default="new,novocab,old,bigram", help="engines to score, comma separated")


def build_mirror(db: Path, packs: list[Path]) -> None:
    """Import ``packs`` into a new mirror at ``db`` through the real import path."""
    from kiosk.contentpack import import_pack
    from kiosk.db import open_engine, session_factory
    from kiosk.mirror.blobs import BlobStore

    for f in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        f.unlink(missing_ok=True)
    engine = open_engine(db)
    try:
        for pack in packs:
            with session_factory(engine)() as session:
                import_pack(session, BlobStore(db.parent / "blobs"), pack)
    finally:
        engine.dispose()


# --- engines --------------------------------------------------------------------------------------


def new_engine(session: Session, q: str, limit: int = TOP) -> list[str]:
    from kiosk.search import search

    return [h.id for h in search(session, q, limit=limit).hits]


def novocab_engine(session: Session, q: str, limit: int = TOP) -> list[str]:
    """:func:`new_engine` with the residents' vocabulary emptied for the call."""
    from kiosk.search import understand

    saved = understand.everyday_words
    understand.everyday_words = functools.cache(lambda path=understand.EVERYDAY_FILE: {})
    _clear_term_caches()
    try:
        return new_engine(session, q, limit)
    finally:
        understand.everyday_words = saved
        _clear_term_caches()


def _clear_term_caches() -> None:
    from kiosk.search import heard, understand

    understand.known_terms.cache_clear()
    understand.everyday_in.cache_clear()
    heard.everyday_heard.cache_clear()
    understand._expand.cache_clear()


def bigram_engine(session: Session, q: str, limit: int = TOP) -> list[str]:
    """Every bigram (a lone character, an ASCII word) of the query in the whole text; titles holding
    the query's runs first, then newest first."""
    from kiosk.search import tokenize as tk

    runs = tk.runs(q)[:8]
    if not runs:
        return []
    phrases = ['"' + " ".join(t.replace('"', '""') for t in tk.bigrams(r)) + '"' for r in runs]
    rows = session.execute(
        text("SELECT -rowid FROM search_text WHERE search_text MATCH :m ORDER BY rowid LIMIT 200"),
        {"m": "{text} : (" + " AND ".join(phrases) + ")"},
    ).scalars()
    found = list(rows)
    if not found:
        return []
    ids = ",".join(str(int(r)) for r in found)
    info = {
        r.rowid: (r.id, r.title)
        for r in session.execute(text(f"SELECT rowid, id, title FROM documents WHERE rowid IN ({ids})"))  # noqa: S608
    }
    order = sorted(found, key=lambda r: (not all(x.text in tk.normalize(info[r][1]) for x in runs), -r))
    return [info[r][0] for r in order[:limit]]


def old_engine(repo: Path, commit: str = OLD_ENGINE_COMMIT) -> Engine | None:
    """The search module of ``commit`` (with that commit's synonym table), or None without git."""
    try:
        src = _git_show(repo, commit, "kiosk/search/query.py")
        synonyms = _git_show(repo, commit, "kiosk/search/synonyms.tsv")
    except (OSError, subprocess.CalledProcessError):
        return None
    name = f"kiosk_search_query_{commit}"
    module = types.ModuleType(name)
    module.__file__ = f"{commit}:kiosk/search/query.py"
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(src, module.__file__, "exec"), module.__dict__)  # noqa: S102 - our own code at a commit
    table = Path(tempfile.mkdtemp(prefix="search-eval-")) / "synonyms.tsv"
    table.write_text(synonyms, encoding="utf-8")
    groups = module.__dict__["synonym_groups"]
    module.__dict__["synonym_groups"] = functools.cache(lambda path=table: groups.__wrapped__(path))
    run_search = module.__dict__["run_search"]

    def search(session: Session, q: str, limit: int = TOP) -> list[str]:
        return [h.id for h in run_search(session, q, limit=limit).hits]

    return search


def _git_show(repo: Path, commit: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{path}"],
        capture_output=True,
        check=True,
        text=True,
        encoding="utf-8",
    ).stdout


# --- scoring --------------------------------------------------------------------------------------


def score(session: Session, engine: Engine, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """recall@10, MRR and mean latency per kind (and overall), and the missed queries."""
    by_kind: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    misses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in queries:
        t = time.perf_counter()
        got = engine(session, item["q"])[:TOP]
        ms = (time.perf_counter() - t) * 1000
        relevant = set(item["relevant"])
        rank = next((i + 1 for i, d in enumerate(got) if d in relevant), 0)
        by_kind[item["kind"]].append((1.0 if rank else 0.0, 1.0 / rank if rank else 0.0, ms))
        if not rank:
            misses[item["kind"]].append({"q": item["q"], "rule": item["rule"], "got": got[:3]})
    out: dict[str, Any] = {"kinds": {}, "misses": misses}
    every: list[tuple[float, float, float]] = []
    for kind, rows in by_kind.items():
        every += rows
        out["kinds"][kind] = _summary(rows)
    out["all"] = _summary(every)
    return out


def _summary(rows: list[tuple[float, float, float]]) -> dict[str, float]:
    n = max(1, len(rows))
    return {
        "n": len(rows),
        "recall@10": sum(r[0] for r in rows) / n,
        "mrr": sum(r[1] for r in rows) / n,
        "ms": sum(r[2] for r in rows) / n,
    }


def report_md(results: dict[str, dict[str, Any]], n_docs: int, queries: Path) -> str:
    engines = list(results)
    head = " | ".join(f"{e} recall@10 / MRR" for e in engines)
    lines = [
        f"Command: `python -m kiosk bench search-eval` · {n_docs:,} documents (demo district + shared corpus), "
        f"queries `{queries.name}`; load average {os.getloadavg()[0]:.1f}.",
        "",
        f"| kind | queries | {head} | ms/query ({' / '.join(engines)}) |",
        "|---|---|" + "---|" * len(engines) + "---|",
    ]
    kinds = [k for k in KINDS if k in results[engines[0]]["kinds"]] + ["all"]
    for kind in kinds:
        ms = [results[e]["all"] if kind == "all" else results[e]["kinds"][kind] for e in engines]
        cells = [f"{m['recall@10']:.2f} / {m['mrr']:.2f}" for m in ms]
        name = "**all**" if kind == "all" else kind
        times = " / ".join(f"{m['ms']:.1f}" for m in ms)
        lines.append(f"| {name} | {ms[0]['n']} | " + " | ".join(cells) + f" | {times} |")
    return "\n".join(lines) + "\n"


def _engines(names: list[str]) -> dict[str, Engine]:
    fixed: dict[str, Engine] = {"new": new_engine, "novocab": novocab_engine, "bigram": bigram_engine}
    engines: dict[str, Engine] = {}
    for name in names:
        if name in fixed:
            engines[name] = fixed[name]
        elif name == "old":
            old = old_engine(Path(__file__).resolve().parents[2])
            if old is None:
                print(f"search-eval: old engine ({OLD_ENGINE_COMMIT}) not available (no git): skipped")
            else:
                engines["old"] = old
    return engines


def run(args: argparse.Namespace) -> int:
    from kiosk.db import open_engine, session_factory
    from kiosk.paths import demo_dir
    from kiosk.search.index import ensure_current

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    db = out / "mirror.db"
    if args.rebuild or not db.exists():
        print("search-eval: importing the demo district and the shared corpus …", flush=True)
        build_mirror(db, [demo_dir() / "district.jsonl", args.corpus])
    queries = [json.loads(line) for line in args.queries.read_text(encoding="utf-8").splitlines() if line.strip()]
    engine = open_engine(db)
    engines = _engines(str(args.engines).split(","))
    results: dict[str, dict[str, Any]] = {}
    with session_factory(engine)() as session:
        ensure_current(session)
        n_docs = int(session.execute(text("SELECT count(*) FROM documents")).scalar_one())
        for name, fn in engines.items():
            for item in queries[:20]:  # warm-up: page cache, statement cache
                fn(session, item["q"])
            results[name] = score(session, fn, queries)
    engine.dispose()
    md = report_md(results, n_docs, args.queries)
    (out / "report.md").write_text(md, encoding="utf-8")
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(md)
    if args.misses and "new" in results:
        for kind, missed in results["new"]["misses"].items():
            for m in missed[: args.misses]:
                print(f"miss [{kind}] {m['q']} — {m['rule']} — got {m['got']}")
    return 0
