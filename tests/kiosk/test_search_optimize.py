"""After a large load the full-text index is merged to one segment per table, and answers the same."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

import kiosk.search.index as search_index
from kiosk.mirror.store import DocumentRecord, apply_documents
from kiosk.search import search


def _segments(session: Any, table: str) -> int:
    return int(session.execute(text(f"SELECT count(DISTINCT segid) FROM {table}_idx")).scalar_one())


def test_optimize_merges_segments_and_keeps_answers(session: Any) -> None:
    for batch in range(6):  # six transactions, as an import or a sync writes them
        with session.begin():
            apply_documents(
                session,
                [
                    DocumentRecord(
                        id=f"d{batch}-{i}",
                        title=f"娄星区第{batch}批第{i}号城乡低保资金公示",
                        body=f"最低生活保障资金发放 第{batch}批 {i}",
                    )
                    for i in range(40)
                ],
            )
    with session.begin():
        before = {t: _segments(session, t) for t in ("search_title", "search_text")}
        answer = [h.id for h in search(session, "低保资金", limit=50).hits]
    assert all(n > 1 for n in before.values()), before
    with session.begin():
        search_index.optimize(session.connection())
    with session.begin():
        after = {t: _segments(session, t) for t in ("search_title", "search_text")}
        assert [h.id for h in search(session, "低保资金", limit=50).hits] == answer
    assert after == {"search_title": 1, "search_text": 1}
    assert len(answer) == 50
