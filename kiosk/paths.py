"""Where the kiosk's bundled resources live, from source and from a frozen PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def app_root() -> Path:
    """The folder holding ``assets/`` and ``ui/``: the checkout, or the unpacked bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def assets_dir() -> Path:
    return app_root() / "assets"


def font_path(weight: str = "Regular") -> Path:
    """The bundled CJK font (Noto Sans SC, static instance, GBK + supplementary plane)."""
    return assets_dir() / "fonts" / f"NotoSansSC-{weight}.ttf"


def demo_dir() -> Path:
    return assets_dir() / "demo"


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent / "migrations"
