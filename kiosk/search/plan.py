"""Planning a search: what a resident typed turned into FTS5 MATCH expressions (see :func:`plan`).

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
3. *fallback* (:func:`fallback_level`), only when neither found anything: any part that some text
   holds, so a resident never gets an empty page while a word of the question is in the mirror.

Running a plan: :mod:`kiosk.search.query`; the ranking window and BM25: :mod:`kiosk.search.window`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kiosk.search import tokenize as tk
from kiosk.search import understand as und
from kiosk.search.heard import everyday_heard as heard_words
from kiosk.search.understand import expand

MAX_QUERY_CHARS = 64  # the rest of a 2,000-character paste is ignored
MAX_RUNS = 8
MAX_PARTS = 12  # parts of a query ranked for coverage
# Partial matching: parts in more than this share of the documents are left out of the candidate
# search (they still count when ranking), so a question's common words cost no time.
COMMON_SHARE = 0.08


@dataclass(frozen=True)
class Unit:
    """One part of a query for ranking: interchangeable texts (a word and its synonyms) and
    sounds (space-separated toneless syllables) that count when no text matches."""

    texts: tuple[str, ...]
    sounds: tuple[str, ...] = ()
    word: bool = False  # a word residents use (synonym table), not a bigram cut from the query
    context: bool = False  # a vocabulary word marked context (孩子 → 未成年人): see window.scores


@dataclass(frozen=True)
class Level:
    """One way of matching a query: FTS5 expressions on ``search_title`` and on ``search_text``
    (None: the query has no part indexed there); ``title_extra`` when the title expression can
    match rows the text one cannot (pinyin, one character); ``title_ranked``: take the title
    window by BM25 instead of newest first; ``extra_text``: more whole-text windows; the strings to
    mark; the units for term-frequency scoring; ``title_units``: for a ranked title window, each
    unit's own title expressions as (unit index, expression, by sound)."""

    text: str | None
    title: str | None
    title_extra: bool
    marks: tuple[str, ...]
    units: tuple[Unit, ...]
    title_ranked: bool = False
    extra_text: tuple[str, ...] = ()
    title_units: tuple[tuple[int, str, bool], ...] = ()


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


@dataclass(frozen=True)
class Freq:
    """Document frequencies of a query's texts (each that of its rarest bigram) in the whole text and
    in titles (文号, issuers), and the number of documents."""

    text: dict[str, float]
    title: dict[str, float]
    n: float


def quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _phrase(tokens: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'


def _sound_expr(sound: str) -> str:
    """Syllables ("di bao", "di b*") as a phrase on the full-pinyin column."""
    sylls = sound.split()
    if sylls and sylls[-1].endswith("*"):
        head = " ".join([*sylls[:-1], sylls[-1][:-1]])
        return f"{{pyf}} : {quote(head)} *"
    return f"{{pyf}} : {quote(sound)}"


def _run_expr(run: tk.Run, table: str) -> str | None:
    """``run`` as an FTS5 expression on ``table`` ("title" or "text"); None: not indexed there."""
    if run.cjk and len(run.text) == 1:
        # one character: titles only (in bodies nearly everything matches)
        return f"{{title1}} : {quote(run.text)}" if table == "title" else None
    if run.cjk:
        # CJK tokens occur only in the text columns (meta and pinyin tokens are ASCII): no column
        # filter, which saves FTS5 a column check per match (a third of a count's time)
        return _phrase(tk.bigrams(run))
    cols = "{title docnum}" if table == "title" else "{text}"
    return f"{cols} : {quote(run.text)}"


def _term_expr(term: str, table: str) -> str | None:
    rs = tk.runs(term)
    exprs = [_run_expr(r, table) for r in rs]
    if not exprs or any(e is None for e in exprs):
        return None
    return exprs[0] if len(exprs) == 1 else "(" + " AND ".join(e for e in exprs if e) + ")"


def minimal(texts: Iterable[str]) -> list[str]:
    """``texts`` (alternatives OR-ed in one expression) without those holding another of them: a
    document holding 生活垃圾分类 holds 垃圾分类, so ``垃圾分类 OR 生活垃圾分类`` matches what
    ``垃圾分类`` does, and FTS5 walks one phrase less (an OR of long phrases of common bigrams is what
    makes a count slow). Only single CJK runs of two or more characters stand in for others."""
    items = list(dict.fromkeys(texts))
    cover = [o for o in items if len(o) >= 2 and _single_cjk_run(o)]
    return [a for a in items if not (_single_cjk_run(a) and any(o != a and o in a for o in cover))]


def _single_cjk_run(text: str) -> bool:
    r = tk.runs(text)
    return len(r) == 1 and r[0].cjk and r[0].text == text


def _unit_expr(run: tk.Run, table: str) -> str | None:
    alts = [tk.runs(a)[0] for a in minimal(expand(run.text))] if run.cjk else [run]
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
            units.append(Unit(tuple(expand(term)), word=True, context=term in und.context_words()))
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
    units = [u for u in units if not (u in seen or seen.add(u))]  # type: ignore[func-returns-value]
    # residents' words before the bigrams cut from the rest, so a long first segment's bigrams cannot
    # push a later segment's word past MAX_PARTS (屋里孩子脑子有毛病 …, 发起病来打人)
    return sorted(units, key=lambda u: not u.word)[:MAX_PARTS]


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
    title_units: list[tuple[int, str, bool]] = []
    for i, u in enumerate(units):
        if u.texts and _unit_df(u, freq.title) > common_title:
            continue
        by_text = _or(_term_expr(t, "title") for t in minimal(u.texts))
        if by_text:
            title_units.append((i, by_text, False))
        by_sound = _or(_sound_expr(s) for s in u.sounds)
        if by_sound:
            title_units.append((i, by_sound, True))
    title = _or(e for _, e, _ in title_units)
    texts: list[str] = []
    # bodies: words residents use first, then the rarest parts in titles; pinyin typed as letters is
    # looked for in titles only (as sound), and its heard words (gongjijin → 公积金) stand for it here
    in_body = [u for u in units if any(tk.has_cjk(t) or (len(t) > 2 and not u.sounds) for t in u.texts)]
    body_units = sorted(
        in_body,
        key=lambda u: (
            not u.word,
            bool(freq.text) and _unit_df(u, freq.text) == 0,
            _unit_df(u, freq.title) > common_title,
            _unit_df(u, freq.title),
            _unit_df(u, freq.text),
        ),
    )[:2]
    per_unit = [_group(_or(_term_expr(t, "text") for t in minimal(u.texts))) for u in body_units]
    if len(per_unit) == 2:
        both = _and(per_unit)  # documents holding both words first, then either of them
        if both:
            texts.append(both)
    either = _or(per_unit)
    if either:
        texts.append(either)
    marks = tuple(dict.fromkeys(t for u in units for t in u.texts))
    return Level(
        text=texts[0] if texts else None,
        title=title,
        title_extra=True,
        marks=marks,
        units=tuple(units),
        title_ranked=True,
        extra_text=tuple(texts[1:]),
        title_units=tuple(title_units),
    )


def fallback_level(units: list[Unit], text_df: dict[str, float], n: float) -> Level | None:
    """The last resort when neither the strict nor the partial level found anything (the partial
    level's bodies hold only its two rarest-in-titles parts, which may be bigrams no text holds, such
    as 候能 of 啥时候能歇着拿钱): any part that some text holds, in titles or bodies, leaving out parts
    in more than :data:`COMMON_SHARE` of the documents when rarer ones exist. ``text_df``: the parts'
    whole-text document frequencies. None when no part occurs in any text."""
    found = [u for u in units if any(text_df.get(t, 0.0) > 0 for t in u.texts)]
    rare = [u for u in found if any(0 < text_df.get(t, 0.0) <= COMMON_SHARE * n for t in u.texts)]
    chosen = rare or found
    if not chosen:
        return None
    texts = minimal(t for u in chosen for t in u.texts if text_df.get(t, 0.0) > 0)
    return Level(
        text=_or(_term_expr(t, "text") for t in texts),
        title=_or(_term_expr(t, "title") for t in texts),
        title_extra=False,
        marks=tuple(texts),
        units=tuple(chosen),
    )


def _group(expr: str | None) -> str | None:
    """``expr`` in parentheses, so that it stays one operand beside AND (FTS5's AND binds tighter
    than OR: ``a OR b AND c`` is ``a OR (b AND c)``)."""
    return None if expr is None else "(" + expr + ")"


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
    q = und.normalise_dialect(und.fold(query.replace("\x00", " ")[:MAX_QUERY_CHARS]))
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
            heard_cjk.extend(t for t in heard_words(r.text) if t not in heard_cjk)
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
