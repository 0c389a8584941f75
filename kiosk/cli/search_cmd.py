"""``kiosk search [--db PATH] [--config FILE] [--limit N] [--json] QUERY``: search the mirror.

With ``-`` as QUERY it reads one query per line from stdin and writes one JSON line per query:
``{"q": …, "results": [{"id", "title", "snippet", "score"}, …]}`` (snippets as plain text). With
``--json`` a single query prints the same object plus ``total``, ``relaxed`` and ``only_partial``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

from kiosk import config as config_mod
from kiosk.db import open_engine, session_factory
from kiosk.mirror.models import DocStatus
from kiosk.search import SearchResult, search, strip_marks
from kiosk.search.index import ensure_current


def register(sub: Any) -> None:
    p = sub.add_parser("search", help="search the mirror (Chinese full text, 文号, pinyin initials)")
    p.add_argument("query", help="what to search for; '-' reads one query per line from stdin")
    p.add_argument("--db", type=Path, help="mirror database (default: the terminal's)")
    p.add_argument("--config", type=Path, help="terminal configuration (default: the demo terminal)")
    p.add_argument("--limit", type=int, default=10, help="hits per query (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--zone", help="district-wide documents plus this zone's")
    p.add_argument("--category", help="category code")
    p.add_argument("--status", help="in_force/amended/repealed (现行有效/已修订/已废止)")
    p.add_argument("--year", type=int, help="year of publication")
    p.set_defaults(func=run)


def _clean(q: str) -> str:
    """Text safe to search and print: undecodable command-line bytes (surrogate escapes) and other lone
    surrogates become U+FFFD / "?"."""
    try:
        return q.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return q.encode("utf-8", "replace").decode("utf-8")


def _as_json(q: str, res: SearchResult, *, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"q": q}
    if full:
        out["total"] = res.total
        out["relaxed"] = res.relaxed
        out["only_partial"] = res.only_partial
    out["results"] = [
        {"id": h.id, "title": h.title, "snippet": strip_marks(h.snippet), "score": h.score}
        | ({"status": h.status, "doc_number": h.doc_number, "published": h.published} if full else {})
        for h in res.hits
    ]
    return out


def run(args: argparse.Namespace) -> int:
    if args.status is not None:
        try:
            DocStatus.parse(args.status)
        except ValueError as exc:
            print(f"kiosk search: {exc}", file=sys.stderr)
            return 2
    db_path = args.db if args.db is not None else config_mod.load(args.config).db_path
    engine = open_engine(db_path)
    try:
        with session_factory(engine)() as session:
            ensure_current(session)  # a tokeniser changed by an upgrade: re-index once

            def one(q: str) -> SearchResult:
                return search(
                    session,
                    q,
                    limit=args.limit,
                    zone=args.zone,
                    category=args.category,
                    status=args.status,
                    year=args.year,
                )

            if args.query == "-":
                if isinstance(sys.stdin, io.TextIOWrapper):
                    sys.stdin.reconfigure(errors="replace")  # bad bytes are text too, never a crash
                for line in sys.stdin:
                    q = _clean(line.rstrip("\r\n"))
                    print(json.dumps(_as_json(q, one(q), full=False), ensure_ascii=False), flush=True)
                return 0
            query = _clean(args.query)
            res = one(query)
            if args.json:
                print(json.dumps(_as_json(query, res, full=True), ensure_ascii=False))
                return 0
            label = {s.value: s.label for s in DocStatus}
            note = "（没有找到完全相符的内容，以下是相关的文件）" if res.only_partial else ""
            print(f"共 {res.total} 条{note}")
            for i, h in enumerate(res.hits, 1):
                meta = " · ".join(x for x in (h.doc_number, h.issuer, h.published, label.get(h.status)) if x)
                print(f"{i:>3}. {h.title}  [{h.id}]\n     {meta}\n     {strip_marks(h.snippet)}")
            return 0
    finally:
        engine.dispose()
