"""The ranking window: candidate documents read from the FTS5 tables, and their BM25 scores.

Ranking is done in a bounded window so that a query matching most of a 100,000-document mirror
still answers in milliseconds: :func:`window` takes the newest :data:`WINDOW` title-table matches
and the newest :data:`WINDOW` whole-text matches (FTS5 stops early on both); :func:`scores` computes
BM25 over them here (title ≫ 文号/issuer > body), with IDF from ``search_text_vocab``
(:func:`doc_freq`); :func:`coverage` says how much of a query a partial match holds. Filters are
FTS5 terms on the ``meta`` column (:func:`with_filters`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kiosk.mirror.models import DocStatus
from kiosk.search import index as idx
from kiosk.search import tokenize as tk
from kiosk.search import understand as und
from kiosk.search.plan import Freq, Level, Unit, quote

# Ranking window: at most this many of the newest title matches and as many of the newest
# whole-text matches are ranked (see run_search).
WINDOW = 100
PARTIAL_WINDOW = 50  # … and of partial matches, each kind (titles by coverage, bodies newest first)
# Titles holding a part of the query, read per part (newest first, FTS5 stops early) to choose the
# partial title window by coverage: a part in more titles than this counts only in its newest ones.
PART_WINDOW = 200
# BM25 over the window, computed here (FTS5's bm25() would visit every match of every phrase to
# compute IDF, i.e. time in proportion to the mirror): field weights, and a bonus for a title-table
# match (title, 文号/issuer, pinyin initials, one character).
TITLE_WEIGHT = 5.0
DOCNUM_WEIGHT = 2.0
TITLE_MATCH_BONUS = 1.0
SOUND_WEIGHT = 0.8  # a part matched by sound only counts this much of a match by characters
HEAD_CHARS = 400  # body characters read per ranked candidate for term frequencies
K1, B = 1.2, 0.75  # BM25 constants


@dataclass(frozen=True)
class Filters:
    zone: str | None = None
    category: str | None = None
    status: str | None = None
    year: int | None = None


def filter_parts(f: Filters) -> list[str]:
    """Filters as FTS5 terms on the ``meta`` column (see kiosk.search.index)."""
    parts: list[str] = []
    if f.zone is not None:
        parts.append(f"{{meta}} : ({quote(idx.zone_token(None))} OR {quote(idx.zone_token(f.zone))})")
    if f.category is not None:
        parts.append(f"{{meta}} : {quote(idx.category_token(f.category))}")
    if f.status is not None:
        parts.append(f"{{meta}} : {quote(idx.status_token(DocStatus.parse(f.status).value))}")
    if f.year is not None:
        parts.append(f"{{meta}} : {quote(idx.year_token(int(f.year)))}")
    return parts


def with_filters(expr: str, f: Filters) -> str:
    parts = filter_parts(f)
    return "(" + expr + ")" + "".join(" AND " + p for p in parts) if parts else expr


TITLE_WINDOW_SQL = "SELECT -rowid FROM search_title WHERE search_title MATCH :m ORDER BY rowid LIMIT :n"
_TEXT_WINDOW = "SELECT -rowid FROM search_text WHERE search_text MATCH :m ORDER BY rowid LIMIT :n"


def rows(session: Session, sql: str, params: Mapping[str, object] | None = None) -> list[Any]:
    """The rows (tuples) of a read run on the session's own SQLite connection, in its transaction.

    The search's hot path makes about ten small reads a query; going past SQLAlchemy's statement
    handling and row objects to the DB-API cursor saves about a millisecond a search (profiled on a
    20,000-document mirror). Parameters are named (``:m``), as in SQLAlchemy's ``text()``.
    """
    con = session.connection().connection.driver_connection
    assert con is not None
    return list(con.execute(sql, params or {}).fetchall())


def ids(rowids: Iterable[int]) -> str:
    return ",".join(str(int(r)) for r in rowids) or "NULL"


def exact_doc_numbers(session: Session, doc_number: str, f: Filters) -> set[int]:
    if not doc_number:
        return set()
    sql = "SELECT doc_rowid FROM search_docs WHERE doc_number_norm = :n LIMIT 50"
    found = {r for (r,) in rows(session, sql, {"n": doc_number})}
    parts = filter_parts(f)
    if found and parts:
        sql = (
            f"SELECT -rowid FROM search_title WHERE search_title MATCH :m "  # noqa: S608
            f"AND rowid IN ({ids(-r for r in found)})"
        )
        found = {r for (r,) in rows(session, sql, {"m": " AND ".join(parts)})}
    return found


@dataclass
class Cand:
    in_title: bool  # matched in search_title (title, 文号/issuer, pinyin, one character)
    status: str = ""
    title: str = ""
    meta: str = ""  # 文号 and issuer
    head: str = ""  # the beginning of the body


def window(
    session: Session,
    level: Level,
    f: Filters,
    exact: set[int],
    *,
    titles_only: bool = False,
    weights: list[float] | None = None,
) -> tuple[dict[int, Cand], bool]:
    """The newest WINDOW title matches (for a ranked level, the PARTIAL_WINDOW titles covering most
    of it: :func:`covering_titles`) and, unless ``titles_only``, the newest WINDOW whole-text
    matches (FTS5 stops early on both). Also says whether a window was full (more matches may
    exist outside it). ``weights``: each unit's weight (IDF), for a ranked level."""
    cands: dict[int, Cand] = {}
    full = False
    size = PARTIAL_WINDOW if level.title_ranked else WINDOW
    if level.title_ranked:
        covering, more = covering_titles(session, level, f, weights or [1.0] * len(level.units))
        full |= more
        for rid in covering:
            cands[rid] = Cand(True)
    elif level.title:
        found = rows(session, TITLE_WINDOW_SQL, {"m": with_filters(level.title, f), "n": size})
        full |= len(found) >= size
        for (rid,) in found:
            cands[rid] = Cand(True)
    for expr in () if titles_only else (level.text, *level.extra_text):
        if expr:
            found = rows(session, _TEXT_WINDOW, {"m": with_filters(expr, f), "n": size})
            full |= len(found) >= size
            for (rid,) in found:
                cands.setdefault(rid, Cand(False))
    if not cands:
        return cands, full
    for rid in exact:
        cands.setdefault(rid, Cand(True))
    fill(session, cands)
    return cands, full


def covering_titles(session: Session, level: Level, f: Filters, weights: list[float]) -> tuple[list[int], bool]:
    """The PARTIAL_WINDOW titles (with 文号/issuer and pinyin) holding the largest share of the
    level's units, by weight (a unit matched by sound only counts :data:`SOUND_WEIGHT`), newest first
    among equals; each unit's newest PART_WINDOW titles are read. Also says whether a unit had more.

    Replaces FTS5's bm25() over the OR of all the parts, which scores every title holding any part
    (milliseconds for a query with a common word); the window is ranked by BM25 afterwards
    (:func:`scores`) all the same."""
    got: dict[int, dict[int, float]] = {}
    more = False
    for unit, expr, by_sound in level.title_units:
        w = weights[unit] * (SOUND_WEIGHT if by_sound else 1.0)
        found = rows(session, TITLE_WINDOW_SQL, {"m": with_filters(expr, f), "n": PART_WINDOW})
        more |= len(found) >= PART_WINDOW
        for (rid,) in found:
            per = got.setdefault(rid, {})
            per[unit] = max(per.get(unit, 0.0), w)
    score = {rid: sum(per.values()) for rid, per in got.items()}
    return sorted(score, key=lambda r: (-score[r], -r))[:PARTIAL_WINDOW], more


def fill(session: Session, cands: dict[int, Cand]) -> None:
    sql = (
        "SELECT rowid, status, title, coalesce(doc_number, '') || ' ' || coalesce(issuer, ''), "  # noqa: S608
        f"substr(body, 1, {HEAD_CHARS}) FROM documents WHERE rowid IN ({ids(cands)})"
    )
    for rid, status, title, meta, head in rows(session, sql):
        c = cands[rid]
        c.status, c.title, c.meta, c.head = status, title, meta, head or ""


# Document frequencies from search_text_vocab, kept between searches: fts5vocab counts a word's
# documents by reading its whole posting list (milliseconds for a common word in a large mirror).
# Cleared when the number of documents changes (a sync or import ran).
_TEXT_DF: dict[str, int] = {}
_TEXT_DF_AT: list[float] = [0.0]
_TITLE_DF: dict[str, int] = {}  # … and in titles (search_title_vocab), cleared with it
_TEXT_DF_MAX = 50_000


def _tokens(terms: Iterable[str]) -> dict[str, list[str]]:
    return {a: [t for r in tk.runs(a) for t in tk.bigrams(r)] or [a] for a in terms}


def _vocab(session: Session, table: str, tokens: Iterable[str]) -> dict[str, int]:
    toks = sorted(set(tokens))
    if not toks:
        return {}
    placeholders = ",".join(f":t{i}" for i in range(len(toks)))
    found = rows(
        session,
        f"SELECT term, doc FROM {table} WHERE term IN ({placeholders})",  # noqa: S608 - fixed names
        {f"t{i}": t for i, t in enumerate(toks)},
    )
    return {str(term): int(doc) for term, doc in found}


def doc_freq(session: Session, ranked: Iterable[str], parts: Iterable[str]) -> Freq:
    """:class:`Freq`: whole-text and title frequencies of ``ranked`` (the strict match's words, for
    BM25) and of ``parts`` (the partial level's: by titles it ranks them, by whole text it chooses which
    to look for in bodies)."""
    n = float(rows(session, "SELECT coalesce(max(doc_rowid), 1) FROM search_docs")[0][0])
    if _TEXT_DF_AT[0] != n or len(_TEXT_DF) + len(_TITLE_DF) > _TEXT_DF_MAX:
        _TEXT_DF.clear()
        _TITLE_DF.clear()
        _TEXT_DF_AT[0] = n
    all_tokens = _tokens(ranked) | _tokens(parts)
    _cached_df(session, "search_text_vocab", _TEXT_DF, [t for toks in all_tokens.values() for t in toks])
    text_df = {a: float(min(_TEXT_DF[t] for t in toks)) for a, toks in all_tokens.items()}
    _cached_df(session, "search_title_vocab", _TITLE_DF, [t for toks in all_tokens.values() for t in toks])
    title_df = {a: float(min(_TITLE_DF[t] for t in toks)) for a, toks in all_tokens.items()}
    return Freq(text_df, title_df, n)


def _cached_df(session: Session, table: str, cache: dict[str, int], tokens: Iterable[str]) -> dict[str, int]:
    """``cache`` with the document frequencies of ``tokens`` it lacked read from ``table``."""
    missing = {t for t in tokens if t not in cache}
    if missing:
        found = _vocab(session, table, missing)
        cache.update({t: found.get(t, 0) for t in missing})
    return cache


def _idf(df: float, n: float) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def unit_idf(units: tuple[Unit, ...], df: dict[str, float], n: float) -> list[float]:
    """BM25 IDF of each unit from document frequencies ``df`` among ``n`` documents: that of its most
    specific text; a unit of sounds only (full pinyin) counts as a rare word."""
    out = []
    for u in units:
        if not u.texts:
            out.append(math.log(1.0 + (n + 0.5) / (min(n, 20.0) + 0.5)))
            continue
        out.append(max(_idf(df.get(a, 0.0), n) for a in u.texts))
    return out


def scores(
    cands: dict[int, Cand],
    units: tuple[Unit, ...],
    idf: list[float],
    df: dict[str, float] | None = None,
    n: float = 0.0,
) -> dict[int, float]:
    """BM25 of the query over the candidates (higher is better), fields weighted: title
    :data:`TITLE_WEIGHT`, 文号/issuer :data:`DOCNUM_WEIGHT`, the first :data:`HEAD_CHARS` of the body 1;
    a unit's sound counts in the title when none of its texts does (:data:`SOUND_WEIGHT`); a match in
    the title table (also by pinyin initials) adds :data:`TITLE_MATCH_BONUS`.

    With ``df`` (document frequencies among ``n`` documents), a context word (:attr:`Unit.context`,
    孩子 → 儿童, 未成年人) of a query that also holds a specific residents' word weighs, in each
    candidate, by the most specific of its texts that the candidate holds: a title holding only
    未成年人 gets 未成年人's weight, not the rare word 孩子's, and the specific word's documents (网吧 →
    互联网上网服务营业场所) are not pushed off the page by a common term."""
    if not cands:
        return {}
    specific = any(u.word and not u.context for u in units)
    per_text = [
        {a: _idf(df.get(a, 0.0), n) for a in u.texts} if df is not None and specific and u.context else {}
        for u in units
    ]
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
        for u, unit_w, pt in zip(units, idf, per_text, strict=True):
            tf = TITLE_WEIGHT * sum(map(title.count, u.texts)) + DOCNUM_WEIGHT * sum(map(meta.count, u.texts))
            if not tf and u.sounds:
                tf = SOUND_WEIGHT * TITLE_WEIGHT * sum(heard.count(" " + s.rstrip("*")) for s in u.sounds)
            tb = sum(map(head.count, u.texts))
            w = unit_w
            if pt and (tf or tb):
                w = min(w, max((v for a, v in pt.items() if a in title or a in meta or a in head), default=w))
            total += w * ((tf * (K1 + 1) / (tf + nt) if tf else 0.0) + (tb * (K1 + 1) / (tb + nb) if tb else 0.0))
        out[rid] = total
    return out


def coverage(cands: dict[int, Cand], units: tuple[Unit, ...], idf: list[float], freq: Freq) -> dict[int, float]:
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
