"""The composition root's start-up shortcuts: a current, seeded mirror skips Alembic and the importer."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import Config, demo_config
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


def test_sync_loop_joins_only_a_terminal_with_a_server(qapp: object, demo_cfg: Config) -> None:
    import dataclasses
    import time

    from ui.app import KioskApp

    app_without = KioskApp(demo_cfg, initial={"fullscreen": False})
    assert app_without.sync_loop is None
    app_without.shutdown()

    with_server = dataclasses.replace(
        demo_cfg,
        server=dataclasses.replace(demo_cfg.server, url="https://127.0.0.1:9", token="t", trust_key="district.pem"),
    )
    app = KioskApp(with_server, initial={"fullscreen": False})
    assert app.sync_loop is not None
    app.start_background()
    time.sleep(0.5)  # a run against a closed port fails and backs off; stopping must not hang
    t0 = time.perf_counter()
    app.shutdown()
    assert time.perf_counter() - t0 < 20


def test_nothing_starts_printing_after_shutdown(qtbot: object, tmp_path: Path) -> None:
    # An app shut down at once (as here, or a terminal told to stop during start-up) still had the start
    # of its print service queued for the UI thread: it started afterwards, outlived the app, and its
    # worker printed the next app's jobs from the same queue to the wrong printers (a test whose document
    # job failed on "a printer no longer configured" while its screen waited for an answer that went to
    # the dead app).
    import threading

    from ui.app import KioskApp

    def workers() -> int:
        return sum(t.name == "print-worker" and t.is_alive() for t in threading.enumerate())

    before = workers()
    app = KioskApp(demo_config(tmp_path / "terminal"), initial={"fullscreen": False})
    app.shutdown()
    qtbot.wait(3000)  # type: ignore[attr-defined]  # the queued start-up steps are delivered now
    assert app.printing.peek() is None
    assert workers() == before
