"""The house rules between packages: the core imports no Qt and no HTTP; sync/printing import no Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "kiosk": ("PySide6", "shiboken6", "httpx", "fastapi", "uvicorn", "starlette", "sync", "ui", "printing"),
    "sync": ("PySide6", "shiboken6", "ui"),
    "printing": ("PySide6", "shiboken6", "ui", "httpx"),
}
# Modules allowed to break the rule, each with its reason.
ALLOWED = {
    # the composition root wires ui, sync and printing together
    "kiosk/cli/__init__.py",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_layering(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED or "/migrations/" in rel:
            continue
        bad = _imports(path) & set(FORBIDDEN[package])
        if bad:
            offenders.append(f"{rel}: {', '.join(sorted(bad))}")
    assert not offenders, "layering broken:\n" + "\n".join(offenders)
