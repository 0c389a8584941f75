"""Turning what a resident typed into FTS5 queries, running them, ranking, and cutting snippets.

Nothing typed is ever passed to FTS5 as syntax: the text is cut into runs by
:mod:`kiosk.search.tokenize` and every token is written into the MATCH expression as a quoted
string, so ``"``, ``AND``, ``NEAR``, ``*``, ``)(`` are just text (and punctuation only separates).

Before matching, :mod:`kiosk.search.understand` folds the query (full-width, traditional characters)
and cuts out question and filler words (怎么, 我想, 吗 …). Matching (tables described in
:mod:`kiosk.search.index`) then has two levels:

1. *strict*: every run must match — a CJK run of two or more characters as the phrase of its
   bigrams, a query of one character as that character in titles, an ASCII word as itself (a lone
   character between other runs, like the 号 of 国务院令第711号, is not required). A run holding a
   synonym-table term (低保) also matches with the term replaced (最低生活保障). A query of ASCII
   letters also matches the titles' pinyin initials (``dbj`` → 低保金) as a phrase of letter pairs,
   their full pinyin (``dibao``, ``yi bao``: every way to cut the letters into syllables) and the
   synonym-table words that sound like it (``dibao`` → 低保 → 最低生活保障).
2. *partial* (部分匹配), only when the strict level finds fewer than a page: the best coverage of
   the query's parts — its synonym-table words, the bigrams of the rest, each bigram also by sound
   (a homophone slip: 滴保 sounds like 低保), and the synonym-table words that sound like part of it.
   Titles are ranked by FTS5's BM25 over the parts that match (title-weighted), bodies by the
   rarest parts; the hits come after every strict hit and are flagged ``partial``.

Ranking (see :func:`run_search`): an exact 文号 first, then strict matches — in force before 已修订
before 已废止, then titles holding every typed word, then BM25 (title ≫ 文号/issuer > body) over a
bounded window — then partial matches by coverage.
"""

from __future__ import annotations

import functools
import html
import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pypinyin import Style, lazy_pinyin
from sqlalchemy import text
from sqlalchemy.orm import Session

from kiosk.mirror.models import DocStatus
from kiosk.search import index as idx
from kiosk.search import tokenize as tk
from kiosk.search import understand as und
from kiosk.search.understand import expand, synonym_groups

__all__ = ["Filters", "SearchHit", "SearchResult", "expand", "plan", "run_search", "strip_marks", "synonym_groups"]

MAX_QUERY_CHARS = 64  # the rest of a 2,000-character paste is ignored
MAX_RUNS = 8
MAX_PARTS = 12  # parts of a query ranked for coverage
SNIPPET_CHARS = 90
SNIPPET_SCAN_CHARS = 4_000  # a match further in: the snippet shows the opening
# Ranking window: at most this many of the newest title matches and as many of the newest
# whole-text matches are ranked (see run_search).
WINDOW = 100
PARTIAL_WINDOW = 50  # … and of partial matches, each kind (titles by BM25, bodies newest first)
# BM25 over the window, computed here (FTS5's bm25() would visit every match of every phrase to
# compute IDF, i.e. time in proportion to the mirror): field weights, and a bonus for a title-table
# match (title, 文号/issuer, pinyin initials, one character).
TITLE_WEIGHT = 5.0
DOCNUM_WEIGHT = 2.0
TITLE_MATCH_BONUS = 1.0
SOUND_WEIGHT = 0.8  # a part matched by sound only counts this much of a match by characters
HEAD_CHARS = 400  # body characters read per ranked candidate for term frequencies
K1, B = 1.2, 0.75  # BM25 constants
# Partial matching: parts in more than this share of the documents are left out of the candidate
# search (they still count when ranking), so a question's common words cost no time.
COMMON_SHARE = 0.08
# search_title columns: title, title1, docnum, py, pyf, meta
TITLE_BM25 = "bm25(search_title, 5.0, 1.0, 2.0, 1.0, 3.0, 0.0)"
_STATUS_FACTOR = {"in_force": 1.0, "amended": 0.85}
MIN_COVERAGE = 0.5  # a partial match shown beside strict ones holds at least this share of the query
STRICT_FACTOR = 1.2  # a document holding every word somewhere, against one holding some in its title


@dataclass(frozen=True)
class SearchHit:
    """One found document.

    ``snippet`` and ``title_html`` are HTML-escaped text in which matched text is wrapped in
    ``<b>…</b>`` (nothing else is markup), ready for a Qt ``Text.StyledText`` label; use
    :func:`strip_marks` for plain text. ``score`` is the BM25 relevance (higher is better; only
    comparable within one result). ``status`` is a :class:`DocStatus` value. ``partial``: the document
    matches only part of the query, or matches it by sound (部分匹配).
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
    partial: bool = False


@dataclass(frozen=True)
class SearchResult:
    """A page of hits and the number of all matching documents (``total``).

    ``relaxed`` is True when the result holds partial matches (fewer than a page matched every word;
    the UI may say 部分匹配). ``query`` is the text actually searched. ``suggestion`` is a resident's
    word that sounds like what was typed (滴保, ``dibao`` → 低保), "" if none: the UI may offer it
    (您是不是要找：低保) when nothing matched every word.
    """

    query: str
    total: int
    hits: list[SearchHit]
    relaxed: bool = False
    suggestion: str = ""


@dataclass(frozen=True)
class Filters:
    zone: str | None = None
    category: str | None = None
    status: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Unit:
    """One part of a query for ranking: interchangeable texts (a word and its synonyms) and
    sounds (space-separated toneless syllables) that count when no text matches."""

    texts: tuple[str, ...]
    sounds: tuple[str, ...] = ()
    word: bool = False  # a word residents use (synonym table), not a bigram cut from the query


@dataclass(frozen=True)
class Level:
    """One way of matching a query: FTS5 expressions on ``search_title`` and on ``search_text``
    (None: the query has no part indexed there); ``title_extra`` when the title expression can
    match rows the text one cannot (pinyin, one character); ``title_ranked``: take the title
    window by BM25 instead of newest first; ``extra_text``: more whole-text windows; the strings to
    mark; the units for term-frequency scoring."""

    text: str | None
    title: str | None
    title_extra: bool
    marks: tuple[str, ...]
    units: tuple[Unit, ...]
    title_ranked: bool = False
    extra_text: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """How to match one query and what else to look up."""

    strict: Level
    partial: Level | None
    literal: tuple[str, ...]  # the query's runs: a title holding all of them ranks before others
    pinyin: str  # ASCII letters the titles' initials should contain, or ""
    doc_number: str  # normalised 文号 for exact lookup, or ""
    suggestion: str = ""
    sounds: tuple[str, ...] = field(default=())  # full-pinyin readings of a Latin query


# --- building MATCH expressions -------------------------------------------------------------------


def _q(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _phrase(tokens: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'


def _sound_expr(sound: str) -> str:
    """Syllables ("di bao", "di b*") as a phrase on the full-pinyin column."""
    sylls = sound.split()
    if sylls and sylls[-1].endswith("*"):
        head = " ".join([*sylls[:-1], sylls[-1][:-1]])
        return f"{{pyf}} : {_q(head)} *"
    return f"{{pyf}} : {_q(sound)}"


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


def _term_expr(term: str, table: str) -> str | None:
    rs = tk.runs(term)
    exprs = [_run_expr(r, table) for r in rs]
    if not exprs or any(e is None for e in exprs):
        return None
    return exprs[0] if len(exprs) == 1 else "(" + " AND ".join(e for e in exprs if e) + ")"


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


def _or(exprs: Iterable[str | None]) -> str | None:
    parts = list(dict.fromkeys(e for e in exprs if e))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else " OR ".join(f"({p})" for p in parts)


_ASCII_LETTERS = re.compile(r"[a-z]+")


def _strict_level(runs: list[tk.Run], initials: str, sounds: tuple[str, ...], heard: list[str]) -> Level:
    units = [Unit(tuple(expand(r.text)) if r.cjk else (r.text,)) for r in runs]
    title = _and([_unit_expr(r, "title") for r in runs])
    body = _and([_unit_expr(r, "text") for r in runs])
    extra = False
    if initials:
        py = f"{{py}} : {_phrase(tk.letter_bigrams(initials).split())}"
        title = _or([title, py])
        extra = True
    elif any(r.cjk and len(r.text) == 1 for r in runs):
        extra = True  # title1 matches are not in the text table
    if sounds:
        title = _or([title, *(_sound_expr(s) for s in sounds)])
        units.append(Unit((), sounds))
    if heard:  # synonym-table words that sound like the letters typed (dibao → 低保)
        words = [w for t in heard for w in expand(t)]
        title = _or([title, *(_term_expr(w, "title") for w in words)])
        body = _or([body, *(_term_expr(w, "text") for w in words)])
        units.append(Unit(tuple(words)))
    marks = tuple(dict.fromkeys(m for u in units for m in u.texts))
    return Level(text=body, title=title, title_extra=extra, marks=marks, units=tuple(units))


def _parts(runs: list[tk.Run], sounds: tuple[str, ...], heard: list[str]) -> list[Unit]:
    """The parts of a query ranked for coverage: synonym-table words with their synonyms, the
    bigrams of the rest (each also by its sound), ASCII words and numbers, the full pinyin of a
    Latin query, and the synonym-table words heard in the query."""
    units: list[Unit] = []
    for run in runs:
        if not run.cjk:
            if len(run.text) > 1 or run.text.isdigit():
                # pinyin among Chinese (dibao怎么申请): the word also by its sound
                units.append(Unit((run.text,), () if sounds else _run_sounds(run)))
            continue
        if len(run.text) >= 3:  # the whole segment, also by sound (供司法 sounds like 公司法)
            units.append(Unit((run.text,), tuple(" ".join(r) for r in und.readings(run.text)[:4])))
        rest = run.text
        for term in und.known_terms(run.text):
            units.append(Unit(tuple(expand(term)), word=True))
            rest = rest.replace(term, " ")
        for piece in rest.split():
            for bigram in tk.bigrams(tk.Run(piece, True)) if len(piece) > 1 else []:
                units.append(Unit((bigram,), tuple(" ".join(r) for r in und.readings(bigram)[:4])))
    if sounds:
        units.append(Unit((), sounds))
    for term in heard:
        if not any(term in u.texts for u in units):
            units.append(Unit(tuple(expand(term)), word=True))
    seen: set[Unit] = set()
    return [u for u in units if not (u in seen or seen.add(u))][:MAX_PARTS]  # type: ignore[func-returns-value]


def _run_sounds(run: tk.Run) -> tuple[str, ...]:
    """Readings of an ASCII run that is pinyin (two syllables or more, no partial syllable)."""
    if run.cjk or not run.text.isalpha() or len(run.text) < 4:
        return ()
    return tuple(" ".join(seg) for seg in und.segmentations(run.text, partial=False)[:3] if len(seg) >= 2)


def _partial_level(units: list[Unit], freq: Freq) -> Level | None:
    """Coverage of ``units``: titles holding any of them (but the commonest in titles) ranked by
    BM25; bodies holding the first two, or the first, of the residents' words and then the rarest
    parts."""
    if not units:
        return None
    common_title = max(50.0, COMMON_SHARE * freq.n / 2)
    title_parts: list[str | None] = []
    for u in units:
        if u.texts and _unit_df(u, freq.title) > common_title:
            continue
        title_parts.extend(_term_expr(t, "title") for t in u.texts)
        title_parts.extend(_sound_expr(s) for s in u.sounds)
    title = _or(title_parts)
    texts: list[str] = []
    # bodies: words residents use first, then the rarest parts in titles; pinyin typed as letters is
    # looked for in titles only (as sound), and its heard words (gongjijin → 公积金) stand for it here
    in_body = [u for u in units if any(tk.has_cjk(t) or (len(t) > 2 and not u.sounds) for t in u.texts)]
    body_units = sorted(
        in_body, key=lambda u: (not u.word, _unit_df(u, freq.title) > common_title, _unit_df(u, freq.title))
    )[:2]
    if len(body_units) == 2:
        both = _and([_or(_term_expr(t, "text") for t in u.texts) for u in body_units])
        if both:
            texts.append(both)
    if body_units:
        one = _or(_term_expr(t, "text") for t in body_units[0].texts)
        if one:
            texts.append(one)
    marks = tuple(dict.fromkeys(t for u in units for t in u.texts))
    return Level(
        text=texts[0] if texts else None,
        title=title,
        title_extra=True,
        marks=marks,
        units=tuple(units),
        title_ranked=True,
        extra_text=tuple(texts[1:]),
    )


def _unit_df(u: Unit, df: dict[str, float]) -> float:
    return min((df.get(t, 0.0) for t in u.texts), default=0.0)


def _latin_sounds(q: str) -> tuple[str, ...]:
    """Full-pinyin readings of a query made of ASCII letters (spaces and ' separate syllables)."""
    words = re.findall(r"[a-z]+", q)
    if not words or re.search(r"[^a-z\s']", q):
        return ()
    per_word = [und.segmentations(w, partial=(i == len(words) - 1)) for i, w in enumerate(words)]
    if any(not p for p in per_word):
        return ()
    combos = itertools.islice(itertools.product(*per_word), und.MAX_SEGMENTATIONS)
    out = [" ".join(s for seg in combo for s in seg) for combo in combos]
    return tuple(o for o in dict.fromkeys(out) if _specific(o.split()))


def _specific(sylls: list[str]) -> bool:
    """Whether a reading says enough to look for (as typed, "di" or "di b…" would match thousands of
    titles): two full syllables, or one and the first two letters of the next."""
    full = [x for x in sylls if not x.endswith("*")]
    return len(full) >= 2 or (len(full) == 1 and len(sylls) == 2 and len(sylls[1]) >= 3)


@dataclass(frozen=True)
class Parsed:
    """A query cut for planning (see :func:`parse`)."""

    folded: str
    runs: tuple[tk.Run, ...]
    core: tuple[tk.Run, ...]
    initials: str
    sounds: tuple[str, ...]
    heard: tuple[str, ...]  # synonym-table words heard in a Latin query (dibao → 低保)
    heard_cjk: tuple[str, ...]  # … and in its Chinese parts (滴保 → 低保)
    parts: tuple[Unit, ...] = ()  # see _parts


def parse(query: str) -> Parsed | None:
    """``query`` folded, cut at filler words into runs, and read by sound; None if nothing is left."""
    q = und.fold(query.replace("\x00", " ")[:MAX_QUERY_CHARS])
    all_runs = tk.runs(q)[:MAX_RUNS]
    if not all_runs:
        return None
    runs = tk.runs(und.strip_fillers(q))[:MAX_RUNS] or all_runs  # only filler words: searched as typed
    letters = "".join(q.split())
    initials = letters if len(letters) >= 2 and _ASCII_LETTERS.fullmatch(letters) else ""
    sounds = _latin_sounds(q) if initials else ()
    mixed = [s for r in runs for s in _run_sounds(r)] if not initials else []
    heard = und.lexicon_terms([tuple(s.split()) for s in (*sounds, *mixed)])
    heard_cjk: list[str] = []
    for r in runs:
        if r.cjk and len(r.text) > 1:
            heard_cjk.extend(t for t in und.lexicon_terms(und.readings(r.text)) if t not in heard_cjk)
    # A lone character between other runs (the 号 of 国务院令第711号, the 年 of 2019年) is not
    # searched on its own: it would only match titles; it is still marked in snippets.
    core = [r for r in runs if not (r.cjk and len(r.text) == 1)] if len(runs) > 1 else runs
    parts = tuple(_parts(runs, sounds, heard + heard_cjk))
    return Parsed(q, tuple(runs), tuple(core or runs[:1]), initials, sounds, tuple(heard), tuple(heard_cjk), parts)


def plan(query: str, freq: Freq | None = None, parsed: Parsed | None = None) -> Plan | None:
    """How to match ``query`` (``parsed``: :func:`parse` of it, if done already); None when it holds
    nothing searchable. ``freq`` (document frequencies of its words, :func:`_doc_freq`) chooses which
    parts look for partial matches."""
    p = parsed or parse(query)
    if p is None:
        return None
    strict = _strict_level(list(p.core), p.initials, p.sounds, list(p.heard) if p.initials else [])
    partial = _partial_level(list(p.parts), freq or Freq({}, {}, 0.0))
    doc_number = tk.normalize_doc_number(query[:MAX_QUERY_CHARS].replace("\x00", ""))
    has_number = any(ch.isdigit() for ch in doc_number)
    suggestion = next((t for t in (*p.heard, *p.heard_cjk) if t not in p.folded), "")
    return Plan(
        strict=strict,
        partial=partial,
        literal=tuple(r.text for r in p.core),
        pinyin=p.initials,
        doc_number=doc_number if has_number and tk.has_cjk(doc_number) else "",
        suggestion=suggestion,
        sounds=p.sounds,
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
_TITLE_RANKED = text(
    f"SELECT -rowid FROM search_title WHERE search_title MATCH :m ORDER BY {TITLE_BM25} LIMIT :n"  # noqa: S608
)
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


def _window(
    session: Session, level: Level, f: Filters, exact: set[int], *, titles_only: bool = False
) -> tuple[dict[int, _Cand], bool]:
    """The newest WINDOW title matches (or the best by BM25 for a partial level) and, unless
    ``titles_only``, the newest WINDOW whole-text matches (FTS5 stops early on both). Also says
    whether a window was full (more matches may exist outside it)."""
    cands: dict[int, _Cand] = {}
    full = False
    size = PARTIAL_WINDOW if level.title_ranked else WINDOW
    if level.title:
        sql = _TITLE_RANKED if level.title_ranked else _TITLE_WINDOW
        found = session.execute(sql, {"m": _with_filters(level.title, f), "n": size}).all()
        full |= len(found) >= size
        for (rid,) in found:
            cands[rid] = _Cand(True)
    for expr in () if titles_only else (level.text, *level.extra_text):
        if expr:
            found = session.execute(_TEXT_WINDOW, {"m": _with_filters(expr, f), "n": size}).all()
            full |= len(found) >= size
            for (rid,) in found:
                cands.setdefault(rid, _Cand(False))
    if not cands:
        return cands, full
    for rid in exact:
        cands.setdefault(rid, _Cand(True))
    _fill(session, cands)
    return cands, full


def _fill(session: Session, cands: dict[int, _Cand]) -> None:
    sql = text(
        "SELECT rowid, status, title, coalesce(doc_number, '') || ' ' || coalesce(issuer, ''), "  # noqa: S608
        f"substr(body, 1, {HEAD_CHARS}) FROM documents WHERE rowid IN ({_ids(cands)})"
    )
    for rid, status, title, meta, head in session.execute(sql):
        c = cands[rid]
        c.status, c.title, c.meta, c.head = status, title, meta, head or ""


@dataclass(frozen=True)
class Freq:
    """Document frequencies of a query's texts (each that of its rarest bigram) in the whole text and
    in titles (文号, issuers), and the number of documents."""

    text: dict[str, float]
    title: dict[str, float]
    n: float


# Document frequencies from search_text_vocab, kept between searches: fts5vocab counts a word's
# documents by reading its whole posting list (milliseconds for a common word in a large mirror).
# Cleared when the number of documents changes (a sync or import ran).
_TEXT_DF: dict[str, int] = {}
_TEXT_DF_AT: list[float] = [0.0]
_TEXT_DF_MAX = 50_000


def _tokens(terms: Iterable[str]) -> dict[str, list[str]]:
    return {a: [t for r in tk.runs(a) for t in tk.bigrams(r)] or [a] for a in terms}


def _vocab(session: Session, table: str, tokens: Iterable[str]) -> dict[str, int]:
    toks = sorted(set(tokens))
    if not toks:
        return {}
    placeholders = ",".join(f":t{i}" for i in range(len(toks)))
    rows = session.execute(
        text(f"SELECT term, doc FROM {table} WHERE term IN ({placeholders})"),  # noqa: S608 - fixed names
        {f"t{i}": t for i, t in enumerate(toks)},
    )
    return {str(term): int(doc) for term, doc in rows}


def _doc_freq(session: Session, ranked: Iterable[str], parts: Iterable[str]) -> Freq:
    """:class:`Freq`: whole-text frequencies of ``ranked`` (the strict match's words, for BM25) and
    title frequencies of ``ranked`` and ``parts``."""
    n = float(session.execute(text("SELECT coalesce(max(doc_rowid), 1) FROM search_docs")).scalar_one())
    if _TEXT_DF_AT[0] != n or len(_TEXT_DF) > _TEXT_DF_MAX:
        _TEXT_DF.clear()
        _TEXT_DF_AT[0] = n
    ranked_tokens = _tokens(ranked)
    missing = {t for toks in ranked_tokens.values() for t in toks if t not in _TEXT_DF}
    found = _vocab(session, "search_text_vocab", missing)
    _TEXT_DF.update({t: found.get(t, 0) for t in missing})
    text_df = {a: float(min(_TEXT_DF[t] for t in toks)) for a, toks in ranked_tokens.items()}
    all_tokens = ranked_tokens | _tokens(parts)
    in_titles = _vocab(session, "search_title_vocab", (t for toks in all_tokens.values() for t in toks))
    title_df = {a: float(min(in_titles.get(t, 0) for t in toks)) for a, toks in all_tokens.items()}
    return Freq(text_df, title_df, n)


def _idf(units: tuple[Unit, ...], df: dict[str, float], n: float) -> list[float]:
    """BM25 IDF of each unit from document frequencies ``df`` among ``n`` documents: that of its most
    specific text; a unit of sounds only (full pinyin) counts as a rare word."""
    out = []
    for u in units:
        if not u.texts:
            out.append(math.log(1.0 + (n + 0.5) / (min(n, 20.0) + 0.5)))
            continue
        out.append(max(math.log(1.0 + (n - df.get(a, 0.0) + 0.5) / (df.get(a, 0.0) + 0.5)) for a in u.texts))
    return out


def _scores(cands: dict[int, _Cand], units: tuple[Unit, ...], idf: list[float]) -> dict[int, float]:
    """BM25 of the query over the candidates (higher is better), fields weighted: title
    :data:`TITLE_WEIGHT`, 文号/issuer :data:`DOCNUM_WEIGHT`, the first :data:`HEAD_CHARS` of the body 1;
    a unit's sound counts in the title when none of its texts does (:data:`SOUND_WEIGHT`); a match in
    the title table (also by pinyin initials) adds :data:`TITLE_MATCH_BONUS`."""
    if not cands:
        return {}
    fold = any(ch.isascii() and ch.isalpha() for u in units for a in u.texts for ch in a)  # ASCII: fold case
    sounding = any(u.sounds for u in units)
    avg_t = sum(len(c.title) for c in cands.values()) / len(cands) + 1
    avg_b = sum(len(c.head) for c in cands.values()) / len(cands) + 1
    out: dict[int, float] = {}
    for rid, c in cands.items():
        title, meta, head = (c.title.lower(), c.meta.lower(), c.head.lower()) if fold else (c.title, c.meta, c.head)
        heard = " " + und.fast_syllables(title) + " " if sounding else ""
        nt = K1 * (1 - B + B * (len(title) + 1) / avg_t)
        nb = K1 * (1 - B + B * (len(head) + 1) / avg_b)
        total = TITLE_MATCH_BONUS if c.in_title else 0.0
        for u, w in zip(units, idf, strict=True):
            tf = TITLE_WEIGHT * sum(map(title.count, u.texts)) + DOCNUM_WEIGHT * sum(map(meta.count, u.texts))
            if not tf and u.sounds:
                tf = SOUND_WEIGHT * TITLE_WEIGHT * sum(heard.count(" " + s.rstrip("*")) for s in u.sounds)
            tb = sum(map(head.count, u.texts))
            total += w * ((tf * (K1 + 1) / (tf + nt) if tf else 0.0) + (tb * (K1 + 1) / (tb + nb) if tb else 0.0))
        out[rid] = total
    return out


def _coverage(cands: dict[int, _Cand], units: tuple[Unit, ...], idf: list[float], freq: Freq) -> dict[int, float]:
    """Share of the query's weight (IDF of the units found in the mirror at all) that each candidate's
    title, 文号/issuer or body opening holds."""
    known = [
        (u, w)
        for u, w in zip(units, idf, strict=True)
        if not u.texts or any(freq.title.get(t, 0.0) or freq.text.get(t, 0.0) for t in u.texts)
    ]
    whole = sum(w for _, w in known) or 1.0
    out: dict[int, float] = {}
    for rid, c in cands.items():
        hay = c.title + " " + c.meta + " " + c.head
        heard = " " + und.fast_syllables(c.title) + " "
        got = 0.0
        for u, w in known:
            if any(t in hay for t in u.texts) or any(" " + s.rstrip("*") in heard for s in u.sounds):
                got += w
        out[rid] = got / whole
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


def _ranked_texts(p: Parsed) -> set[str]:
    """The texts of the strict match's units (BM25 over them needs their whole-text frequencies)."""
    out: set[str] = set()
    for r in p.core:
        out.update(expand(r.text) if r.cjk else (r.text,))
    out.update(w for t in p.heard for w in expand(t))
    return out


def _hits(
    session: Session,
    page: list[int],
    *,
    partial: set[int],
    marks: tuple[str, ...],
    partial_marks: tuple[str, ...],
    pinyin: str,
    score: dict[int, float],
) -> list[SearchHit]:
    rows = {r.rowid: r for r in session.execute(text(_DETAILS + "(" + _ids(page) + ")"))}
    hits = []
    for rid in page:
        r = rows.get(rid)
        if r is None:
            continue
        m = partial_marks if rid in partial else marks
        hits.append(
            SearchHit(
                id=r.id,
                title=r.title,
                title_html=mark_title(r.title, m, pinyin),
                snippet=snippet(r.body, m, body_format=r.body_format, title=r.title),
                score=round(score.get(rid, 0.0), 4),
                status=r.status,
                doc_number=r.doc_number,
                issuer=r.issuer,
                published=r.published,
                zone_id=r.zone_id,
                partial=rid in partial,
            )
        )
    return hits


def _with_partial(
    session: Session,
    level: Level,
    f: Filters,
    *,
    strict: list[int],
    cands: dict[int, _Cand],
    score: dict[int, float],
    exact: set[int],
    freq: Freq,
) -> tuple[list[int], list[int]]:
    """Strict matches ``strict`` (ranked) with partial matches of ``level`` added: strict matches in
    titles (and exact 文号) first, then the other strict matches (the words only somewhere in a body)
    and the partial matches together by their coverage of the query's parts. Returns the whole order
    and the partial matches in it. Updates ``cands`` and ``score``."""
    # strict matches fill the page already (in bodies only): look for titles holding part of the query
    more, _ = _window(session, level, f, set(), titles_only=len(strict) >= WINDOW)
    for r in strict:
        more.pop(r, None)
    idf = _idf(level.units, freq.title, freq.n)  # partial matches are found and ranked by titles
    if strict:  # beside strict hits, only documents that hold most of the query
        covered = _coverage(more, level.units, idf, freq)
        more = {k: c for k, c in more.items() if covered[k] >= MIN_COVERAGE}
    if not more:
        return strict, []
    head = [r for r in strict if r in exact or cands[r].in_title]
    tail = [r for r in strict if r not in head]
    cands.update(more)
    pool = {r: cands[r] for r in [*tail, *more]}
    pscore = _scores(pool, level.units, idf)
    for r in tail:
        pscore[r] = pscore[r] * STRICT_FACTOR + TITLE_MATCH_BONUS
    rest = sorted(pool, key=lambda k: (-pscore[k] * _STATUS_FACTOR.get(pool[k].status, 0.7), -k))
    score.update(pscore)
    return head + rest, [r for r in rest if r in more]


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
    match, inside FTS5. When fewer than ``limit`` documents match strictly, partial matches follow
    (at most :data:`WINDOW` of each kind, ranked by coverage) and count in ``total``.
    """
    f = filters or Filters()
    # lone surrogates (undecodable bytes from a command line, broken input methods) become "?"
    query = query.encode("utf-8", "replace").decode("utf-8")
    limit = max(0, min(int(limit), 500))
    offset = max(0, int(offset))
    shown = query[:MAX_QUERY_CHARS]
    parsed = parse(query)
    if parsed is None or (limit == 0 and not with_total):
        return SearchResult(query=shown, total=0, hits=[])
    freq = _doc_freq(session, _ranked_texts(parsed), (t for u in parsed.parts for t in u.texts))
    p = plan(query, freq, parsed)
    if p is None:
        return SearchResult(query=shown, total=0, hits=[])
    exact = _exact_doc_numbers(session, p.doc_number, f)
    level = p.strict
    cands, full = _window(session, level, f, exact)
    score = _scores(cands, level.units, _idf(level.units, freq.text, freq.n))
    literal = p.literal

    def key(r: int) -> tuple[bool, int, bool, float, int]:
        c = cands[r]
        typed = bool(literal) and c.in_title and all(t in c.title.lower() for t in literal)
        return (r not in exact, _TIER.get(c.status, 2), not typed, -score[r], -r)

    order = sorted(cands, key=key)
    strict_n = len(order)
    partial: list[int] = []
    # the words only in bodies (and no 文号 asked for): titles holding part of the query may serve better
    weak = not p.doc_number and not any(c.in_title for c in cands.values())
    few = not full and strict_n < max(limit, 1) and not (p.doc_number and strict_n)  # a 文号 found is enough
    if p.partial is not None and (weak or few):
        order, partial = _with_partial(
            session, p.partial, f, strict=order, cands=cands, score=score, exact=exact, freq=freq
        )
    if full:
        total = _count(session, level, f) if with_total else len(order)
        total = max(total, strict_n)
    else:
        total = strict_n
    total += len(partial)
    page = order[offset : offset + limit]
    if full and len(page) < limit and total > len(order):  # (no partial matches when full)
        page += _rest(session, level, f, exclude=order, n=limit - len(page), skip=max(0, offset - len(order)))
    suggestion = p.suggestion if not strict_n else ""
    if not page:
        return SearchResult(query=shown, total=total, hits=[], relaxed=bool(partial), suggestion=suggestion)
    hits = _hits(
        session,
        page,
        partial=set(partial),
        marks=level.marks,
        partial_marks=p.partial.marks if p.partial else (),
        pinyin=p.pinyin,
        score=score,
    )
    return SearchResult(query=shown, total=total, hits=hits, relaxed=bool(partial), suggestion=suggestion)


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


@functools.lru_cache(maxsize=1024)
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


@functools.lru_cache(maxsize=4096)
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
