"""Chinese full-text search over the kiosk mirror (检索) — the API the UI and the CLI use.

Stable API (the UI codes against it)::

    from kiosk.search import search, suggest, SearchResult, SearchHit, strip_marks

    result = search(session, "低保", limit=20, offset=0,
                    zone="wanbao",        # district-wide documents + this zone's; None: all zones
                    category="zhengce",   # a category code; None: any
                    status="in_force",    # in_force/amended/repealed or 现行有效/已修订/已废止; None: any
                    year=2024)            # year of publication; None: any
    result.total      # number of matching documents (for "共 N 条")
    result.relaxed    # True: fewer than a page matched every word; partial matches follow (部分匹配)
    result.only_partial  # True: hits, but none matches every word (say 没有找到完全相符的内容…)
    result.suggestion # a resident's word that sounds like the query (滴保, dibao → 低保) or ""
    result.hits       # list[SearchHit], best first
    hit.id, hit.title, hit.status, hit.doc_number, hit.issuer, hit.published, hit.zone_id
    hit.score         # BM25 relevance, higher is better, comparable within one result only
    hit.snippet       # ~90 characters of the body around the matches
    hit.title_html    # the title with its matches marked
    hit.partial       # matches only part of the query, or by sound (say 部分匹配 quietly)

``snippet`` and ``title_html`` are HTML-escaped text whose only markup is ``<b>…</b>`` around matched
text: give them to a QML ``Text { textFormat: Text.StyledText }`` as they are (style the bold as the
highlight), or call :func:`strip_marks` for plain text. ``suggest(session, prefix, limit=8)`` returns
up to ``limit`` document titles for a search-as-you-type list.

Whatever is typed is a query, never an error: quotes, ``AND``/``OR``/``NEAR``, ``*``, brackets, emoji,
NUL bytes, 2,000 characters or only punctuation give results or an empty result (only the first 64
characters are used). Invalid *filter* values from code (an unknown status) raise ``ValueError``.

Both functions only read; call them on any thread with that thread's own Session.

Queries are understood first (:mod:`kiosk.search.understand`): full-width and traditional characters
folded (ＤＢＪ, 醫保), question and filler words cut out (怎么, 我想, 吗: ``fillers.txt``), Latin
letters read as full pinyin (``dibao``, ``yi bao``), Chinese also by sound (a homophone slip, 滴保).

What it matches: CJK text as overlapping bigrams plus single characters (Lucene's CJK analyser), ASCII
words lower-cased, 文号 in any bracket style (国办发〔2019〕8号 = 国办发[2019]8号 = 国办发(2019)8号, an exact
文号 ranks first), pinyin initials of titles (``dbj`` → 低保金, ``zfxxgk`` → 政府信息公开), full pinyin
of titles (``hukou`` → 户口), residents' words through the synonym table ``kiosk/search/synonyms.tsv``
(低保 → 最低生活保障), and residents' everyday words through the vocabulary ``kiosk/search/everyday.tsv``
(煤气 → 燃气, 狗 → 犬, 拆迁 → 征收; one direction, about 1,300 entries each with its reason; gapped
words such as 丢…饭碗, and words split by particles, 放了鞭炮), after dialect words are read as common
ones (``kiosk/search/dialect.tsv``: 堂客 → 老婆).
When fewer than a page match every word, documents holding most of the query follow, flagged
``partial``; a query never ends at nothing while some part of it is in the mirror. Documents in
force rank above 已修订 and 已废止 ones.

Modules: :mod:`~kiosk.search.index` (index upkeep), :mod:`~kiosk.search.understand` (folding, fillers,
pinyin, synonyms), :mod:`~kiosk.search.plan` (a query turned into MATCH expressions),
:mod:`~kiosk.search.window` (candidates and BM25), :mod:`~kiosk.search.query` (running a search, the
result types), :mod:`~kiosk.search.snippets` (snippets and marks).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kiosk.search.query import Filters, SearchHit, SearchResult, run_search, strip_marks

__all__ = ["SearchHit", "SearchResult", "search", "strip_marks", "suggest"]


def search(
    session: Session,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    zone: str | None = None,
    category: str | None = None,
    status: str | None = None,
    year: int | None = None,
) -> SearchResult:
    """Find documents for what a resident typed; see the module docstring."""
    return run_search(
        session,
        query,
        limit=limit,
        offset=offset,
        filters=Filters(zone=zone, category=category, status=status, year=year),
    )


def suggest(session: Session, prefix: str, *, limit: int = 8, zone: str | None = None) -> list[str]:
    """Up to ``limit`` titles for search-as-you-type (no total counted, so it stays cheap)."""
    result = run_search(session, prefix, limit=limit, filters=Filters(zone=zone), with_total=False)
    return [h.title for h in result.hits]
