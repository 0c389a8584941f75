"""The composition root's start-up shortcuts: a current, seeded mirror skips Alembic and the importer."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import demo_config
from kiosk.seed import MARKER_KEY
from ui import app


def test_seed_marker_key_matches_kiosk_seed() -> None:
    assert app.SEED_MARKER_KEY == MARKER_KEY


def test_mirror_ready_only_when_migrated_and_seeded(tmp_path: Path) -> None:
    from kiosk.db import open_engine

    cfg = demo_config(tmp_path / "terminal")
    assert not app.mirror_ready(cfg), "no mirror yet"
    open_engine(cfg.db_path).dispose()
    assert not app.mirror_ready(cfg), "migrated but not seeded"
    app.open_mirror(cfg)
    assert app.mirror_ready(cfg)
    assert len(app.schema_heads()) == 1, "one Alembic head"
