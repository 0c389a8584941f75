"""Query understanding (查询理解): what a resident typed, made ready for the index.

Done before any matching, on the query only (titles and bodies are indexed as published):

- :func:`fold`: NFKC (full-width letters and digits ＤＢＪ２０２３ → dbj2023, compatibility ideographs),
  lower case, traditional → simplified characters with OpenCC's ``t2s`` conversion (醫保 → 医保,
  戶口 → 户口). ``t2s`` changes characters only; OpenCC's Taiwan phrase tables (``tw2sp``) are not used
  because they also rewrite simplified words (程序 → 进程).
- :func:`normalise_dialect`: dialect words of ``dialect.tsv`` read as common ones (崽子 → 孩子).
- :func:`strip_fillers`: the question and filler words of ``fillers.txt`` (怎么, 我想, 在哪, 吗, …)
  cut out, leaving the segments that say what the resident wants (怎么交医保 → 交医保), but not
  inside a word of the residents' vocabulary (走了, 丢了工作).
- :func:`everyday_in`: the residents' vocabulary's words in a text, also gapped (丢…饭碗 in 丢了饭碗)
  and split after their first character (放了鞭炮); :func:`official_terms` gives what they stand for.
- Pinyin: :func:`segmentations` cuts letters into toneless syllables (``dibao`` → di bao; ``xian`` →
  xian or xi an; a last partial syllable is kept as a prefix while the resident is still typing);
  :func:`readings` gives the toneless readings of Chinese text, every reading of a heteronym, so a
  homophone slip (滴保) is matched by sound; :func:`lexicon_terms` finds the synonym table's words by
  their sound (dibao, 滴保 → 低保), which is also the suggestion offered when nothing is found.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import opencc
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PINYIN_DICT

from kiosk.search import tokenize as tk

FILLERS_FILE = Path(__file__).resolve().parent / "fillers.txt"
SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms.tsv"
EVERYDAY_FILE = Path(__file__).resolve().parent / "everyday.tsv"
DIALECT_FILE = Path(__file__).resolve().parent / "dialect.tsv"
GAP = "…"  # in an everyday.tsv word: its pieces in this order with a few characters between (丢…饭碗)
MAX_GAP = 6  # characters between the pieces of a gapped word
SPLIT_CHARS = "了过着的一两几个只条张次回趟件份点些"  # may stand after a word's first character (放了鞭炮, 住的院)
MAX_SPLIT = 3  # … at most this many of them
MAX_ALTERNATIVES = 4  # synonym variants of one term
LONGEST_TERM = 10  # syllables of the longest synonym-table word looked up by sound
MAX_SEGMENTATIONS = 6  # ways to cut one letter string into syllables
MAX_READINGS = 8  # reading combinations of one Chinese segment (heteronyms multiply)


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=8192)
def _traditional(ch: str) -> bool:
    """Whether OpenCC's ``t2s`` changes the character ``ch`` on its own (醫 → 医; 坏 stays)."""
    return bool(_t2s().convert(ch) != ch)


def fold(text: str) -> str:
    """``text`` NFKC-normalised, lower-cased and in simplified characters. Only a text holding some
    traditional character is converted: ``t2s`` also rewrites a few simplified words by its phrase
    table (打坏 → 打坯, an old word for making adobe), which no document of simplified text holds."""
    text = unicodedata.normalize("NFKC", text).lower()
    if tk.has_cjk(text) and any(_traditional(ch) for ch in text if not ch.isascii()):
        text = _t2s().convert(text)
    return text


@functools.cache
def fillers() -> tuple[str, ...]:
    """The filler words of ``fillers.txt``, longest first."""
    words = []
    for line in FILLERS_FILE.read_text(encoding="utf-8").splitlines():
        w = line.strip()
        if w and not w.startswith("#"):
            words.append(fold(w))
    return tuple(sorted(dict.fromkeys(words), key=len, reverse=True))


@functools.cache
def _filler_re() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in fillers()))


@functools.cache
def dialect_words(path: Path = DIALECT_FILE) -> dict[str, str]:
    """The dialect and colloquial table (``dialect.tsv``): a regional or spoken word (folded) → the
    common word for it (崽子 → 孩子, 脑壳 → 脑子, 堂客 → 老婆), so that the vocabulary and the titles'
    words match after it."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) >= 2 and cells[0].strip() and cells[1].strip():
            out[fold(cells[0].strip())] = fold(cells[1].strip())
    return out


@functools.cache
def _dialect_re() -> re.Pattern[str] | None:
    words = sorted(dialect_words(), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


def normalise_dialect(text: str) -> str:
    """``text`` (folded) with the dialect table's words replaced by common ones, longest first, in one
    pass (a replacement is not replaced again)."""
    pattern = _dialect_re()
    if pattern is None or not tk.has_cjk(text):
        return text
    table = dialect_words()
    return pattern.sub(lambda m: table[m.group(0)], text)


def strip_fillers(text: str) -> str:
    """``text`` with every filler word replaced by a space (the parts between stay runs of their own),
    except inside the vocabulary's words found in ``text`` (:func:`everyday_in`: 走了, 丢了工作, the text
    of a gapped word, 丢了饭碗 by 丢…饭碗, or a word with 了/过/一个 … after its first character, 放了鞭炮):
    those stay whole, so that the vocabulary still finds them after the fillers are gone."""
    keep = [w for w in everyday_in(text) if _filler_re().search(w)] if tk.has_cjk(text) else []
    spans: list[tuple[int, int]] = []  # where the kept words stand, longest first, none overlapping
    for w in sorted(keep, key=len, reverse=True):
        a = text.find(w)
        while a >= 0:
            if all(a >= e or a + len(w) <= b for b, e in spans):
                spans.append((a, a + len(w)))
            a = text.find(w, a + 1)
    out, pos = [], 0
    for a, b in sorted(spans):
        out += [_filler_re().sub(" ", text[pos:a]), text[a:b]]
        pos = b
    return "".join([*out, _filler_re().sub(" ", text[pos:])])


# --- pinyin ---------------------------------------------------------------------------------------


def _toneless(reading: str) -> str:
    """lǜ → lv (ü typed as v, as pypinyin and the Pinyin keyboards write it), zhōng → zhong."""
    s = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in s if not unicodedata.combining(c))


@functools.cache
def _char_readings() -> dict[str, tuple[str, ...]]:
    """Every character pypinyin knows → its toneless readings, most common first."""
    out: dict[str, tuple[str, ...]] = {}
    for cp, value in PINYIN_DICT.items():
        out[chr(cp)] = tuple(dict.fromkeys(_toneless(r) for r in value.split(",")))
    return out


@functools.cache
def syllables() -> frozenset[str]:
    """The toneless syllables of Mandarin (those with a vowel: interjections m, ng, hm are left out)."""
    return frozenset(r for rs in _char_readings().values() for r in rs if re.search("[aeiouv]", r))


@functools.cache
def _prefixes() -> frozenset[str]:
    return frozenset(s[:k] for s in syllables() for k in range(1, len(s)))


def segmentations(letters: str, *, partial: bool = True) -> list[tuple[str, ...]]:
    """Ways to cut ``letters`` (a-z only) into toneless syllables, fewest syllables first, at most
    :data:`MAX_SEGMENTATIONS`. With ``partial`` the last piece may be the start of a syllable
    (``dib`` → di b…, shown as ``b*``), as while a resident is still typing."""
    n = len(letters)
    if n == 0 or n > 40:
        return []
    sy = syllables()
    found: list[tuple[str, ...]] = []

    @functools.cache
    def ways(i: int) -> tuple[tuple[str, ...], ...]:
        if i == n:
            return ((),)
        out: list[tuple[str, ...]] = []
        for j in range(min(n, i + 6), i, -1):
            piece = letters[i:j]
            if piece in sy:
                out.extend((piece, *rest) for rest in ways(j))
            if partial and j == n and piece in _prefixes() and i > 0:  # "ba" may become bao
                out.append((piece + "*",))
            if len(out) > 4 * MAX_SEGMENTATIONS:
                break
        return tuple(out)

    found = sorted(set(ways(0)), key=lambda s: (len(s), s[-1].endswith("*")))
    return found[:MAX_SEGMENTATIONS]


@functools.lru_cache(maxsize=4096)
def readings(text: str) -> tuple[tuple[str, ...], ...]:
    """Toneless syllables of the CJK characters of ``text``: the reading pypinyin gives in context
    first, then combinations with each heteronym's most common reading (at most :data:`MAX_READINGS`;
    its rare readings, 提 as di or shi, would only add noise). Characters pypinyin does not know are
    left out."""
    table = _char_readings()
    chars = [c for c in text if c in table]
    if not chars:
        return ()
    context = lazy_pinyin("".join(chars), style=Style.NORMAL)
    options: list[tuple[str, ...]] = []
    for ch, first in zip(chars, context, strict=False):
        options.append(tuple(dict.fromkeys([first, table[ch][0]])))
    return tuple(itertools.islice(itertools.product(*options), MAX_READINGS))


def title_syllables(title: str) -> list[str]:
    """The index form of a title's sound: the toneless syllable of each CJK character in reading
    order (pypinyin's reading in context) and each ASCII word, then, for each heteronym character,
    a short window (two syllables either side) with its other readings, so a query that reads it
    otherwise still matches as a phrase."""
    return title_pinyin(title)[1]


def title_pinyin(title: str) -> tuple[str, list[str]]:
    """``(tokenize.pinyin_initials(title), title_syllables(title))`` with one pypinyin pass per run
    where it can: a run whose characters pypinyin all knows has the initials of its syllables in
    context (what pypinyin's first-letter style gives for the same text); pypinyin is most of the
    cost of indexing a title."""
    out: list[str] = []
    extra: list[str] = []
    initials: list[str] = []
    table = _char_readings()
    for run in tk.runs(title):
        if not run.cjk:
            out.append(run.text)
            if run.text.isalpha():
                initials.append(run.text)
            continue
        chars = [c for c in run.text if c in table]
        sylls = lazy_pinyin("".join(chars), style=Style.NORMAL) if chars else []
        if len(chars) == len(run.text):
            initials.append("".join(x[:1] for x in sylls))
        else:
            initials.append(tk.pinyin_initials(run.text))
        out.extend(sylls)
        for k, ch in enumerate(chars):
            for alt in table[ch]:
                if alt != sylls[k] and len(extra) < 60:
                    extra.extend([*sylls[max(0, k - 2) : k], alt, *sylls[k + 1 : k + 3]])
    return " ".join(i for i in initials if i), out + extra


@functools.lru_cache(maxsize=16_384)
def fast_syllables(text: str) -> str:
    """Each CJK character's most common toneless reading, space separated (no context: for scoring
    a few hundred candidate titles quickly, not for the index)."""
    table = _char_readings()
    return " ".join(table[c][0] for c in text if c in table)


@functools.cache
def synonym_groups(path: Path = SYNONYMS_FILE) -> tuple[tuple[str, ...], ...]:
    """The synonym table: groups of interchangeable terms (folded), longest term first."""
    groups: list[tuple[str, ...]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        terms = [fold(t.strip()) for t in line.split("\t") if t.strip()]
        if len(terms) >= 2:
            groups.append(tuple(sorted(dict.fromkeys(terms), key=len, reverse=True)))
    return tuple(groups)


@functools.cache
def everyday_words(path: Path = EVERYDAY_FILE) -> dict[str, tuple[str, ...]]:
    """The residents' vocabulary (``everyday.tsv``): an everyday word (folded) → the official terms
    documents use for it (煤气 → 燃气; 狗 → 犬, 养犬). One direction only."""
    out: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        word = GAP.join(fold(piece) for piece in cells[0].strip().split(GAP))  # NFKC would make … "..."
        official = [fold(t.strip()) for t in cells[1].split("|")] if len(cells) > 1 else []
        official = [t for t in dict.fromkeys(official) if t and t != word]
        if word and official:
            out[word] = tuple(official)
    return out


@functools.cache
def context_words(path: Path = EVERYDAY_FILE) -> frozenset[str]:
    """Vocabulary words marked ``context`` in a fourth column of ``everyday.tsv``: words that say who
    or what surrounds the matter (孩子, 老人, 老板, 补助) and stand for a common term
    (未成年人, 老年人, 用人单位, 救助) that names the matter only when nothing more specific does."""
    out: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) > 3 and cells[3].strip() == "context" and not line.startswith("#"):
            out.add(fold(cells[0].strip()))
    return frozenset(out)


class _Index:
    """The vocabulary arranged for finding its words in a text: the plain words by first character,
    the gapped ones (丢…饭碗) as patterns with their first piece."""

    def __init__(self, words: dict[str, tuple[str, ...]]) -> None:
        self.words = words
        by_first: dict[str, list[str]] = {}
        gapped: list[tuple[str, re.Pattern[str], str]] = []
        for w in words:
            pieces = [p for p in w.split(GAP) if p]
            if GAP not in w:
                by_first.setdefault(w[0], []).append(w)
            elif len(pieces) >= 2:  # no punctuation or space between the pieces
                between = f"[^\\s\\W]{{0,{MAX_GAP}}}?"
                gapped.append((pieces[0], re.compile(between.join(map(re.escape, pieces))), w))
        self.by_first = {c: tuple(ws) for c, ws in by_first.items()}
        self.gapped = tuple(gapped)


_INDEXES: list[_Index] = []


def _index() -> _Index:
    """The :class:`_Index` of the vocabulary now in use (a few kept: the benchmark swaps it)."""
    words = everyday_words()
    for idx in _INDEXES:
        if idx.words is words:
            return idx
    _INDEXES[:] = [*_INDEXES[-3:], _Index(words)]
    return _INDEXES[-1]


def official_terms(word: str) -> tuple[str, ...]:
    """The official terms of an everyday word found by :func:`everyday_in`: a word of the vocabulary,
    the text a gapped word matched (丢了饭碗 by 丢…饭碗), or a word split after its first character
    (放了鞭炮 of 放鞭炮); () if none."""
    idx = _index()
    if word in idx.words:
        return idx.words[word]
    for k in range(2, 2 + MAX_SPLIT):
        if len(word) > k and all(c in SPLIT_CHARS for c in word[1:k]) and word[0] + word[k:] in idx.words:
            return idx.words[word[0] + word[k:]]
    return next((idx.words[w] for _, p, w in idx.gapped if p.fullmatch(word)), ())


@functools.lru_cache(maxsize=4096)
def everyday_in(text: str) -> tuple[str, ...]:
    """Everyday words of the vocabulary in ``text``, none inside a longer one found, longest first:
    each word as it stands; a word of two to five characters with up to :data:`MAX_SPLIT` aspect
    particles or a number and measure word after its first character, as speech puts them between a
    verb and its object (放了鞭炮, 交过社保, 养了一条狗, 离了婚, 打了个预防针, 在外地住的院); and the text a gapped word
    matches (丢了饭碗 by 丢…饭碗)."""
    idx = _index()
    found: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        split_end = i + 1
        while split_end < n and split_end - i - 1 < MAX_SPLIT and text[split_end] in SPLIT_CHARS:
            split_end += 1
        for w in idx.by_first.get(ch, ()):
            if text.startswith(w, i):
                found.append(w)
            elif 2 <= len(w) <= 5:
                found.extend(text[i : k + len(w) - 1] for k in range(i + 2, split_end + 1) if text.startswith(w[1:], k))
    found += [m.group(0) for first, p, _ in idx.gapped if first in text for m in [p.search(text)] if m]
    found = list(dict.fromkeys(found))
    return tuple(sorted((w for w in found if not any(w != o and w in o for o in found)), key=len, reverse=True))


def expand(term: str) -> list[str]:
    """``term`` and its variants (see :func:`_expand`; a search asks for the same terms several times)."""
    return list(_expand(term))


@functools.lru_cache(maxsize=4096)
def _expand(term: str) -> tuple[str, ...]:
    """``term`` and its variants with synonym-table terms replaced, and with residents' everyday
    words replaced by their official terms (at most MAX_ALTERNATIVES more).

    A word inside (or overlapping) a longer word found in ``term`` is not replaced (租房 of 廉租房
    stays), nor is a word already standing inside the text that would replace it (公积金 of
    住房公积金 does not become 住房住房公积金): such variants are text no document holds, and each
    costs the search a phrase."""
    matches: list[tuple[str, tuple[str, ...]]] = [(w, official_terms(w)) for w in everyday_in(term)]
    for group in synonym_groups():
        t = next((t for t in group if t in term), None)  # longest term of the group found
        if t is not None:
            matches.append((t, tuple(o for o in group if o != t)))
    spans = {w: (term.find(w), term.find(w) + len(w)) for w, _ in matches}
    out = [term]
    for word, others in matches:
        a, b = spans[word]
        if any(len(o) > len(word) and spans[o][0] < b and a < spans[o][1] for o in spans):
            continue
        for other in others:
            k = other.find(word)
            if k >= 0 and term[a - k : a - k + len(other)] == other:
                continue
            variant = term.replace(word, other)
            if variant not in out:
                out.append(variant)
        if len(out) > MAX_ALTERNATIVES:
            break
    return tuple(out[: MAX_ALTERNATIVES + 1])


@functools.lru_cache(maxsize=4096)
def known_terms(text: str) -> tuple[str, ...]:
    """Synonym-table terms and everyday words occurring in ``text``, none inside a longer one found,
    longest first."""
    found = [t for g in synonym_groups() for t in g if t in text] + list(everyday_in(text))
    found = [t for t in dict.fromkeys(found) if not any(t != o and t in o for o in found)]
    return tuple(sorted(found, key=len, reverse=True))


@functools.cache
def _lexicon() -> dict[str, tuple[str, ...]]:
    """The synonym table's terms by sound: "di bao" → (低保,)."""
    out: dict[str, list[str]] = {}
    for group in synonym_groups():
        for term in group:
            if not tk.has_cjk(term):
                continue
            key = " ".join(lazy_pinyin(term, style=Style.NORMAL))
            out.setdefault(key, [])
            if term not in out[key]:
                out[key].append(term)
    return {k: tuple(v) for k, v in out.items()}


def lexicon_terms(sounds: Iterable[tuple[str, ...]]) -> list[str]:
    """Synonym-table words whose sound is one of ``sounds`` or a run of syllables inside one
    (滴保 → 低保; "wo xiang ban di bao" → 低保), longest first."""
    lex = _lexicon()
    found: list[str] = []
    for heard in sounds:
        seq = tuple(s for s in heard if not s.endswith("*"))
        for i in range(len(seq)):
            for j in range(min(len(seq), i + LONGEST_TERM), i + 1, -1):
                for term in lex.get(" ".join(seq[i:j]), ()):
                    if term not in found:
                        found.append(term)
    return sorted(found, key=len, reverse=True)
