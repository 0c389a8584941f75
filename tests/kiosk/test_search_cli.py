"""``kiosk search`` on real mirrors: JSON output, one JSON line per stdin query (bad bytes and NUL
included), and the issue's acceptance run over the whole shared corpus (slow)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from kiosk.cli import main

PACK_LINES = [
    {
        "id": "dibao",
        "title": "城乡居民最低生活保障办法",
        "doc_number": "娄政发〔2019〕8号",
        "published": "2019-03-01",
        "body": "# 城乡居民最低生活保障办法\n\n申请最低生活保障的条件。",
    },
    {"id": "hukou", "title": "户口登记办事指南", "published": "2021-01-01", "body": "办理户口登记。"},
]


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    pack = tmp_path / "pack.jsonl"
    pack.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in PACK_LINES), encoding="utf-8")
    path = tmp_path / "m.db"
    assert main(["import", str(pack), "--db", str(path)]) == 0
    capsys.readouterr()
    return path


def test_json_single_query(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--db", str(db), "--json", "低保"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["q"] == "低保" and out["total"] == 1 and out["relaxed"] is False and out["only_partial"] is False
    hit = out["results"][0]
    assert hit["id"] == "dibao" and hit["title"] == "城乡居民最低生活保障办法"
    assert "最低生活保障" in hit["snippet"] and "<b>" not in hit["snippet"]
    assert isinstance(hit["score"], float) and hit["score"] >= 0  # BM25 idf is ~0 in a 2-document mirror


def test_text_output_and_filters(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--db", str(db), "娄政发(2019)8号"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("共 1 条") and "城乡居民最低生活保障办法" in out and "现行有效" in out
    assert main(["search", "--db", str(db), "--year", "2020", "--json", "户口"]) == 0
    assert json.loads(capsys.readouterr().out)["results"] == []
    assert main(["search", "--db", str(db), "--status", "gone", "户口"]) == 2
    assert "unknown status" in capsys.readouterr().err


def test_text_output_says_when_nothing_matched_every_word(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--db", str(db), "低保金发放标准调整"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("共 ") and "（没有找到完全相符的内容，以下是相关的文件）" in out.splitlines()[0]
    assert main(["search", "--db", str(db), "低保"]) == 0
    assert "没有找到完全相符" not in capsys.readouterr().out


def test_undecodable_command_line_bytes(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Python hands undecodable argv bytes over as surrogate escapes ("低保\xff" → "低保\udcff")
    assert main(["search", "--db", str(db), "--json", "低保\udcff"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["q"] == "低保\ufffd" and out["results"][0]["id"] == "dibao"
    assert main(["search", "--db", str(db), "娄政发\ud800(2019)8号"]) == 0
    assert capsys.readouterr().out.startswith("共 ")


def test_stdin_one_json_line_per_query(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = ['"', "AND", "*", ")(", "", "😀", "\x00", "dbj", "户口", "政" * 2000]
    raw = ("\n".join(queries) + "\n").encode() + b"\xff\xfe broken\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    assert main(["search", "--db", str(db), "--limit", "3", "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(queries) + 1
    answers = [json.loads(line) for line in lines]
    assert [a["q"] for a in answers[:-1]] == queries
    assert all(set(a) == {"q", "results"} for a in answers)
    assert [r["id"] for r in answers[queries.index("户口")]["results"]] == ["hukou"]
    assert all(set(r) == {"id", "title", "snippet", "score"} for a in answers for r in a["results"])


@pytest.mark.slow
def test_acceptance_on_the_whole_corpus(tmp_path: Path, corpus_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "m.db"
    assert main(["import", str(corpus_path), "--db", str(db), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["counts"]["inserted"] == 2970
    assert main(["import", str(corpus_path), "--db", str(db), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)["counts"]
    assert again["unchanged"] == 2970 and again["inserted"] == again["updated"] == 0

    def ask(q: str) -> dict[str, object]:
        assert main(["search", "--db", str(db), "--json", q]) == 0
        return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]

    first_hit = ask("政府信息公开条例")["results"][0]  # type: ignore[index]
    assert first_hit["title"] == "中华人民共和国政府信息公开条例"
    assert ask("国务院令第711号")["results"][0]["title"] == "中华人民共和国政府信息公开条例"  # type: ignore[index]
    assert ask("zfxxgk")["results"][0]["title"] == "中华人民共和国政府信息公开条例"  # type: ignore[index]
    for q in ("法", "低保", "社会保险", "保障农民工工资支付", "最低生活保障条例"):
        assert ask(q)["results"], q
    for q in ('"', "AND", "*", ")(", "x" * 2000, "😀", "\x00".join("低保")):
        assert isinstance(ask(q)["results"], list)
