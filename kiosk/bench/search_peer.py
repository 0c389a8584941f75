"""tantivy beside the project's search, on the same documents and queries (``--peer tantivy``).

``python -m kiosk bench search --docs 100000 --peer tantivy``

tantivy (PyPI ``tantivy``, a development dependency only: the terminal never imports it) indexes the
same generated pack the mirror was built from, in a folder beside it, doing the same work as the
mirror's search index:

- CJK as overlapping bigrams, ASCII words lower-cased: the very tokens the mirror's index writes
  (:func:`kiosk.search.tokenize.index_tokens`, cut by tantivy's whitespace tokenizer, so positions
  follow each other and a query's bigrams match as a phrase; tantivy's own n-gram tokenizer gives
  every gram one position, so it cannot match phrases) for the title and the whole text (title,
  文号, issuer and the first ``BODY_INDEX_CHARS`` of the body, what ``search_text`` indexes); a
  title field of single characters for one-character queries (the mirror's ``title1``); the body
  stored (bytes, not indexed) for snippets; one writer thread, as SQLite's build is one thread;
  committed once, then merged.
- A query: the folded text cut at filler words into runs (the mirror's own :mod:`kiosk.search.plan`
  parse, so both look for the same parts); every run must match (its bigrams as a phrase in the
  whole text, a single character in titles); a title match ranks higher (a should-clause on the
  title field); BM25 by tantivy. The page of 20 comes with the total count (``count=True``) and a
  snippet and marked title for each hit from the stored body, cut by the mirror's own
  :func:`kiosk.search.snippets.snippet` and :func:`~kiosk.search.snippets.mark_title`.

It does not do what the mirror's search does on top (pinyin, synonyms and everyday words, partial
matches, 文号 lookup, status tiers): a peer for speed, not for quality. A second run of the peer
(``same_words``, reported beside the first) looks for what the mirror's strict match looks for: each
run or any of its alternatives (synonyms and everyday words, :func:`kiosk.search.understand.expand`,
the same :func:`kiosk.search.plan.minimal` set), so its count is the mirror's strict count: the
same matching, told apart from the engine's speed.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from kiosk.search import query as search_query
from kiosk.search import tokenize as tk
from kiosk.search import window as search_window
from kiosk.search.index import BODY_INDEX_CHARS
from kiosk.search.plan import minimal, parse
from kiosk.search.query import SNIPPET_SCAN_CHARS
from kiosk.search.snippets import mark_title, snippet
from kiosk.search.understand import expand

PEERS = ("tantivy",)
HEAP_BYTES = 256_000_000


def _pack_docs(pack: Path) -> Iterator[dict[str, Any]]:
    with pack.open(encoding="utf-8") as fh:
        for line in fh:
            o = json.loads(line)
            if o.get("type") in (None, "document"):
                yield o


class Tantivy:
    """A tantivy index over a generated pack, and the search that does the mirror's work."""

    def __init__(self, folder: Path) -> None:
        import tantivy

        self.tv = tantivy
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
        sb.add_text_field("title", stored=True, tokenizer_name="raw", index_option="basic")
        sb.add_text_field("title_tokens", tokenizer_name="ws")
        sb.add_text_field("title1", tokenizer_name="ws", index_option="basic")
        sb.add_text_field("text", tokenizer_name="ws")
        sb.add_bytes_field("body", stored=True, indexed=False)
        self.schema = sb.build()
        self.folder = folder
        self.index: Any = None
        self.searcher: Any = None

    def _open(self, *, fresh: bool) -> None:
        tv = self.tv
        if fresh:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.index = tv.Index(self.schema, path=str(self.folder), reuse=not fresh)
        self.index.register_tokenizer("ws", tv.TextAnalyzerBuilder(tv.Tokenizer.whitespace()).build())

    def build(self, pack: Path) -> dict[str, float]:
        """Index the pack's documents from scratch; seconds for adding, committing and merging."""
        t, c = time.perf_counter(), time.process_time()
        self._open(fresh=True)
        writer = self.index.writer(HEAP_BYTES, 1)
        n = 0
        for o in _pack_docs(pack):
            body, title = o["body"], o["title"]
            title_tokens = tk.index_tokens(title, unigrams=False)
            meta = tk.index_tokens(" ".join(x for x in (o.get("doc_number"), o.get("issuer")) if x), unigrams=False)
            body_tokens = tk.index_tokens(body[:BODY_INDEX_CHARS], unigrams=False)
            doc = self.tv.Document(
                id=o["id"],
                title=title,
                title_tokens=title_tokens,
                title1=tk.cjk_chars(title),
                text=" ".join(t for t in (title_tokens, meta, body_tokens) if t),
                body=body.encode("utf-8"),
            )
            writer.add_document(doc)
            n += 1
        added = time.perf_counter() - t
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        return {
            "build_s": time.perf_counter() - t,
            "build_cpu_s": time.process_time() - c,
            "add_s": added,
            "docs": n,
            "bytes": _folder_bytes(self.folder),
        }

    def reopen(self) -> None:
        self._open(fresh=False)
        self.searcher = self.index.searcher()

    def _query(self, q: str, *, same_words: bool = False) -> tuple[Any, tuple[str, ...]] | None:
        tv = self.tv
        parsed = parse(q)
        if parsed is None:
            return None
        must: list[Any] = []
        should: list[Any] = []
        marks: list[str] = []
        for run in parsed.core:
            alts = minimal(expand(run.text)) if same_words and run.cjk else [run.text]
            marks.extend(alts)
            text_q = [self._words(a, "text") for a in alts]
            title_q = [self._words(a, "title_tokens") for a in alts]
            any_text = tv.Query.boolean_query([(tv.Occur.Should, x) for x in text_q]) if len(text_q) > 1 else None
            must.append(any_text or text_q[0])
            should.extend(x for x in title_q if x is not None)
        clauses = [(tv.Occur.Must, m) for m in must if m is not None] + [(tv.Occur.Should, x) for x in should]
        return tv.Query.boolean_query(clauses), tuple(dict.fromkeys(marks))

    def _words(self, s: str, field: str) -> Any:
        """One alternative on ``field``: a single character in titles, else its bigrams as a phrase."""
        tv, schema = self.tv, self.schema
        if len(s) == 1:
            return tv.Query.term_query(schema, "title1", s) if field == "text" else None
        grams = [t for r in tk.runs(s) for t in (tk.bigrams(r) if r.cjk else [r.text])]
        if len(grams) == 1:
            return tv.Query.term_query(schema, field, grams[0])
        return tv.Query.phrase_query(schema, field, grams)

    def search(self, q: str, limit: int = 20, *, same_words: bool = False) -> tuple[int, list[tuple[str, str, str]]]:
        """The total count and a page of (id, marked title, snippet), best first."""
        built = self._query(q, same_words=same_words)
        if built is None:
            return 0, []
        query, marks = built
        res = self.searcher.search(query, limit, count=True)
        page = []
        for _score, addr in res.hits:
            d = self.searcher.doc(addr)
            title = d.get_first("title")
            body = bytes(d.get_first("body")).decode("utf-8")[:SNIPPET_SCAN_CHARS]
            page.append((d.get_first("id"), mark_title(title, marks), snippet(body, marks, title=title)))
        return int(res.count or 0), page

    def search_same(self, q: str, limit: int = 20) -> tuple[int, list[tuple[str, str, str]]]:
        return self.search(q, limit, same_words=True)


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def side_by_side(
    ours: Callable[[str], object],
    peer: Callable[[str], object],
    queries: Sequence[str],
    rounds: int,
    stats: Callable[[list[float]], dict[str, float]],
    *,
    peer_same: Callable[[str], object] | None = None,
) -> dict[str, Any]:
    """The searches timed turn about, query by query (a busy machine slows all alike): wall and
    thread-CPU milliseconds of each, as ``stats`` summarises them. ``peer_same``: the peer looking
    for the same alternatives as ours (``Tantivy.search_same``)."""
    fns: list[tuple[Callable[[str], object], str]] = [(ours, ""), (peer, "peer_")]
    if peer_same is not None:
        fns.append((peer_same, "peer_same_"))
    for q in queries:  # warm-up: page cache, statement cache
        for fn, _ in fns:
            fn(q)
    times: dict[str, list[float]] = {key + kind: [] for _, key in fns for kind in ("wall", "cpu")}
    for _ in range(rounds):
        for q in queries:
            for fn, key in fns:
                t, c = time.perf_counter(), time.thread_time()
                fn(q)
                times[key + "cpu"].append((time.thread_time() - c) * 1000)
                times[key + "wall"].append((time.perf_counter() - t) * 1000)
    out = {
        "pair_ms": stats(times["wall"]),
        "pair_cpu_ms": stats(times["cpu"]),
        "peer_ms": stats(times["peer_wall"]),
        "peer_cpu_ms": stats(times["peer_cpu"]),
    }
    if peer_same is not None:
        out |= {"peer_same_ms": stats(times["peer_same_wall"]), "peer_same_cpu_ms": stats(times["peer_same_cpu"])}
    return out


# Where our search spends its time: (module, function) pairs timed in thread-CPU seconds. Nested:
# ``window`` holds ``fill``; ``_hits`` holds ``snippet`` and ``mark_title`` (as query.py names them).
STAGES: tuple[tuple[ModuleType, str], ...] = (
    (search_query, "parse"),
    (search_query, "plan"),
    (search_window, "doc_freq"),
    (search_window, "window"),
    (search_window, "fill"),
    (search_window, "scores"),
    (search_query, "_count"),
    (search_query, "_with_partial"),
    (search_query, "_hits"),
    (search_query, "snippet"),
    (search_query, "mark_title"),
)


def stage_times(search: Callable[[str], object], queries: Sequence[str], rounds: int) -> dict[str, float]:
    """Mean thread-CPU milliseconds per query of each of :data:`STAGES` (and ``total``), measured by
    wrapping those functions for the duration of the call."""
    spent: dict[str, float] = dict.fromkeys([name for _, name in STAGES], 0.0)
    saved: list[tuple[Any, str, Any]] = []

    def timed(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            c = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.thread_time() - c

        return wrapper

    for module, name in STAGES:
        saved.append((module, name, getattr(module, name)))
        setattr(module, name, timed(getattr(module, name), name))
    try:
        for q in queries:
            search(q)
        for k in spent:
            spent[k] = 0.0
        c = time.thread_time()
        for _ in range(rounds):
            for q in queries:
                search(q)
        total = time.thread_time() - c
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)
    n = max(1, rounds * len(queries))
    return {"total": total / n * 1000} | {k: v / n * 1000 for k, v in spent.items()}


def stages_md(results: list[dict[str, Any]], peer: str) -> str:
    """The CPU breakdown of our search beside the peer's whole query, per mirror size."""
    rows = [r for r in results if r.get("stages_cpu_ms")]
    if not rows:
        return ""
    head = " | ".join(f"{r['docs']:,} docs" for r in rows)
    lines = [
        f"Where the time goes (mean thread-CPU ms per query over the same queries; `window` includes "
        f"`fill`, `_hits` includes `snippet` and `mark_title`; {peer}'s whole query, snippets included, "
        "for comparison):",
        "",
        f"| stage | {head} |",
        "|---|" + "---|" * len(rows),
    ]
    for name in ["total", *[n for _, n in STAGES]]:
        lines.append(f"| {name} | " + " | ".join(f"{r['stages_cpu_ms'][name]:.2f}" for r in rows) + " |")
    lines.append(f"| {peer}: whole query | " + " | ".join(f"{r['peer_cpu_ms']['mean']:.2f}" for r in rows) + " |")
    return "\n".join(lines) + "\n"


def peer_report_md(results: list[dict[str, Any]], peer: str) -> str:
    """The project's search beside the peer: build and latency from the same run, and their ratios."""
    lines = [
        f"Beside {peer} (same pack, same queries, timed turn about; page of 20 + total count + snippets from "
        "a stored body). Build: wall (CPU) seconds; latency: wall and thread-CPU milliseconds.",
        "",
        f"| documents | our build | {peer} build | build ratio wall (CPU) | our p50 / p95 / p99 | "
        f"{peer} p50 / p95 / p99 | p95 ratio | CPU p95: ours / {peer} (ratio) | our index | its index |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        pb, pm, s = r.get("peer_build"), r.get("peer_ms"), r.get("pair_ms")
        if not pb or not pm or not s:
            continue
        oc, pc = r["pair_cpu_ms"]["p95"], r["peer_cpu_ms"]["p95"]
        lines.append(
            f"| {r['docs']:,} | {r['import_s']:.1f} s ({r['import_cpu_s']:.1f} s) | {pb['build_s']:.1f} s "
            f"({pb['build_cpu_s']:.1f} s) | {r['import_s'] / pb['build_s']:.2f}× "
            f"({r['import_cpu_s'] / pb['build_cpu_s']:.2f}×) | "
            f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f} ms | "
            f"{pm['p50']:.1f} / {pm['p95']:.1f} / {pm['p99']:.1f} ms | {s['p95'] / max(pm['p95'], 1e-9):.2f}× | "
            f"{oc:.1f} / {pc:.1f} ms ({oc / max(pc, 1e-9):.2f}×) | "
            f"{r['size']['search_index'] / 1e6:.0f} MB | {pb['bytes'] / 1e6:.0f} MB |"
        )
    same = [r for r in results if r.get("peer_same_ms") and r.get("pair_ms")]
    if same:
        lines += [
            "",
            f"{peer} looking for the same alternatives as our strict match (synonyms and everyday words; "
            "same turn-about run): what is left is the engine, not the matching.",
            "",
            f"| documents | our p50 / p95 | {peer}, same words: p50 / p95 | p95 ratio | CPU p95 ratio | "
            f"totals equal to our strict count |",
            "|---|---|---|---|---|---|",
        ]
        for r in same:
            s, pm = r["pair_ms"], r["peer_same_ms"]
            oc, pc = r["pair_cpu_ms"]["p95"], r["peer_same_cpu_ms"]["p95"]
            eq = r.get("peer_same_totals_equal", "")
            lines.append(
                f"| {r['docs']:,} | {s['p50']:.1f} / {s['p95']:.1f} ms | {pm['p50']:.1f} / {pm['p95']:.1f} ms | "
                f"{s['p95'] / max(pm['p95'], 1e-9):.2f}× | {oc / max(pc, 1e-9):.2f}× | {eq} |"
            )
    return "\n".join(lines) + "\n"
