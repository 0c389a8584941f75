"""Running a search: the plan (:mod:`kiosk.search.plan`) matched, ranked and cut into a page of hits.

Ranking (see :func:`run_search`): an exact 文号 first, then strict matches — in force before 已修订
before 已废止, then titles holding every typed word, then BM25 (title ≫ 文号/issuer > body) over a
bounded window (:mod:`kiosk.search.window`) — then partial matches by coverage. Titles of partial
matches are chosen by how much of the query they hold (:func:`kiosk.search.window.covering_titles`),
bodies by the residents' words and the rarest parts, then ranked by BM25; the hits come after every
strict hit and are flagged ``partial``. Snippets and marks:
:mod:`kiosk.search.snippets`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kiosk.search import window as win
from kiosk.search.plan import MAX_QUERY_CHARS, Freq, Level, Parsed, fallback_level, parse, plan
from kiosk.search.snippets import mark_title, plain_text, snippet, strip_marks
from kiosk.search.understand import expand, synonym_groups
from kiosk.search.window import Cand, Filters

__all__ = [
    "MAX_QUERY_CHARS",
    "Filters",
    "SearchHit",
    "SearchResult",
    "expand",
    "mark_title",
    "plain_text",
    "plan",
    "run_search",
    "snippet",
    "strip_marks",
    "synonym_groups",
]

SNIPPET_SCAN_CHARS = 4_000  # a match further in: the snippet shows the opening

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
    (您是不是要找：低保) when nothing matched every word. ``only_partial``: there are hits and not one
    of them matches every word of the query (nor the 文号 asked for): the UI says
    「没有找到完全相符的内容，以下是相关的文件」.
    """

    query: str
    total: int
    hits: list[SearchHit]
    relaxed: bool = False
    suggestion: str = ""
    only_partial: bool = False


# --- running --------------------------------------------------------------------------------------

_TIER = {"in_force": 0, "amended": 1}


_COUNT_TEXT = "SELECT count(*) FROM search_text WHERE search_text MATCH :m"
_COUNT_TITLE = "SELECT count(*) FROM search_title WHERE search_title MATCH :m"
_COUNT_UNION = (
    "SELECT count(*) FROM (SELECT rowid FROM search_text WHERE search_text MATCH :a "
    "UNION SELECT rowid FROM search_title WHERE search_title MATCH :b)"
)


def _count(session: Session, level: Level, f: Filters) -> int:
    if level.text and level.title and level.title_extra:
        params = {"a": win.with_filters(level.text, f), "b": win.with_filters(level.title, f)}
        found = win.rows(session, _COUNT_UNION, params)
    elif level.text:
        found = win.rows(session, _COUNT_TEXT, {"m": win.with_filters(level.text, f)})
    else:
        found = win.rows(session, _COUNT_TITLE, {"m": win.with_filters(level.title or "", f)})
    return int(found[0][0])


def _rest(session: Session, level: Level, f: Filters, *, exclude: Iterable[int], n: int, skip: int) -> list[int]:
    """Matches outside the ranked window, newest first."""
    not_in = f"rowid NOT IN ({win.ids(-r for r in exclude)})"
    params: dict[str, object] = {"n": n, "o": skip}
    if level.text and level.title and level.title_extra:  # pinyin / one character: both tables
        sql = (
            "SELECT -rowid FROM (SELECT rowid FROM search_text WHERE search_text MATCH :a "  # noqa: S608
            "UNION SELECT rowid FROM search_title WHERE search_title MATCH :b) "
            f"WHERE {not_in} ORDER BY rowid LIMIT :n OFFSET :o"
        )
        params |= {"a": win.with_filters(level.text, f), "b": win.with_filters(level.title, f)}
    else:
        table, expr = ("search_text", level.text) if level.text else ("search_title", level.title)
        sql = (
            f"SELECT -rowid FROM {table} WHERE {table} MATCH :m AND {not_in} "  # noqa: S608
            "ORDER BY rowid LIMIT :n OFFSET :o"
        )
        params["m"] = win.with_filters(expr or "", f)
    return [r for (r,) in win.rows(session, sql, params)]


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
    details = {r[0]: r for r in win.rows(session, _DETAILS + "(" + win.ids(page) + ")")}
    hits = []
    for rid in page:
        r = details.get(rid)
        if r is None:
            continue
        _, doc_id, title, status, doc_number, issuer, published, zone_id, body, body_format = r
        m = partial_marks if rid in partial else marks
        hits.append(
            SearchHit(
                id=doc_id,
                title=title,
                title_html=mark_title(title, m, pinyin),
                snippet=snippet(body, m, body_format=body_format, title=title),
                score=round(score.get(rid, 0.0), 4),
                status=status,
                doc_number=doc_number,
                issuer=issuer,
                published=published,
                zone_id=zone_id,
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
    cands: dict[int, Cand],
    score: dict[int, float],
    exact: set[int],
    freq: Freq,
) -> tuple[list[int], list[int]]:
    """Strict matches ``strict`` (ranked) with partial matches of ``level`` added: strict matches in
    titles (and exact 文号) first, then the other strict matches (the words only somewhere in a body)
    and the partial matches together by their coverage of the query's parts. Returns the whole order
    and the partial matches in it. Updates ``cands`` and ``score``."""
    # strict matches fill the page already (in bodies only): look for titles holding part of the query
    idf = win.unit_idf(level.units, freq.title, freq.n)  # partial matches are found and ranked by titles
    more, _ = win.window(session, level, f, set(), titles_only=len(strict) >= win.WINDOW, weights=idf)
    for r in strict:
        more.pop(r, None)
    if strict:  # beside strict hits, only documents that hold most of the query
        covered = win.coverage(more, level.units, idf, freq)
        more = {k: c for k, c in more.items() if covered[k] >= MIN_COVERAGE}
    if not more:
        return strict, []
    head = [r for r in strict if r in exact or cands[r].in_title]
    tail = [r for r in strict if r not in head]
    cands.update(more)
    pool = {r: cands[r] for r in [*tail, *more]}
    pscore = win.scores(pool, level.units, idf, freq.title, freq.n)
    for r in tail:
        pscore[r] = pscore[r] * STRICT_FACTOR + win.TITLE_MATCH_BONUS
    rest = sorted(pool, key=lambda k: (-pscore[k] * _STATUS_FACTOR.get(pool[k].status, 0.7), -k))
    score.update(pscore)
    return head + rest, [r for r in rest if r in more]


def _fallback(
    session: Session, parsed: Parsed, f: Filters, *, cands: dict[int, Cand], score: dict[int, float], n: float
) -> list[int]:
    """Documents holding any part of the query that some text holds (:func:`plan.fallback_level`),
    ranked by BM25 with whole-text IDF; for a query where neither level found anything. Updates
    ``cands`` and ``score``."""
    texts = [t for u in parsed.parts for t in u.texts]
    text_df = win.doc_freq(session, texts, ()).text
    level = fallback_level(list(parsed.parts), text_df, n)
    if level is None:
        return []
    found, _ = win.window(session, level, f, set())
    cands.update(found)
    score.update(win.scores(found, level.units, win.unit_idf(level.units, text_df, n)))
    return sorted(found, key=lambda r: (_TIER.get(found[r].status, 2), -score[r], -r))


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

    Ranking is done in a bounded window (:mod:`kiosk.search.window`) so that a query matching most
    of a 100,000-document mirror still answers in milliseconds: the newest ``WINDOW`` title-table
    matches and the newest ``WINDOW`` whole-text matches (FTS5 stops early on both) are ordered:
    exact 文号 first, then in force / 已修订 / 已废止, then titles holding every typed word, then BM25
    computed here over title, 文号/issuer and the first ``HEAD_CHARS`` of the body (IDF from
    ``search_text_vocab``; see :func:`kiosk.search.window.scores`). Matches outside the window
    follow, newest first. ``total`` counts every match, inside FTS5. When fewer than ``limit``
    documents match strictly, partial matches follow (at most ``WINDOW`` of each kind, ranked by
    coverage) and count in ``total``.
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
    freq = win.doc_freq(session, _ranked_texts(parsed), (t for u in parsed.parts for t in u.texts))
    p = plan(query, freq, parsed)
    if p is None:
        return SearchResult(query=shown, total=0, hits=[])
    exact = win.exact_doc_numbers(session, p.doc_number, f)
    level = p.strict
    cands, full = win.window(session, level, f, exact)
    score = win.scores(cands, level.units, win.unit_idf(level.units, freq.text, freq.n))
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
    if not order:  # nothing at all: any part some text holds (a resident never gets an empty page then)
        order = partial = _fallback(session, parsed, f, cands=cands, score=score, n=freq.n)
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
    only = bool(partial) and not strict_n
    if not page:
        return SearchResult(
            query=shown, total=total, hits=[], relaxed=bool(partial), suggestion=suggestion, only_partial=only
        )
    hits = _hits(
        session,
        page,
        partial=set(partial),
        marks=level.marks,
        partial_marks=p.partial.marks if p.partial else (),
        pinyin=p.pinyin,
        score=score,
    )
    return SearchResult(
        query=shown, total=total, hits=hits, relaxed=bool(partial), suggestion=suggestion, only_partial=only
    )
