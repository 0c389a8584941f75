"""``publish`` shows what a pack would do first — new, amended (same id), unchanged, and the categories an
amendment drops — ``--dry-run`` changes nothing, and an amendment that drops categories is refused
unless ``--yes`` (the shared corpus once amended a district's documents and dropped their categories)."""

from __future__ import annotations

import json
from pathlib import Path

from synchelpers import CATEGORIES, ZONES, doc

from sync.server.__main__ import main as server_main
from sync.server.db import FeedDoc, sessions


def write(path: Path, lines: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    return path


def versions(server) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with sessions(server.engine)() as s:
        return {d.id: d.version for d in s.query(FeedDoc)}


def test_preview_dry_run_and_dropped_categories(server, tmp_path: Path, capsys) -> None:
    server.publish_lines([*ZONES, *CATEGORIES, doc(1, categories=["policy"]), doc(2, categories=["policy"])])
    before = versions(server)
    pack = write(
        tmp_path / "corpus.jsonl", [doc(1, title="同一编号的另一份文件"), doc(2, categories=["policy"]), doc(3)]
    )
    assert server_main(["publish", "--db", server.db_url, str(pack), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "新增 1 件，修订 1 件（同一编号），未变 1 件" in out and "将删除分类 policy" in out and "标题改变" in out
    assert "预览，未发布" in out and versions(server) == before
    assert server_main(["publish", "--db", server.db_url, str(pack)]) == 1
    assert "加 --yes" in capsys.readouterr().err and versions(server) == before
    assert server_main(["publish", "--db", server.db_url, str(pack), "--yes"]) == 0
    after = versions(server)
    assert after["doc-00001"] == before["doc-00001"] + 1 and "doc-00003" in after
    assert after["doc-00002"] == before["doc-00002"]
