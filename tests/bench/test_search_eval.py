"""The search evaluation: the labelled queries are complete and reproducible, scoring counts a hit in
the first ten and its rank, and every engine (the new search, the old one read from git, the plain
bigram match) runs on a real mirror."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.bench import search_eval
from kiosk.db import open_engine, session_factory
from kiosk.mirror.store import DocumentRecord, apply_document
from kiosk.search import understand as und

ROOT = Path(__file__).resolve().parents[2]


def test_labelled_queries_cover_every_kind_and_are_reproducible(corpus_path: Path) -> None:
    items = [json.loads(x) for x in search_eval.QUERIES.read_text(encoding="utf-8").splitlines()]
    kinds = {i["kind"] for i in items}
    assert kinds == set(search_eval.KINDS)
    phrased = ("doc_number", "everyday", "everyday_independent", "everyday_blind", "everyday_heldout", "everyday_fifth")
    derived = [i for i in items if i["kind"] not in phrased]
    assert all(i["q"] and i["relevant"] and i["source"] in i["relevant"] for i in derived)
    for kind, source, at_least in (
        ("everyday", "everyday_phrasings.tsv:", 100),
        ("everyday_independent", "everyday_phrasings_independent.tsv:", 120),
        ("everyday_blind", "everyday_phrasings_blind.tsv:", 130),
        ("everyday_heldout", "everyday_phrasings_heldout.tsv:", 150),
        ("everyday_fifth", "everyday_phrasings_fifth.tsv:", 150),
    ):
        everyday = [i for i in items if i["kind"] == kind]
        assert len(everyday) >= at_least, kind
        assert all(i["relevant"] and i["source"].startswith(source) for i in everyday), kind
        assert all(len(i["relevant"]) <= 40 for i in everyday), kind  # MAX_EVERYDAY_RELEVANT
    assert len({(i["kind"], i["q"]) for i in items}) == len(items)
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_search_eval.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_scoring_and_engines_on_a_small_mirror(tmp_path: Path) -> None:
    engine = open_engine(tmp_path / "m.db")
    docs = [("a", "户口登记办事指南"), ("b", "城乡居民最低生活保障办法"), ("c", "养犬管理规定")]
    with session_factory(engine)() as s, s.begin():
        for doc_id, title in docs:
            apply_document(s, DocumentRecord(id=doc_id, title=title, body=f"{title}的正文。"))
    queries = [
        {"kind": "full_pinyin", "q": "hukou", "relevant": ["a"], "rule": ""},
        {"kind": "sentence", "q": "低保怎么申请", "relevant": ["b"], "rule": ""},
        {"kind": "title_words", "q": "养犬", "relevant": ["c"], "rule": ""},
        {"kind": "title_words", "q": "不存在的词", "relevant": ["c"], "rule": ""},
        {"kind": "everyday", "q": "遛狗不牵绳", "relevant": ["c"], "rule": ""},
    ]
    old = search_eval.old_engine(ROOT)
    if old is None:
        pytest.skip("no git history here")
    with session_factory(engine)() as s:
        new = search_eval.score(s, search_eval.new_engine, queries)
        novocab = search_eval.score(s, search_eval.novocab_engine, queries)
        base = search_eval.score(s, search_eval.bigram_engine, queries)
        was = search_eval.score(s, old, queries)
    engine.dispose()
    assert new["kinds"]["full_pinyin"]["recall@10"] == 1.0 and new["kinds"]["sentence"]["mrr"] == 1.0
    assert new["kinds"]["title_words"]["recall@10"] == 0.5  # one of two found
    assert new["misses"]["title_words"][0]["q"] == "不存在的词"
    assert new["kinds"]["everyday"]["recall@10"] == 1.0  # 狗 → 犬 through the residents' vocabulary
    assert novocab["kinds"]["everyday"]["recall@10"] == 0.0  # … and without it, nothing
    assert und.everyday_words()["狗"]  # the vocabulary is back after the baseline's calls
    assert base["kinds"]["full_pinyin"]["recall@10"] == 0.0 and base["kinds"]["title_words"]["recall@10"] == 0.5
    assert was["kinds"]["full_pinyin"]["recall@10"] == 0.0  # the old search had no full pinyin
    assert new["all"]["n"] == 5
