"""CJK-aware tokenisation (分词) for the search index, done in Python before text reaches SQLite FTS5.

Text is cut into *runs*: a run of CJK ideographs becomes overlapping bigrams plus single characters
(as Lucene's CJK analyser does with unigrams switched on), a run of ASCII letters/digits becomes one
lower-cased word. Everything else (punctuation, brackets, emoji, control characters) only separates
runs. The output is a space-separated token string that the FTS5 ``ascii`` tokenizer splits on the
spaces again (it treats every non-ASCII byte as part of a token and folds ASCII case).

Index and query go through the same functions, so 文号 written with 〔〕, [] or () tokenise alike.
The output of :func:`index_tokens` must be deterministic: removing a document from the contentless
FTS5 table re-tokenises its old text and must reproduce exactly what was inserted
(:data:`TOKENIZER_VERSION` changes whenever this output changes, which triggers a rebuild).
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

# Bump when index-side output changes (the mirror's index is then rebuilt).
TOKENIZER_VERSION = "4"

# CJK ideographs: URO, Extension A, compatibility ideographs, Extensions B–F (supplementary plane).
CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002ebef\U00030000-\U0003134f"
_RUN_RE = re.compile(f"([{CJK_RANGES}]+)|([a-z0-9]+)")
_CJK_RE = re.compile(f"[{CJK_RANGES}]")


@dataclass(frozen=True)
class Run:
    """A maximal run of CJK characters (``cjk=True``) or ASCII letters/digits."""

    text: str
    cjk: bool


# Characters NFKC changes in a way that matters to tokens: full-width letters/digits, compatibility
# ideographs, Kangxi radicals. Full-width punctuation (，。（）) only separates runs either way, so the
# costly NFKC pass runs only when one of these occurs.
_COMPAT_RE = re.compile("[\uf900-\ufaff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u2f00-\u2fdf\U0002f800-\U0002fa1f]")


def normalize(text: str) -> str:
    """NFKC (full-width ASCII → ASCII, compatibility ideographs → unified) and lower-case."""
    if _COMPAT_RE.search(text) is not None:
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def runs(text: str) -> list[Run]:
    """The runs of ``text`` after :func:`normalize`, in order."""
    return [Run(m.group(0), m.group(1) is not None) for m in _RUN_RE.finditer(normalize(text))]


def run_tokens(run: Run, *, unigrams: bool = True) -> list[str]:
    """Tokens of one run, in position order.

    With ``unigrams`` a CJK run c1c2c3 gives c1 c1c2 c2 c2c3 c3 (short fields: title, 文号); without,
    c1c2 c2c3 (long bodies: half the index; a lone character still gives itself, as Lucene's
    CJKBigramFilter does).
    """
    t = run.text
    if not run.cjk or len(t) == 1:
        return [t]
    pairs = list(map(operator.add, t, t[1:]))
    if not unigrams:
        return pairs
    out = [t[0]]
    for pair, ch in zip(pairs, t[1:], strict=True):
        out.append(pair)
        out.append(ch)
    return out


def _cjk_tokens(t: str, unigrams: bool) -> str:
    if len(t) == 1:
        return t
    if not unigrams:
        return " ".join(map(operator.add, t, t[1:]))
    return t[0] + " " + " ".join(map(operator.add, map(operator.add, t, t[1:]), map(" ".__add__, t[1:])))


def index_tokens(text: str | None, *, unigrams: bool = True) -> str:
    """The token string stored in FTS5 for ``text`` (space separated); same tokens as
    :func:`run_tokens` over :func:`runs`, built without per-run objects (bodies are long)."""
    if not text:
        return ""
    return " ".join(_cjk_tokens(cjk, unigrams) if cjk else word for cjk, word in _RUN_RE.findall(normalize(text)))


def cjk_chars(text: str | None) -> str:
    """The CJK characters of ``text`` as single-character tokens (the titles' one-character index)."""
    if not text:
        return ""
    return " ".join(ch for ch in normalize(text) if _CJK_RE.match(ch))


def bigrams(run: Run) -> list[str]:
    """The tokens a query run must match in order: its bigrams, or the single character/word."""
    if not run.cjk or len(run.text) == 1:
        return [run.text]
    return [run.text[i : i + 2] for i in range(len(run.text) - 1)]


def pinyin_initials(text: str | None) -> str:
    """Pinyin initials of the CJK characters of ``text`` (低保金 → dbj); ASCII letters kept; runs split
    by anything else are joined with a space."""
    if not text:
        return ""
    parts: list[str] = []
    for r in runs(text):
        if r.cjk:
            parts.append("".join(s[:1] for s in lazy_pinyin(r.text, style=Style.FIRST_LETTER) if s))
        elif r.text.isalpha():
            parts.append(r.text)
    return " ".join(p for p in parts if p)


def letter_bigrams(initials: str) -> str:
    """Index form of pinyin initials: each word's overlapping letter pairs ("dbj" → "db bj"),
    a one-letter word kept as is. Positions follow each other so a query is a phrase."""
    out: list[str] = []
    for w in initials.split():
        if len(w) == 1:
            out.append(w)
        else:
            out.extend(w[i : i + 2] for i in range(len(w) - 1))
    return " ".join(out)


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


_DOCNUM_OPEN = "〔[(（【［｛{〈<《﹝"
_DOCNUM_CLOSE = "〕])）】］｝}〉>》﹞"
_DOCNUM_TRANS = str.maketrans({**{c: "〔" for c in _DOCNUM_OPEN}, **{c: "〕" for c in _DOCNUM_CLOSE}})


def normalize_doc_number(text: str | None) -> str:
    """Canonical 文号: NFKC, brackets unified to 〔〕, whitespace dropped (国办发(2019)8号 → 国办发〔2019〕8号)."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text).translate(_DOCNUM_TRANS)
    return re.sub(r"\s+", "", t).lower()
