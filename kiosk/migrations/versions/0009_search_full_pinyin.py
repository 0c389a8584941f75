"""search: titles indexed by toneless full pinyin (column ``pyf`` of ``search_title``)

Revision ID: 0009_search_pinyin
Revises: 0008_search_pgsz
Create Date: 2026-11-30 09:40:00

A resident who types ``dibao`` or picks the homophone 滴保 means 低保: kiosk.search matches the title's
sound as well as its characters. FTS5 tables take no new column, so the title table is made anew and
filled from the titles alone (``kiosk.search.index.rebuild_titles``: 文号 and issuers from
``documents``, filter tokens from ``search_docs``; bodies are not re-read, so a 100,000-document mirror
upgrades in about a minute). The whole-text table is untouched.
"""

from __future__ import annotations

from alembic import op

revision = "0009_search_pinyin"
down_revision = "0008_search_pgsz"
branch_labels = None
depends_on = None

_COLUMNS = "title, title1, docnum, py, {pyf}meta"


def _recreate(with_pinyin: bool) -> None:
    op.execute("DROP TABLE IF EXISTS search_title")
    cols = _COLUMNS.format(pyf="pyf, " if with_pinyin else "")
    op.execute(f"CREATE VIRTUAL TABLE search_title USING fts5({cols}, content='', tokenize='ascii')")


def upgrade() -> None:
    _recreate(with_pinyin=True)
    from kiosk.search.index import rebuild_titles

    rebuild_titles(op.get_bind())


def downgrade() -> None:
    # The 0008 layout; its rows are re-made by a full rebuild when the older program opens the mirror
    # (the index version it finds is not its own).
    _recreate(with_pinyin=False)
    op.execute("INSERT INTO search_title(search_title, rank) VALUES ('pgsz', 4050)")  # 0008's page size
    op.execute("DELETE FROM kv WHERE key IN ('search.index_version', 'search.title_version')")
