"""Fixtures for the touch-screen tests: one seeded demo mirror per session, a running kiosk shell, and
helpers that find items by objectName and tap them like a finger would (a press and release at the
item's centre)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from uishell import Shell

from kiosk.config import Config, demo_config


@pytest.fixture(scope="session")
def demo_cfg(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The demo terminal (万宝镇) on a mirror seeded once from the demo content pack."""
    from ui.app import open_mirror

    cfg = demo_config(tmp_path_factory.mktemp("kiosk-ui") / "terminal")
    open_mirror(cfg)
    return cfg


@pytest.fixture
def make_shell(qtbot: Any, demo_cfg: Config) -> Iterator[Callable[..., Shell]]:
    from ui.app import KioskApp

    apps: list[Any] = []

    def start(width: int = 1920, height: int = 1080, cfg: Config | None = None, **initial: Any) -> Shell:
        app = KioskApp(cfg or demo_cfg, initial={"fullscreen": False, "width": width, "height": height, **initial})
        apps.append(app)
        app.load()
        shell = Shell(app, qtbot)
        shell.wait(lambda: app.window.property("homeReady"), timeout=15_000)
        return shell

    yield start
    for app in apps:
        app.shutdown()


@pytest.fixture
def shell(make_shell: Callable[..., Shell]) -> Shell:
    return make_shell()


def elapsed_ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def data_path(cfg: Config) -> Path:
    return cfg.data_dir
