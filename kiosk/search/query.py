"""Turning what a resident typed into an FTS5 query, running it, and cutting highlighted snippets.

Nothing typed is ever passed to FTS5 as syntax: the text is cut into runs by
:mod:`kiosk.search.tokenize` and every token is written into the MATCH expression as a quoted
string, so ``"``, ``AND``, ``NEAR``, ``*``, ``)(`` are just text (and punctuation only separates).

Matching, in order of strictness:

1. *strict*: every run must match — a CJK run as a phrase of its tokens (title/文号 columns hold
   bigrams and single characters, the body column bigrams only, so each column gets its own phrase
   form), a one-character run as that character in title/文号 or a bigram starting with it in the
   body, an ASCII word as itself. A run containing a synonym-table term (低保) also matches with the
   term replaced (最低生活保障). A query of ASCII letters also matches the titles' pinyin initials
   (``dbj`` → 低保金) as a phrase of letter pairs.
2. *relaxed*, only when strict finds nothing: any of the query's bigrams/words, best BM25 first (a
   resident's sentence such as 我想办低保怎么弄 still finds something).

Ranking: an exact 文号 match first, then documents in force before 已修订 before 已废止, then BM25
with column weights (title ≫ 文号/issuer > pinyin > body).
"""

from __future__ import annotations

import functools
import html
import re
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
SNIPPET_SCAN_CHARS = 20_000
# Ranking window: BM25 is computed for at most this many of the newest matches of the whole query
# plus as many of the newest title/文号/pinyin matches (see run_search).
WINDOW = 200
# bm25 weights of the FTS columns (title, title1, docnum, body, py, meta)
WEIGHTS = (10.0, 2.0, 4.0, 1.0, 6.0, 0.0)
TITLE_COLS = "title docnum"
TITLE_BOOST = 1.0
ALL_COLS = "title docnum body"

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
    """One way of matching a query: an expression for all columns and one for title-like columns."""

    full: str
    title: str
    marks: tuple[str, ...]


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


def _run_expr(run: tk.Run, cols: str) -> str:
    if run.cjk and len(run.text) == 1:
        return f"{{title1}} : {_q(run.text)}"  # one character: titles only (bodies: nearly all match)
    return f"{{{cols}}} : {_phrase(tk.bigrams(run))}"


def _unit_expr(run: tk.Run, cols: str) -> str:
    if not run.cjk:
        return _run_expr(run, cols)
    alts = expand(run.text)
    exprs = [_run_expr(r, cols) for a in alts for r in tk.runs(a)[:1]]
    return exprs[0] if len(exprs) == 1 else "(" + " OR ".join(exprs) + ")"


_ASCII_LETTERS = re.compile(r"[a-z]+")
# Words of a resident's question that say nothing about the documents (relaxed matching drops them).
FILLER = ("我想", "我要", "请问", "怎么", "怎样", "如何", "哪里", "什么", "办理", "需要", "可以", "是否",
          "多少", "能不能", "有没有", "一下", "的", "了", "吗", "呢", "吧", "啊")


def _level(runs: list[tk.Run], pinyin: str) -> Level:
    marks: list[str] = []
    for run in runs:
        marks.extend(expand(run.text) if run.cjk else [run.text])
    full = " AND ".join(_unit_expr(r, ALL_COLS) for r in runs)
    title = " AND ".join(_unit_expr(r, TITLE_COLS) for r in runs)
    if pinyin:
        py = f"{{py}} : {_phrase(tk.letter_bigrams(pinyin).split())}"
        full, title = f"({full}) OR {py}", f"({title}) OR {py}"
    return Level(full=full, title=title, marks=tuple(dict.fromkeys(marks)))


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
    levels = [_level(core or runs[:1], pinyin)]
    # relaxed 1: the synonym-table words found in a longer query (我想办低保怎么弄 → 低保)
    only = runs[0].text if len(runs) == 1 else None
    known = [t for g in synonym_groups() for t in g if t != only and any(r.cjk and t in r.text for r in runs)]
    known = [t for t in dict.fromkeys(known) if not any(t != o and t in o for o in known)]
    if known:
        expr = [_unit_expr(tk.Run(t, True), ALL_COLS) for t in known]
        texpr = [_unit_expr(tk.Run(t, True), TITLE_COLS) for t in known]
        marks = tuple(dict.fromkeys(m for t in known for m in expand(t)))
        levels.append(Level(full=" OR ".join(expr), title=" OR ".join(texpr), marks=marks))
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
        any_terms = " OR ".join(_q(t) for t in terms)
        levels.append(Level(full=f"{{{ALL_COLS}}} : ({any_terms})", title=f"{{{TITLE_COLS}}} : ({any_terms})",
                            marks=tuple(terms)))
    doc_number = tk.normalize_doc_number(query[:MAX_QUERY_CHARS].replace("\x00", ""))
    has_number = any(ch.isdigit() for ch in doc_number)
    return Plan(levels=tuple(levels), literal=tuple(r.text for r in core or runs[:1]), pinyin=pinyin,
                doc_number=doc_number if has_number and tk.has_cjk(doc_number) else "")


# --- running --------------------------------------------------------------------------------------

_TIER = {"in_force": 0, "amended": 1}


def _filter_expr(f: Filters) -> str:
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
    return "".join(" AND " + p for p in parts)


def _with_filters(expr: str, f: Filters) -> str:
    fx = _filter_expr(f)
    return f"({expr}){fx}" if fx else expr


_W = ", ".join(str(x) for x in WEIGHTS)
_CANDIDATES = text(
    f"SELECT search_fts.rowid AS rid, bm25(search_fts, {_W}) AS score, d.status AS status, "  # noqa: S608
    "d.title AS title FROM search_fts CROSS JOIN documents d ON d.rowid = search_fts.rowid "
    "WHERE search_fts MATCH :m ORDER BY search_fts.rowid DESC LIMIT :n"
)
_COUNT = text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :m")


Candidate = tuple[float, str, str]  # bm25 (lower is better), status, title


def _candidates(session: Session, match: str, n: int) -> dict[int, Candidate]:
    return {r.rid: (float(r.score), r.status, r.title)
            for r in session.execute(_CANDIDATES, {"m": match, "n": n})}


def _scores(session: Session, match: str, rowids: list[int]) -> dict[int, Candidate]:
    """Whole-query BM25 of particular matches (title matches outside the newest-first window)."""
    ids = ",".join(str(int(r)) for r in rowids)
    sql = text(
        f"SELECT search_fts.rowid AS rid, bm25(search_fts, {_W}) AS score, d.status AS status, "  # noqa: S608
        "d.title AS title FROM search_fts CROSS JOIN documents d ON d.rowid = search_fts.rowid "
        f"WHERE search_fts MATCH :m AND search_fts.rowid IN ({ids})"
    )
    return {r.rid: (float(r.score), r.status, r.title) for r in session.execute(sql, {"m": match})}


def _exact_doc_numbers(session: Session, doc_number: str) -> set[int]:
    if not doc_number:
        return set()
    return set(session.execute(
        text("SELECT doc_rowid FROM search_docs WHERE doc_number_norm = :n LIMIT 50"), {"n": doc_number}
    ).scalars())


def _rest(session: Session, match: str, exclude: list[int], n: int, skip: int) -> list[int]:
    """Matches outside the ranked window, newest first."""
    ids = ",".join(str(int(r)) for r in exclude) or "NULL"
    sql = text(
        f"SELECT rowid FROM search_fts WHERE search_fts MATCH :m AND rowid NOT IN ({ids}) "  # noqa: S608
        "ORDER BY rowid DESC LIMIT :n OFFSET :o"
    )
    return list(session.execute(sql, {"m": match, "n": n, "o": skip}).scalars())


_DETAILS = (
    "SELECT rowid, id, title, status, doc_number, issuer, published, zone_id, "  # noqa: S608
    f"substr(body, 1, {SNIPPET_SCAN_CHARS}) AS body, body_format FROM documents WHERE rowid IN "
)


def run_search(session: Session, query: str, *, limit: int = 20, offset: int = 0,
               filters: Filters | None = None, with_total: bool = True) -> SearchResult:
    """See :func:`kiosk.search.search`.

    Ranking in a bounded window, so a query matching most of a 100,000-document mirror still answers
    in milliseconds: BM25 (column weights :data:`WEIGHTS`) is computed for the newest
    :data:`WINDOW` matches of the query over all columns and the newest :data:`WINDOW` matches in
    titles/文号/pinyin; those are ordered exact-文号 first, then in force / 已修订 / 已废止, then BM25.
    Matches outside the window follow, newest first. ``total`` counts every match (inside FTS5).
    """
    f = filters or Filters()
    limit = max(0, min(int(limit), 500))
    offset = max(0, int(offset))
    p = plan(query)
    shown = query[:MAX_QUERY_CHARS]
    if p is None or (limit == 0 and not with_total):
        return SearchResult(query=shown, total=0, hits=[])
    exact = _exact_doc_numbers(session, p.doc_number)
    ranked: dict[int, Candidate] = {}
    depth, level, full = 0, p.levels[0], ""
    for depth, level in enumerate(p.levels):  # noqa: B007 - depth and level are used after the loop
        full = _with_filters(level.full, f)
        ranked = _candidates(session, full, WINDOW)
        in_title = _candidates(session, _with_filters(level.title, f), WINDOW)
        missing = [r for r in in_title if r not in ranked]
        if missing:
            ranked.update(_scores(session, full, missing))
        # Title weight: a title/文号/pinyin match adds its own BM25 (computed on those columns only)
        # to the whole-document BM25, so titles that say what was asked come first.
        for rid, (t_score, _status, _title) in in_title.items():
            if rid in ranked:
                score, status, title = ranked[rid]
                ranked[rid] = (score + TITLE_BOOST * t_score, status, title)
        if ranked:
            break
    if not ranked:
        return SearchResult(query=shown, total=0, hits=[])
    literal = p.literal if depth == 0 else ()

    def key(r: int) -> tuple[bool, int, bool, float, int]:
        score, status, title = ranked[r]
        typed = bool(literal) and all(t in tk.normalize(title) for t in literal)
        return (r not in exact, _TIER.get(status, 2), not typed, score, -r)

    order = sorted(ranked, key=key)
    total = int(session.execute(_COUNT, {"m": full}).scalar_one()) if with_total else len(order)
    page = order[offset : offset + limit]
    if len(page) < limit and total > len(order):
        page += _rest(session, full, order, limit - len(page), max(0, offset - len(order)))
    if not page:
        return SearchResult(query=shown, total=total, hits=[], relaxed=depth > 0)
    rows = {r.rowid: r for r in session.execute(text(_DETAILS + "(" + ",".join(map(str, page)) + ")"))}
    hits = []
    for rid in page:
        r = rows.get(rid)
        if r is None:
            continue
        score = ranked.get(rid, (0.0, ""))[0]
        hits.append(SearchHit(
            id=r.id,
            title=r.title,
            title_html=mark_title(r.title, level.marks, p.pinyin),
            snippet=snippet(r.body, level.marks, body_format=r.body_format, title=r.title),
            score=round(-score, 4),
            status=r.status,
            doc_number=r.doc_number,
            issuer=r.issuer,
            published=r.published,
            zone_id=r.zone_id,
        ))
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


def snippet(body: str, marks: tuple[str, ...], *, body_format: str = "markdown", title: str = "",
            width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``body`` around the densest cluster of ``marks``, HTML-escaped
    with matches in ``<b>…</b>``; the opening text when nothing matches."""
    plain = plain_text(body, body_format)
    if title and plain.startswith(title):
        plain = plain[len(title):].lstrip()
    rx = _mark_regex(marks)
    starts = [m.start() for _, m in zip(range(300), rx.finditer(plain), strict=False)] if rx else []
    if not starts:
        cut = plain[:width]
        return html.escape(cut) + ("…" if len(plain) > width else "")
    best, best_n = starts[0], 0
    j = 0
    for i, s in enumerate(starts):
        while starts[j] < s - width + 20:
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
    return ("…" if start > 0 else "") + text_ + ("…" if end < len(plain) else "")


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
