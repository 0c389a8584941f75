"""Vocabulary words written as they sound (同音错字): an older resident who writes as she speaks types
进老院 for 敬老院 or 养老斤 for 养老金. :func:`everyday_heard` finds the residents' vocabulary's words
(everyday.tsv) that a query holds by sound, one character written otherwise; the synonym table's
words are heard by :func:`kiosk.search.understand.lexicon_terms`."""

from __future__ import annotations

import functools

from pypinyin import Style, lazy_pinyin

from kiosk.search import tokenize as tk
from kiosk.search.understand import GAP, LONGEST_TERM, _char_readings, _index, known_terms, readings

MIN_HEARD_EVERYDAY = 3  # characters of a vocabulary word looked up by sound (two would hear too much)


def _merge_nasals(syllable: str) -> str:
    """``syllable`` with the back nasals -ing and -eng read as -in and -en, as many southern speakers
    (Hunan, Sichuan, Jiangxi …) say them and so write them: 进老院 for 敬老院, 生份证 for 身份证."""
    if syllable.endswith(("ing", "eng")):
        return syllable[:-1]
    return syllable


@functools.lru_cache(maxsize=2)
def _everyday_lexicon(words: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for w in words:
        if len(w) < MIN_HEARD_EVERYDAY or GAP in w or not all(tk.has_cjk(c) for c in w):
            continue
        key = " ".join(_merge_nasals(s) for s in lazy_pinyin(w, style=Style.NORMAL))
        out.setdefault(key, []).append(w)
    return {k: tuple(v) for k, v in out.items()}


@functools.lru_cache(maxsize=4096)
def everyday_heard(text: str) -> tuple[str, ...]:
    """Words of the residents' vocabulary (three characters or more) that ``text`` (folded) holds by
    sound but not as written, the back nasals merged (:func:`_merge_nasals`): the homophone slips of
    older residents who write as they speak (进老院 → 敬老院, 养老斤 → 养老金), longest first. One
    character written otherwise, not more: 物保护 sounds like 五保户 but is two slips away from it."""
    lex = _everyday_lexicon(tuple(_index().words))
    table = _char_readings()
    chars = [c for c in text if c in table]  # as readings() has them
    known = known_terms(text)
    found: list[str] = []
    for sound in readings(text):
        seq = tuple(_merge_nasals(x) for x in sound)
        for i in range(len(seq)):
            for j in range(min(len(seq), i + LONGEST_TERM), i + MIN_HEARD_EVERYDAY - 1, -1):
                for w in lex.get(" ".join(seq[i:j]), ()):
                    written = "".join(chars[i:j])
                    slips = [k for k, (a, b) in enumerate(zip(w, written, strict=True)) if a != b]
                    if len(slips) == 1 and w not in found and not _written_word(written, slips[0], known):
                        found.append(w)
    return tuple(sorted(found, key=len, reverse=True))


def _written_word(written: str, slip: int, known: tuple[str, ...]) -> bool:
    """Whether the slice ``written`` is no slip but part of a word found as written: it lies inside
    one (伤保险 of 工伤保险 is not 上保险), or one covers its odd character."""
    for k in known:
        if written in k:
            return True
        a = written.find(k)
        while a >= 0:
            if a <= slip < a + len(k):
                return True
            a = written.find(k, a + 1)
    return False
