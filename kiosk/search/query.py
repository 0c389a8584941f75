"""Turning what a resident typed into FTS5 queries, running them, ranking, and cutting snippets.

Nothing typed is ever passed to FTS5 as syntax: the text is cut into runs by
:mod:`kiosk.search.tokenize` and every token is written into the MATCH expression as a quoted
string, so ``"``, ``AND``, ``NEAR``, ``*``, ``)(`` are just text (and punctuation only separates).

Matching (tables described in :mod:`kiosk.search.index`), in order of strictness:

1. *strict*: every run must match — a CJK run of two or more characters as the phrase of its
   bigrams, a query of one character as that character in titles, an ASCII word as itself (a lone
   character between other runs, like the 号 of 国务院令第711号, is not required). A run holding a
   synonym-table term (低保) also matches with the term replaced (最低生活保障). A query of ASCII
   letters also matches the titles' pinyin initials (``dbj`` → 低保金) as a phrase of letter pairs.
2. *relaxed*, only when strict finds nothing: the synonym-table words found in the query
   (我想办低保怎么弄 → 低保), then any of its bigrams/words with filler words (我想, 怎么, …) dropped.

Ranking (see :func:`run_search`): an exact 文号 first, then in force before 已修订 before 已废止, then
titles holding every typed word, then BM25 (title ≫ 文号/issuer > body) over a bounded window.
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pypinyin import Style, lazy_pinyin
from sqlalchemy import text
from sqlalchemy.orm import Session

from kiosk.mirror.models import DocStatus
from kiosk.search import index as idx
from kiosk.search import tokenize as tk

MAX_QUERY_CHARS = 64  # the rest of a 2,000-character paste is ignored
MAX_RUNS = 8
MAX_ALTERNATIVES = 4  # synonym variants per run
MAX_RELAXED_TERMS = 24
SNIPPET_CHARS = 90
SNIPPET_SCAN_CHARS = 4_000  # a match further in: the snippet shows the opening
# Ranking window: at most this many of the newest title matches and as many of the newest
# whole-text matches are ranked (see run_search).
WINDOW = 100
# BM25 over the window, computed here (FTS5's bm25() would visit every match of every phrase to
# compute IDF, i.e. time in proportion to the mirror): field weights, and a bonus for a title-table
# match (title, 文号/issuer, pinyin initials, one character).
TITLE_WEIGHT = 5.0
DOCNUM_WEIGHT = 2.0
TITLE_MATCH_BONUS = 1.0
HEAD_CHARS = 400  # body characters read per ranked candidate for term frequencies
K1, B = 1.2, 0.75  # BM25 constants

SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms.tsv"


@dataclass(frozen=True)
class SearchHit:
    """One found document.

    ``snippet`` and ``title_html`` are HTML-escaped text in which matched text is wrapped in
    ``<b>…</b>`` (nothing else is markup), ready for a Qt ``Text.StyledText`` label; use
    :func:`strip_marks` for plain text. ``score`` is the BM25 relevance (higher is better; only
    comparable within one result). ``status`` is a :class:`DocStatus` value.
    """

    id: str
    title: str
    title_html: str
    snippet: str
    score: float
    status: str
    doc_number: str | None
    issuer: str | None
    published: str | None
    zone_id: str | None


@dataclass(frozen=True)
class SearchResult:
    """A page of hits and the number of all matching documents (``total``).

    ``relaxed`` is True when no document matched every word and the hits match only some of them
    (the UI may say 未找到完全匹配的结果，以下为相关结果). ``query`` is the text actually searched.
    """

    query: str
    total: int
    hits: list[SearchHit]
    relaxed: bool = False


@dataclass(frozen=True)
class Filters:
    zone: str | None = None
    category: str | None = None
    status: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Level:
    """One way of matching a query: an FTS5 expression on ``search_text`` (None: the query has no
    part indexed there) and one on ``search_title``; ``title_extra`` when the title expression
    can match rows the text one cannot (pinyin, one character); the strings to mark; the units
    (each a tuple of interchangeable strings) for term-frequency scoring."""

    text: str | None
    title: str | None
    title_extra: bool
    marks: tuple[str, ...]
    units: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Plan:
    """How to match one query, strictest level first, and what else to look up."""

    levels: tuple[Level, ...]
    literal: tuple[str, ...]  # the query's runs: a title holding all of them ranks before others
    pinyin: str  # ASCII letters the titles' initials should contain, or ""
    doc_number: str  # normalised 文号 for exact lookup, or ""


# --- synonyms -------------------------------------------------------------------------------------


@functools.cache
def synonym_groups(path: Path = SYNONYMS_FILE) -> tuple[tuple[str, ...], ...]:
    """The synonym table: groups of interchangeable terms (normalised), longest term first."""
    groups: list[tuple[str, ...]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        terms = [tk.normalize(t.strip()) for t in line.split("\t") if t.strip()]
        if len(terms) >= 2:
            groups.append(tuple(sorted(dict.fromkeys(terms), key=len, reverse=True)))
    return tuple(groups)


def expand(run_text: str) -> list[str]:
    """``run_text`` and its variants with synonym terms replaced (at most MAX_ALTERNATIVES)."""
    out = [run_text]
    for group in synonym_groups():
        for term in group:
            if term in run_text:
                for other in group:
                    if other != term:
                        variant = run_text.replace(term, other)
                        if variant not in out:
                            out.append(variant)
                break  # longest term of the group found: don't also replace its substrings
        if len(out) > MAX_ALTERNATIVES:
            break
    return out[: MAX_ALTERNATIVES + 1]


# --- building MATCH expressions -------------------------------------------------------------------


def _q(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _phrase(tokens: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'


def _run_expr(run: tk.Run, table: str) -> str | None:
    """``run`` as an FTS5 expression on ``table`` ("title" or "text"); None: not indexed there."""
    if run.cjk and len(run.text) == 1:
        # one character: titles only (in bodies nearly everything matches)
        return f"{{title1}} : {_q(run.text)}" if table == "title" else None
    if run.cjk:
        # CJK tokens occur only in the text columns (meta and pinyin tokens are ASCII): no column
        # filter, which saves FTS5 a column check per match (a third of a count's time)
        return _phrase(tk.bigrams(run))
    cols = "{title docnum}" if table == "title" else "{text}"
    return f"{cols} : {_q(run.text)}"


def _unit_expr(run: tk.Run, table: str) -> str | None:
    alts = [tk.runs(a)[0] for a in expand(run.text)] if run.cjk else [run]
    exprs = [e for e in (_run_expr(r, table) for r in alts) if e is not None]
    if not exprs:
        return None
    return exprs[0] if len(exprs) == 1 else "(" + " OR ".join(exprs) + ")"


def _and(exprs: list[str | None]) -> str | None:
    if not exprs or any(e is None for e in exprs):
        return None
    return " AND ".join(e for e in exprs if e is not None)


_ASCII_LETTERS = re.compile(r"[a-z]+")
# Words of a resident's question that say nothing about the documents (relaxed matching drops them).
FILLER = (
    "我想",
    "我要",
    "请问",
    "怎么",
    "怎样",
    "如何",
    "哪里",
    "什么",
    "办理",
    "需要",
    "可以",
    "是否",
    "多少",
    "能不能",
    "有没有",
    "一下",
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
)


def _level(runs: list[tk.Run], pinyin: str) -> Level:
    units = tuple(tuple(expand(r.text)) if r.cjk else (r.text,) for r in runs)
    title = _and([_unit_expr(r, "title") for r in runs])
    body = _and([_unit_expr(r, "text") for r in runs])
    extra = False
    if pinyin:
        py = f"{{py}} : {_phrase(tk.letter_bigrams(pinyin).split())}"
        title = f"({title}) OR {py}" if title else py
        extra = True
    elif any(r.cjk and len(r.text) == 1 for r in runs):
        extra = True  # title1 matches are not in the text table
    marks = tuple(dict.fromkeys(m for u in units for m in u))
    return Level(text=body, title=title, title_extra=extra, marks=marks, units=units)


def _any_level(terms: list[str], marks: tuple[str, ...], units: tuple[tuple[str, ...], ...]) -> Level:
    any_terms = " OR ".join(_q(t) for t in terms)
    return Level(
        text=f"{{text}} : ({any_terms})",
        title=f"{{title docnum}} : ({any_terms})",
        title_extra=False,
        marks=marks,
        units=units,
    )


def plan(query: str) -> Plan | None:
    """How to match ``query``; None when it holds nothing searchable."""
    q = tk.normalize(query.replace("\x00", " "))[:MAX_QUERY_CHARS]
    runs = tk.runs(q)[:MAX_RUNS]
    if not runs:
        return None
    letters = "".join(q.split())
    pinyin = letters if len(letters) >= 2 and _ASCII_LETTERS.fullmatch(letters) else ""
    # A lone character between other runs (the 号 of 国务院令第711号, the 年 of 2019年) is not
    # searched on its own: it would only match titles; it is still marked in snippets.
    core = [r for r in runs if not (r.cjk and len(r.text) == 1)] if len(runs) > 1 else runs
    core = core or runs[:1]
    levels = [_level(core, pinyin)]
    # relaxed 1: the synonym-table words found in a longer query (我想办低保怎么弄 → 低保)
    only = runs[0].text if len(runs) == 1 else None
    known = [t for g in synonym_groups() for t in g if t != only and any(r.cjk and t in r.text for r in runs)]
    known = [t for t in dict.fromkeys(known) if not any(t != o and t in o for o in known)]
    if known:
        alts = [tk.Run(a, True) for t in known for a in expand(t)]
        text_or = " OR ".join(e for e in (_run_expr(r, "text") for r in alts) if e)
        title_or = " OR ".join(e for e in (_run_expr(r, "title") for r in alts) if e)
        units = tuple(tuple(expand(t)) for t in known)
        levels.append(
            Level(
                text=text_or,
                title=title_or,
                title_extra=False,
                marks=tuple(dict.fromkeys(m for u in units for m in u)),
                units=units,
            )
        )
    # relaxed 2: any of the query's bigrams/words, filler words dropped
    terms: list[str] = []
    for run in runs:
        if not run.cjk:
            terms.append(run.text)
            continue
        cleaned = run.text
        for f in FILLER:
            cleaned = cleaned.replace(f, " ")
        for sub in cleaned.split():
            terms.extend(tk.bigrams(tk.Run(sub, True)) if len(sub) > 1 else [])
    terms = list(dict.fromkeys(terms))[:MAX_RELAXED_TERMS]
    if terms and (len(runs) > 1 or len(terms) > 1):
        levels.append(_any_level(terms, tuple(terms), tuple((t,) for t in terms)))
    doc_number = tk.normalize_doc_number(query[:MAX_QUERY_CHARS].replace("\x00", ""))
    has_number = any(ch.isdigit() for ch in doc_number)
    return Plan(
        levels=tuple(levels),
        literal=tuple(r.text for r in core),
        pinyin=pinyin,
        doc_number=doc_number if has_number and tk.has_cjk(doc_number) else "",
    )


# --- running --------------------------------------------------------------------------------------

_TIER = {"in_force": 0, "amended": 1}


def _filter_parts(f: Filters) -> list[str]:
    """Filters as FTS5 terms on the ``meta`` column (see kiosk.search.index)."""
    parts: list[str] = []
    if f.zone is not None:
        parts.append(f"{{meta}} : ({_q(idx.zone_token(None))} OR {_q(idx.zone_token(f.zone))})")
    if f.category is not None:
        parts.append(f"{{meta}} : {_q(idx.category_token(f.category))}")
    if f.status is not None:
        parts.append(f"{{meta}} : {_q(idx.status_token(DocStatus.parse(f.status).value))}")
    if f.year is not None:
        parts.append(f"{{meta}} : {_q(idx.year_token(int(f.year)))}")
    return parts


def _with_filters(expr: str, f: Filters) -> str:
    parts = _filter_parts(f)
    return "(" + expr + ")" + "".join(" AND " + p for p in parts) if parts else expr


_TITLE_WINDOW = text("SELECT -rowid FROM search_title WHERE search_title MATCH :m ORDER BY rowid LIMIT :n")
_TEXT_WINDOW = text("SELECT -rowid FROM search_text WHERE search_text MATCH :m ORDER BY rowid LIMIT :n")
_COUNT_TEXT = text("SELECT count(*) FROM search_text WHERE search_text MATCH :m")
_COUNT_TITLE = text("SELECT count(*) FROM search_title WHERE search_title MATCH :m")
_COUNT_UNION = text(
    "SELECT count(*) FROM (SELECT rowid FROM search_text WHERE search_text MATCH :a "
    "UNION SELECT rowid FROM search_title WHERE search_title MATCH :b)"
)


def _ids(rowids: Iterable[int]) -> str:
    return ",".join(str(int(r)) for r in rowids) or "NULL"


def _exact_doc_numbers(session: Session, doc_number: str, f: Filters) -> set[int]:
    if not doc_number:
        return set()
    found = set(
        session.execute(
            text("SELECT doc_rowid FROM search_docs WHERE doc_number_norm = :n LIMIT 50"), {"n": doc_number}
        ).scalars()
    )
    parts = _filter_parts(f)
    if found and parts:
        sql = text(
            f"SELECT -rowid FROM search_title WHERE search_title MATCH :m "  # noqa: S608
            f"AND rowid IN ({_ids(-r for r in found)})"
        )
        found = set(session.execute(sql, {"m": " AND ".join(parts)}).scalars())
    return found


@dataclass
class _Cand:
    in_title: bool  # matched in search_title (title, 文号/issuer, pinyin, one character)
    status: str = ""
    title: str = ""
    meta: str = ""  # 文号 and issuer
    head: str = ""  # the beginning of the body


def _window(session: Session, level: Level, f: Filters, exact: set[int]) -> dict[int, _Cand]:
    """The newest WINDOW title matches and the newest WINDOW whole-text matches (both stop early)."""
    cands: dict[int, _Cand] = {}
    if level.title:
        for (rid,) in session.execute(_TITLE_WINDOW, {"m": _with_filters(level.title, f), "n": WINDOW}):
            cands[rid] = _Cand(True)
    if level.text:
        for (rid,) in session.execute(_TEXT_WINDOW, {"m": _with_filters(level.text, f), "n": WINDOW}):
            cands.setdefault(rid, _Cand(False))
    if not cands:
        return cands
    for rid in exact:
        cands.setdefault(rid, _Cand(True))
    sql = text(
        "SELECT rowid, status, title, coalesce(doc_number, '') || ' ' || coalesce(issuer, ''), "  # noqa: S608
        f"substr(body, 1, {HEAD_CHARS}) FROM documents WHERE rowid IN ({_ids(cands)})"
    )
    for rid, status, title, meta, head in session.execute(sql):
        c = cands[rid]
        c.status, c.title, c.meta, c.head = status, title, meta, head or ""
    return cands


def _idf(session: Session, units: tuple[tuple[str, ...], ...]) -> list[float]:
    """BM25 IDF of each unit from the mirror's own statistics: an alternative's document frequency is
    that of its rarest bigram (fts5vocab), a unit's IDF that of its most specific alternative."""
    tokens: set[str] = set()
    alt_tokens: dict[str, list[str]] = {}
    for alts in units:
        for a in alts:
            toks = [t for r in tk.runs(a) for t in tk.bigrams(r)] or [a]
            alt_tokens[a] = toks
            tokens.update(toks)
    if not tokens:
        return [1.0] * len(units)
    placeholders = ",".join(f":t{i}" for i in range(len(tokens)))
    params = {f"t{i}": t for i, t in enumerate(sorted(tokens))}
    df: dict[str, int] = {
        str(term): int(doc)
        for term, doc in session.execute(
            text(f"SELECT term, doc FROM search_text_vocab WHERE term IN ({placeholders})"),  # noqa: S608
            params,
        )
    }
    n = float(session.execute(text("SELECT coalesce(max(doc_rowid), 1) FROM search_docs")).scalar_one())
    out = []
    for alts in units:
        best = 0.0
        for a in alts:
            d = min(float(df.get(t, 0)) for t in alt_tokens[a])
            best = max(best, math.log(1.0 + (n - d + 0.5) / (d + 0.5)))
        out.append(best)
    return out


def _scores(cands: dict[int, _Cand], units: tuple[tuple[str, ...], ...], idf: list[float]) -> dict[int, float]:
    """BM25 of the query over the candidates (higher is better), fields weighted: title
    :data:`TITLE_WEIGHT`, 文号/issuer :data:`DOCNUM_WEIGHT`, the first :data:`HEAD_CHARS` of the body 1;
    a match in the title table (also by pinyin initials) adds :data:`TITLE_MATCH_BONUS`."""
    if not cands:
        return {}
    fold = any(ch.isascii() and ch.isalpha() for u in units for a in u for ch in a)  # ASCII words: fold case
    avg_t = sum(len(c.title) for c in cands.values()) / len(cands) + 1
    avg_b = sum(len(c.head) for c in cands.values()) / len(cands) + 1
    out: dict[int, float] = {}
    for rid, c in cands.items():
        title, meta, head = (c.title.lower(), c.meta.lower(), c.head.lower()) if fold else (c.title, c.meta, c.head)
        nt = K1 * (1 - B + B * (len(title) + 1) / avg_t)
        nb = K1 * (1 - B + B * (len(head) + 1) / avg_b)
        total = TITLE_MATCH_BONUS if c.in_title else 0.0
        for alts, w in zip(units, idf, strict=True):
            tf = TITLE_WEIGHT * sum(title.count(a) for a in alts) + DOCNUM_WEIGHT * sum(meta.count(a) for a in alts)
            tb = sum(head.count(a) for a in alts)
            total += w * ((tf * (K1 + 1) / (tf + nt) if tf else 0.0) + (tb * (K1 + 1) / (tb + nb) if tb else 0.0))
        out[rid] = total
    return out


def _count(session: Session, level: Level, f: Filters) -> int:
    if level.text and level.title and level.title_extra:
        row = session.execute(_COUNT_UNION, {"a": _with_filters(level.text, f), "b": _with_filters(level.title, f)})
    elif level.text:
        row = session.execute(_COUNT_TEXT, {"m": _with_filters(level.text, f)})
    else:
        row = session.execute(_COUNT_TITLE, {"m": _with_filters(level.title or "", f)})
    return int(row.scalar_one())


def _rest(session: Session, level: Level, f: Filters, *, exclude: Iterable[int], n: int, skip: int) -> list[int]:
    """Matches outside the ranked window, newest first."""
    not_in = f"rowid NOT IN ({_ids(-r for r in exclude)})"
    params: dict[str, object] = {"n": n, "o": skip}
    if level.text and level.title and level.title_extra:  # pinyin / one character: both tables
        sql = (
            "SELECT -rowid FROM (SELECT rowid FROM search_text WHERE search_text MATCH :a "  # noqa: S608
            "UNION SELECT rowid FROM search_title WHERE search_title MATCH :b) "
            f"WHERE {not_in} ORDER BY rowid LIMIT :n OFFSET :o"
        )
        params |= {"a": _with_filters(level.text, f), "b": _with_filters(level.title, f)}
    else:
        table, expr = ("search_text", level.text) if level.text else ("search_title", level.title)
        sql = (
            f"SELECT -rowid FROM {table} WHERE {table} MATCH :m AND {not_in} "  # noqa: S608
            "ORDER BY rowid LIMIT :n OFFSET :o"
        )
        params["m"] = _with_filters(expr or "", f)
    return list(session.execute(text(sql), params).scalars())


_DETAILS = (
    "SELECT rowid, id, title, status, doc_number, issuer, published, zone_id, "  # noqa: S608
    f"substr(body, 1, {SNIPPET_SCAN_CHARS}) AS body, body_format FROM documents WHERE rowid IN "
)


def run_search(
    session: Session,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    filters: Filters | None = None,
    with_total: bool = True,
) -> SearchResult:
    """See :func:`kiosk.search.search`.

    Ranking is done in a bounded window so that a query matching most of a 100,000-document mirror
    still answers in milliseconds: the newest :data:`WINDOW` title-table matches and the newest
    :data:`WINDOW` whole-text matches (FTS5 stops early on both) are ordered: exact 文号 first, then
    in force / 已修订 / 已废止, then titles holding every typed word, then BM25 computed here over
    title, 文号/issuer and the first :data:`HEAD_CHARS` of the body (IDF from ``search_text_vocab``;
    see :func:`_scores`). Matches outside the window follow, newest first. ``total`` counts every
    match, inside FTS5.
    """
    f = filters or Filters()
    # lone surrogates (undecodable bytes from a command line, broken input methods) become "?"
    query = query.encode("utf-8", "replace").decode("utf-8")
    limit = max(0, min(int(limit), 500))
    offset = max(0, int(offset))
    p = plan(query)
    shown = query[:MAX_QUERY_CHARS]
    if p is None or (limit == 0 and not with_total):
        return SearchResult(query=shown, total=0, hits=[])
    exact = _exact_doc_numbers(session, p.doc_number, f)
    cands: dict[int, _Cand] = {}
    depth, level = 0, p.levels[0]
    for depth, level in enumerate(p.levels):  # noqa: B007 - depth and level are used after the loop
        cands = _window(session, level, f, exact)
        if cands:
            break
    if not cands:
        return SearchResult(query=shown, total=0, hits=[])
    score = _scores(cands, level.units, _idf(session, level.units))
    literal = p.literal if depth == 0 else ()

    def key(r: int) -> tuple[bool, int, bool, float, int]:
        c = cands[r]
        typed = bool(literal) and c.in_title and all(t in c.title.lower() for t in literal)
        return (r not in exact, _TIER.get(c.status, 2), not typed, -score[r], -r)

    order = sorted(cands, key=key)
    total = _count(session, level, f) if with_total else len(order)
    total = max(total, len(order))
    page = order[offset : offset + limit]
    if len(page) < limit and total > len(order):
        page += _rest(session, level, f, exclude=order, n=limit - len(page), skip=max(0, offset - len(order)))
    if not page:
        return SearchResult(query=shown, total=total, hits=[], relaxed=depth > 0)
    rows = {r.rowid: r for r in session.execute(text(_DETAILS + "(" + _ids(page) + ")"))}
    hits = []
    for rid in page:
        r = rows.get(rid)
        if r is None:
            continue
        hits.append(
            SearchHit(
                id=r.id,
                title=r.title,
                title_html=mark_title(r.title, level.marks, p.pinyin),
                snippet=snippet(r.body, level.marks, body_format=r.body_format, title=r.title),
                score=round(score.get(rid, 0.0), 4),
                status=r.status,
                doc_number=r.doc_number,
                issuer=r.issuer,
                published=r.published,
                zone_id=r.zone_id,
            )
        )
    return SearchResult(query=shown, total=total, hits=hits, relaxed=depth > 0)


# --- snippets and marks ---------------------------------------------------------------------------

_MD_NOISE = re.compile(r"^[ \t]*(#{1,6}|>|[-*+]|\d+\.)[ \t]+|[*_`]{1,3}|!?\[([^\]]*)\]\([^)]*\)", re.M)
_TAGS = re.compile(r"<[^>]{0,500}>")
_SPACES = re.compile(r"\s+")


def plain_text(body: str, body_format: str = "markdown") -> str:
    """The body as one line of plain text (markdown markers / HTML tags dropped)."""
    if body_format == "html":
        body = html.unescape(_TAGS.sub(" ", body))
    else:
        body = _MD_NOISE.sub(lambda m: m.group(2) or "", body)
    return _SPACES.sub(" ", body).strip()


def _mark_regex(marks: tuple[str, ...]) -> re.Pattern[str] | None:
    terms = sorted({m for m in marks if m}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def _marked(s: str, rx: re.Pattern[str] | None) -> str:
    if rx is None:
        return html.escape(s)
    out: list[str] = []
    pos = 0
    for m in rx.finditer(s):
        out.append(html.escape(s[pos : m.start()]))
        out.append("<b>" + html.escape(m.group(0)) + "</b>")
        pos = m.end()
    out.append(html.escape(s[pos:]))
    return "".join(out)


def snippet(
    body: str, marks: tuple[str, ...], *, body_format: str = "markdown", title: str = "", width: int = SNIPPET_CHARS
) -> str:
    """About ``width`` characters of ``body`` around the densest cluster of ``marks``, HTML-escaped
    with matches in ``<b>…</b>``; the opening text when nothing matches."""
    rx = _mark_regex(marks)
    first = rx.search(body) if rx else None
    cut_front = first is not None and first.start() > 4 * width
    if cut_front and first is not None:
        # cut the raw text near the first match before cleaning it (bodies can be long)
        body = body[first.start() - 2 * width : first.start() + 10 * width]
        title = ""
    else:
        body = body[: 12 * width]
    plain = plain_text(body, body_format)
    if title and plain.startswith(title):
        plain = plain[len(title) :].lstrip()
    starts = [m.start() for _, m in zip(range(300), rx.finditer(plain), strict=False)] if rx else []
    if not starts:
        cut = plain[:width]
        return html.escape(cut) + ("…" if len(plain) > width else "")
    best, best_n = starts[0], 0
    j = 0
    for i, st in enumerate(starts):
        while starts[j] < st - width + 20:
            j += 1
        if i - j + 1 > best_n:
            best_n, best = i - j + 1, starts[j]
    # begin at the start of the sentence/clause holding the first match when it is close
    start = max(0, best - 12)
    for k in range(best - 1, max(-1, best - 30), -1):
        if plain[k] in "。；！？;!?，,：:":
            start = k + 1
            break
    start = max(0, min(start, len(plain) - width))  # near the end: show a full window
    end = min(len(plain), start + width)
    text_ = _marked(plain[start:end], rx)
    return ("…" if start > 0 or cut_front else "") + text_ + ("…" if end < len(plain) else "")


def mark_title(title: str, marks: tuple[str, ...], pinyin: str = "") -> str:
    """The title HTML-escaped with matches in ``<b>…</b>``; with ``pinyin`` initials the characters
    whose initials spell it are marked instead when no text mark matches."""
    rx = _mark_regex(marks)
    if rx is not None and rx.search(title):
        return _marked(title, rx)
    if pinyin:
        span = _pinyin_span(title, pinyin)
        if span is not None:
            a, b = span
            return html.escape(title[:a]) + "<b>" + html.escape(title[a:b]) + "</b>" + html.escape(title[b:])
    return html.escape(title)


_TITLE_RUN = re.compile(f"([{tk.CJK_RANGES}]+)|([A-Za-z]+)")


def _pinyin_span(title: str, letters: str) -> tuple[int, int] | None:
    chars: list[tuple[int, str]] = []  # (index in title, initial letter) of CJK characters/letters
    for m in _TITLE_RUN.finditer(title):
        if m.group(1):
            for k, syl in enumerate(lazy_pinyin(m.group(1), style=Style.FIRST_LETTER)):
                chars.append((m.start() + k, syl[:1]))
        else:
            chars.extend((m.start() + k, c.lower()) for k, c in enumerate(m.group(2)))
    seq = "".join(c for _, c in chars)
    k = seq.find(letters)
    if k < 0 or len(seq) != len(chars):
        return None
    return chars[k][0], chars[k + len(letters) - 1][0] + 1


_MARK_TAGS = re.compile(r"</?b>")


def strip_marks(marked: str) -> str:
    """Plain text of a ``snippet``/``title_html``: marks removed, HTML entities decoded."""
    return html.unescape(_MARK_TAGS.sub("", marked))
