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
from typing import Any

from pypinyin import Style, lazy_pinyin
from sqlalchemy import text
from sqlalchemy.orm import Session

from kiosk.mirror.models import DocStatus
from kiosk.search import tokenize as tk

MAX_QUERY_CHARS = 64  # the rest of a 2,000-character paste is ignored
MAX_RUNS = 8
MAX_ALTERNATIVES = 4  # synonym variants per run
MAX_RELAXED_TERMS = 24
SNIPPET_CHARS = 90
SNIPPET_SCAN_CHARS = 20_000
# bm25 weights of the FTS columns (title, docnum, body, py)
WEIGHTS = (10.0, 4.0, 1.0, 6.0)

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
class Plan:
    """The MATCH expressions for one query and the strings to mark in snippets."""

    strict: str
    relaxed: str
    marks: tuple[str, ...]
    relaxed_marks: tuple[str, ...]
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


def _cjk_expr(t: str) -> str:
    run = tk.Run(t, True)
    if len(t) == 1:
        return f"({{title docnum}} : {_q(t)} OR {{body}} : {_q(t)} *)"
    return (
        f"({{title docnum}} : {_phrase(tk.run_tokens(run, unigrams=True))}"
        f" OR {{body}} : {_phrase(tk.bigrams(run))})"
    )


_ASCII_LETTERS = re.compile(r"[a-z]+")


def plan(query: str) -> Plan | None:
    """The MATCH expressions for ``query``; None when it holds nothing searchable."""
    q = tk.normalize(query.replace("\x00", " "))[:MAX_QUERY_CHARS]
    runs = tk.runs(q)[:MAX_RUNS]
    letters = "".join(q.split())
    pinyin = letters if len(letters) >= 2 and _ASCII_LETTERS.fullmatch(letters) else ""
    if not runs:
        return None
    units: list[str] = []
    marks: list[str] = []
    relaxed_terms: list[str] = []
    for run in runs:
        if run.cjk:
            alts = expand(run.text)
            units.append("(" + " OR ".join(_cjk_expr(a) for a in alts) + ")")
            marks.extend(alts)
            relaxed_terms.extend(tk.bigrams(run))
        else:
            units.append(f"{{title docnum body}} : {_q(run.text)}")
            marks.append(run.text)
            relaxed_terms.append(run.text)
    strict = " AND ".join(units)
    if pinyin:
        strict = f"({strict}) OR {{py}} : {_phrase(tk.letter_bigrams(pinyin).split())}"
    relaxed_terms = list(dict.fromkeys(relaxed_terms))[:MAX_RELAXED_TERMS]
    relaxed = "{title docnum body} : (" + " OR ".join(_q(t) for t in relaxed_terms) + ")"
    doc_number = tk.normalize_doc_number(query[:MAX_QUERY_CHARS].replace("\x00", ""))
    has_number = any(ch.isdigit() for ch in doc_number)
    return Plan(
        strict=strict,
        relaxed=relaxed,
        marks=tuple(dict.fromkeys(marks)),
        relaxed_marks=tuple(relaxed_terms),
        pinyin=pinyin,
        doc_number=doc_number if has_number and tk.has_cjk(doc_number) else "",
    )


# --- running --------------------------------------------------------------------------------------

_STATUS_TIER = "CASE d.status WHEN 'in_force' THEN 0 WHEN 'amended' THEN 1 ELSE 2 END"


def _filter_sql(f: Filters, params: dict[str, Any]) -> str:
    parts: list[str] = []
    if f.zone is not None:
        parts.append("(d.zone_id IS NULL OR d.zone_id = :f_zone)")
        params["f_zone"] = f.zone
    if f.category is not None:
        parts.append(
            "EXISTS (SELECT 1 FROM document_categories dc WHERE dc.document_id = d.id "
            "AND dc.category_code = :f_cat)"
        )
        params["f_cat"] = f.category
    if f.status is not None:
        parts.append("d.status = :f_status")
        params["f_status"] = DocStatus.parse(f.status).value
    if f.year is not None:
        parts.append("d.published >= :f_y0 AND d.published < :f_y1")
        params["f_y0"] = f"{f.year:04d}-01-01"
        params["f_y1"] = f"{f.year + 1:04d}-01-01"
    return "".join(" AND " + p for p in parts)


def _exact_doc_numbers(session: Session, doc_number: str) -> list[int]:
    if not doc_number:
        return []
    return list(
        session.execute(
            text("SELECT doc_rowid FROM search_docs WHERE doc_number_norm = :n LIMIT 50"), {"n": doc_number}
        ).scalars()
    )


def _count(session: Session, match: str, f: Filters) -> int:
    params: dict[str, Any] = {"m": match}
    where = _filter_sql(f, params)
    if where:
        # fixed SQL pieces only; every value is bound
        sql = ("SELECT count(*) FROM search_fts CROSS JOIN documents d ON d.rowid = search_fts.rowid "  # noqa: S608
               f"WHERE search_fts MATCH :m{where}")
    else:
        sql = "SELECT count(*) FROM search_fts WHERE search_fts MATCH :m"
    return int(session.execute(text(sql), params).scalar_one())


def _page(session: Session, match: str, f: Filters, *, exact: list[int], limit: int, offset: int
          ) -> list[Any]:
    params: dict[str, Any] = {"m": match, "limit": limit, "offset": offset}
    where = _filter_sql(f, params)
    exact_sql = ""
    if exact:
        exact_sql = "d.rowid IN (" + ",".join(str(int(r)) for r in exact) + ") DESC, "
    w = ", ".join(str(x) for x in WEIGHTS)
    # fixed SQL pieces and integers only; every value is bound
    sql = (
        "SELECT d.id, d.title, d.status, d.doc_number, d.issuer, d.published, d.zone_id, "  # noqa: S608
        f"substr(d.body, 1, {SNIPPET_SCAN_CHARS}) AS body, d.body_format, bm25(search_fts, {w}) AS score "
        "FROM search_fts CROSS JOIN documents d ON d.rowid = search_fts.rowid "
        f"WHERE search_fts MATCH :m{where} "
        f"ORDER BY {exact_sql}{_STATUS_TIER}, score LIMIT :limit OFFSET :offset"
    )
    return list(session.execute(text(sql), params).all())


def run_search(session: Session, query: str, *, limit: int = 20, offset: int = 0,
               filters: Filters | None = None, with_total: bool = True) -> SearchResult:
    """See :func:`kiosk.search.search`."""
    f = filters or Filters()
    limit = max(0, min(int(limit), 500))
    offset = max(0, int(offset))
    p = plan(query)
    if p is None:
        return SearchResult(query="", total=0, hits=[])
    exact = _exact_doc_numbers(session, p.doc_number)
    relaxed = False
    rows = _page(session, p.strict, f, exact=exact, limit=limit, offset=offset)
    total = _count(session, p.strict, f) if with_total and (rows or offset) else len(rows)
    marks = p.marks
    if not rows and offset == 0:
        rows = _page(session, p.relaxed, f, exact=exact, limit=limit, offset=offset)
        if rows:
            relaxed = True
            marks = p.relaxed_marks
            total = _count(session, p.relaxed, f) if with_total else len(rows)
    hits = [
        SearchHit(
            id=r.id,
            title=r.title,
            title_html=mark_title(r.title, marks, p.pinyin),
            snippet=snippet(r.body, marks, body_format=r.body_format, title=r.title),
            score=round(-float(r.score), 4),
            status=r.status,
            doc_number=r.doc_number,
            issuer=r.issuer,
            published=r.published,
            zone_id=r.zone_id,
        )
        for r in rows
    ]
    return SearchResult(query=query[:MAX_QUERY_CHARS], total=total, hits=hits, relaxed=relaxed)


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
    start = max(0, best - 12)
    # begin at a sentence or clause start when one is close
    for k in range(start, best):
        if plain[k] in "。；！？;!?，,":
            start = k + 1
            break
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
