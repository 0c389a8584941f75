#!/usr/bin/env python3
"""Build the project's labelled search queries (``kiosk/bench/search_eval.jsonl``) from titles.

Deterministic (fixed seed): the same corpus gives the same file. Every query is derived from one
document's title (or 文号) by a rule per kind, and labelled mechanically with the documents it should
find — so the set measures how the search copes with each way of typing, not how well it understands
free questions. It is built from titles: a held-out set of real residents' phrasing is the better judge.

Documents: the demo district's own (``assets/demo/district.jsonl``) and the shared corpus
(``shared/corpus/laws.jsonl``, 2,970 laws and regulations), the mirror ``kiosk bench search-eval``
imports. A *topic* is a title with its issuer's place and its document type stripped (娄星区城乡最低生活
保障实施办法 → 城乡最低生活保障); a *keyword* is the topic or one to three of its words (2–8 characters;
word boundaries from jieba, a development dependency used only here). A query's
relevant documents are those whose title holds the keyword (or all the title words; or the same 文号);
a keyword held by more than :data:`MAX_RELEVANT` titles is not used (too common to label).

Kinds (:data:`PER_KIND` queries each):

- ``sentence``: the keyword in a resident's question (怎么申请{k}, {k}需要什么材料, …);
- ``full_pinyin``: the keyword's toneless pinyin, run together, spaced by syllable, or by word;
- ``traditional``: the keyword (or the whole title) in traditional characters (OpenCC ``s2t``);
- ``full_width``: a title piece with digits, or the keyword's pinyin initials, in full-width form;
- ``homophone``: the keyword with one character swapped for a common character that sounds the same
  (pypinyin's table read backwards; candidates are characters common in the titles);
- ``title_words``: one or two words of the title, spaced (what residents type today);
- ``doc_number``: the 文号 in another bracket style, sometimes without the leading 中华人民共和国;
- ``everyday``: a resident's question in everyday words for a matter whose official term she does not
  type (煤气 for 燃气), one per line of ``kiosk/bench/everyday_phrasings.tsv`` (written by hand before
  the residents' vocabulary ``kiosk/search/everyday.tsv``, and kept apart from it), labelled with the
  documents whose titles hold one of the line's official terms (at most :data:`MAX_EVERYDAY_RELEVANT`);
  a line whose question holds an official term itself, or that no title matches, is left out;
- ``everyday_independent``: the same, from ``kiosk/bench/everyday_phrasings_independent.tsv``, a second
  list written by another engineer who never saw the vocabulary nor the first list (committed alone,
  before any search ran on it), so that the first list's author does not judge his own vocabulary.
  From 2026-12-08 it is the development set the vocabulary is extended against, so no longer held out;
- ``everyday_blind``: the same, from ``kiosk/bench/everyday_phrasings_blind.tsv``, a third list written
  blind (its author read neither the vocabulary, the search code nor the other lists; committed alone)
  and measured once the vocabulary work against the second list was done; from the third pass of
  2026-12-08 it too is development data (its misses were read);
- ``everyday_heldout``: the same, from ``kiosk/bench/everyday_phrasings_heldout.tsv``, a fourth list
  written blind (by rules stated in its header) while the third pass worked on the third list, kept
  out of that engineer's tree, and measured once before and once after that pass; from the fourth pass
  it too is development data (its misses were read);
- ``everyday_fifth``: the same, from ``kiosk/bench/everyday_phrasings_fifth.tsv``, a fifth list written
  blind (rules in its header; told as a grid worker's notes of home visits) while the fourth pass worked
  on the fourth list, and measured once before and once after that pass: the held-out figure.

Usage::

    .venv/bin/python scripts/build_search_eval.py            # write kiosk/bench/search_eval.jsonl
    .venv/bin/python scripts/build_search_eval.py --check    # exit 1 if the committed file differs
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import random
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402
import opencc  # noqa: E402
from pypinyin import Style, lazy_pinyin  # noqa: E402

from kiosk.search import tokenize as tk  # noqa: E402
from kiosk.search import understand as und  # noqa: E402

SEED = 20261130
PER_KIND = 80
MAX_RELEVANT = 8
OUT = ROOT / "kiosk" / "bench" / "search_eval.jsonl"
CORPUS = ROOT.parent / "shared" / "corpus" / "laws.jsonl"
DISTRICT = ROOT / "assets" / "demo" / "district.jsonl"
EVERYDAY = ROOT / "kiosk" / "bench" / "everyday_phrasings.tsv"
EVERYDAY_INDEPENDENT = ROOT / "kiosk" / "bench" / "everyday_phrasings_independent.tsv"
EVERYDAY_BLIND = ROOT / "kiosk" / "bench" / "everyday_phrasings_blind.tsv"
EVERYDAY_HELDOUT = ROOT / "kiosk" / "bench" / "everyday_phrasings_heldout.tsv"
EVERYDAY_FIFTH = ROOT / "kiosk" / "bench" / "everyday_phrasings_fifth.tsv"
MAX_EVERYDAY_RELEVANT = 40  # an everyday question names a matter (养狗), not one title

PLACE = re.compile(
    r"^(中华人民共和国|国务院|最高人民法院|最高人民检察院|全国人民代表大会常务委员会|全国人民代表大会|"
    r"[\u4e00-\u9fff]{1,8}?(自治区|自治州|自治县|特别行政区|省|市|区|县|镇|街道))+"
)
DOC_TYPE = re.compile(
    r"(（[^）]*）|\([^)]*\))?(的)?(实施细则|实施办法|实施条例|暂行条例|暂行办法|暂行规定|管理办法|管理条例|管理规定|"
    r"若干规定|若干问题的规定|若干问题的解释|若干意见|条例|办法|规定|细则|决定|通知|意见|解释|规则|公告|公示|"
    r"办事指南|指南|解读|法|目录|摘要|清单|说明|手册)+$"
)
TEMPLATES = (
    "怎么申请{k}",
    "{k}怎么办理",
    "我想了解一下{k}",
    "{k}在哪里办",
    "请问{k}有什么规定",
    "{k}需要什么材料",
    "我想办{k}",
    "{k}怎么弄",
    "哪里可以查{k}的政策",
    "{k}是怎么规定的",
    "办{k}要带什么",
    "关于{k}的规定是什么",
    "{k}有哪些要求",
    "我家里{k}的事情找谁",
)


def load_docs() -> list[dict[str, Any]]:
    docs = []
    for path in (DISTRICT, CORPUS):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                o = json.loads(line)
                if o.get("type") in (None, "document") and o.get("title"):
                    docs.append(o)
    return docs


def topic(title: str) -> str:
    t = re.sub(r"[《》“”\"]", "", title)
    t = re.sub(r"^关于", "", t)
    t = PLACE.sub("", t)
    t = re.sub(r"^关于", "", t)
    t = re.sub(r"^(印发|做好|开展|加强|进一步)", "", t)
    return DOC_TYPE.sub("", t)


class Builder:
    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs
        self.titles = [(d["id"], und.fold(d["title"])) for d in docs]
        self.rng = random.Random(SEED)
        self.s2t = opencc.OpenCC("s2t")
        self.initials = {d["id"]: tk.pinyin_initials(d["title"]).replace(" ", "") for d in docs}
        freq = collections.Counter(ch for _, t in self.titles for ch in t if tk.has_cjk(ch))
        by_sound: dict[str, list[str]] = collections.defaultdict(list)
        for ch, n in freq.items():
            if n >= 5:
                by_sound[lazy_pinyin(ch, style=Style.NORMAL)[0]].append(ch)
        self.by_sound = {k: sorted(v, key=lambda c: -freq[c]) for k, v in by_sound.items()}

    def holding(self, *pieces: str) -> list[str]:
        return [i for i, t in self.titles if all(p in t for p in pieces)]

    def keyword(self, title: str) -> str | None:
        """The topic, or one to three of its words (jieba's word boundaries), 2–8 characters."""
        core = re.sub(r"[^\u4e00-\u9fff]", "", topic(title))
        if len(core) < 2:
            return None
        if len(core) <= 8 and self.rng.random() < 0.5:
            return core
        words = jieba.lcut(core)
        for _ in range(6):
            n = self.rng.randint(1, min(3, len(words)))
            i = self.rng.randint(0, len(words) - n)
            k = "".join(words[i : i + n])
            if 2 <= len(k) <= 8:
                return k
        return None

    def labelled_keyword(self, doc: dict[str, Any], min_len: int = 2) -> tuple[str, list[str]] | None:
        for _ in range(4):
            k = self.keyword(doc["title"])
            if k and len(k) >= min_len:
                rel = self.holding(k)
                if doc["id"] in rel and len(rel) <= MAX_RELEVANT:
                    return k, rel
        return None

    def sentence(self, doc: dict[str, Any]) -> tuple[str, list[str], str] | None:
        kr = self.labelled_keyword(doc)
        if kr is None:
            return None
        template = self.rng.choice(TEMPLATES)
        return template.format(k=kr[0]), kr[1], f"keyword {kr[0]} in the question {template}"

    def full_pinyin(self, doc: dict[str, Any]) -> tuple[str, list[str], str] | None:
        kr = self.labelled_keyword(doc)
        if kr is None:
            return None
        sylls = lazy_pinyin(kr[0], style=Style.NORMAL)
        r = self.rng.random()
        if r < 0.6:
            q, how = "".join(sylls), "run together"
        elif r < 0.85:
            q, how = " ".join(sylls), "spaced by syllable"
        else:
            cut = self.rng.randint(1, len(sylls) - 1)
            q, how = "".join(sylls[:cut]) + " " + "".join(sylls[cut:]), "spaced once"
        return q, kr[1], f"pinyin of {kr[0]}, {how}"

    def traditional(self, doc: dict[str, Any]) -> tuple[str, list[str], str] | None:
        if self.rng.random() < 0.3:
            q = self.s2t.convert(doc["title"])
            rel = self.holding(und.fold(doc["title"]))
            if q != doc["title"]:
                return q, rel, "whole title in traditional characters"
        kr = self.labelled_keyword(doc)
        if kr is None:
            return None
        q = self.s2t.convert(kr[0])
        return (q, kr[1], f"{kr[0]} in traditional characters") if q != kr[0] else None

    def full_width(self, doc: dict[str, Any]) -> tuple[str, list[str], str] | None:
        title = und.fold(doc["title"])
        m = re.search(r"\d+[\u4e00-\u9fff]{2,6}", title)
        if m and self.rng.random() < 0.7:
            piece = m.group(0)
            rel = self.holding(piece)
            if len(rel) <= MAX_RELEVANT:
                return to_full_width(piece), rel, f"{piece} with full-width digits"
        kr = self.labelled_keyword(doc, min_len=4)
        if kr is None:
            return None
        ini = "".join(s[0] for s in lazy_pinyin(kr[0], style=Style.FIRST_LETTER))
        rel = [i for i, x in self.initials.items() if ini in x]
        if doc["id"] not in rel or len(rel) > MAX_RELEVANT:
            return None
        q = to_full_width(ini.upper() if self.rng.random() < 0.5 else ini)
        return q, rel, f"full-width pinyin initials of {kr[0]}"

    def homophone(self, doc: dict[str, Any]) -> tuple[str, list[str], str] | None:
        kr = self.labelled_keyword(doc, min_len=3)
        if kr is None:
            return None
        k = kr[0]
        positions = list(range(len(k)))
        self.rng.shuffle(positions)
        for i in positions:
            sound = lazy_pinyin(k[i], style=Style.NORMAL)[0]
            others = [c for c in self.by_sound.get(sound, []) if c != k[i]][:8]
            if others:
                c = self.rng.choice(others)
                return k[:i] + c + k[i + 1 :], kr[1], f"{k} with {k[i]} → {c} ({sound})"
        return None

    def title_words(self, doc: dict[str, Any]) -> tuple[str, list[str], str] | None:
        """One or two words of the title (jieba), spaced, in title order."""
        words = [w for w in jieba.lcut(und.fold(doc["title"])) if len(w) >= 2 and tk.has_cjk(w)]
        if not words:
            return None
        for _ in range(6):
            i = self.rng.randrange(len(words))
            pieces = [words[i]]
            if i + 1 < len(words) and self.rng.random() < 0.6:
                pieces.append(words[self.rng.randrange(i + 1, len(words))])
            rel = self.holding(*pieces)
            if doc["id"] in rel and len(rel) <= MAX_RELEVANT:
                return " ".join(pieces), rel, "title pieces"
        return None

    def doc_number(self, doc: dict[str, Any]) -> tuple[str, list[str], str] | None:
        dn = doc.get("doc_number")
        if not dn:
            return None
        norm = tk.normalize_doc_number(dn)
        rel = [d["id"] for d in self.docs if tk.normalize_doc_number(d.get("doc_number")) == norm]
        q = dn
        style = self.rng.choice(["as printed", "[]", "()", "（）"])
        if style != "as printed":
            q = q.replace("〔", style[0]).replace("〕", style[1])
        if q.startswith("中华人民共和国") and self.rng.random() < 0.5:
            q = q[len("中华人民共和国") :]
            style += ", without 中华人民共和国"
        return q, rel, f"文号 {style}"


def to_full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def everyday(titles: list[tuple[str, str]], path: Path = EVERYDAY, kind: str = "everyday") -> list[dict[str, Any]]:
    """An everyday-words kind: each line of ``path`` (:data:`EVERYDAY`, :data:`EVERYDAY_INDEPENDENT`,
    :data:`EVERYDAY_BLIND`, :data:`EVERYDAY_HELDOUT`, :data:`EVERYDAY_FIFTH`) labelled by the titles
    holding one of its official terms."""
    out: list[dict[str, Any]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        q, terms, why = [*line.split("\t"), "", ""][:3]
        official = [und.fold(t) for t in terms.split("|") if t.strip()]
        if any(t in und.fold(q) for t in official):
            continue  # the official term typed: not this kind
        rel = sorted(i for i, t in titles if any(o in t for o in official))
        if not rel or len(rel) > MAX_EVERYDAY_RELEVANT:
            continue
        rule = f"everyday words for {'/'.join(official)} ({why})"
        out.append({"kind": kind, "q": q, "relevant": rel, "source": f"{path.name}:{n}", "rule": rule})
    return out


KINDS = ("sentence", "full_pinyin", "traditional", "full_width", "homophone", "title_words", "doc_number")


def build() -> list[dict[str, Any]]:
    docs = load_docs()
    b = Builder(docs)
    out: list[dict[str, Any]] = []
    for kind in KINDS:
        pool = docs[:]
        random.Random(f"{SEED}-{kind}").shuffle(pool)
        seen: set[str] = set()
        made = 0
        for doc in pool:
            got = getattr(b, kind)(doc)
            if got is None:
                continue
            q, rel, rule = got
            if q in seen or not rel:
                continue
            seen.add(q)
            assert unicodedata.is_normalized("NFC", q)
            out.append({"kind": kind, "q": q, "relevant": sorted(rel), "source": doc["id"], "rule": rule})
            made += 1
            if made >= PER_KIND:
                break
    return (
        out
        + everyday(b.titles)
        + everyday(b.titles, EVERYDAY_INDEPENDENT, "everyday_independent")
        + everyday(b.titles, EVERYDAY_BLIND, "everyday_blind")
        + everyday(b.titles, EVERYDAY_HELDOUT, "everyday_heldout")
        + everyday(b.titles, EVERYDAY_FIFTH, "everyday_fifth")
    )


def main(argv: list[str] | None = None) -> int:
    jieba.setLogLevel(logging.WARNING)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="exit 1 if the committed file differs")
    args = p.parse_args(argv)
    text = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in build())
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("search_eval.jsonl is current" if same else "search_eval.jsonl differs: run scripts/build_search_eval.py")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    counts = collections.Counter(json.loads(line)["kind"] for line in text.splitlines())
    print(f"wrote {OUT.relative_to(ROOT)}: {dict(counts)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
