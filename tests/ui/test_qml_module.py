"""The QML module declares every type it has: each file of ``ui/qml/Kiosk`` is in its ``qmldir`` (the
singletons as singletons), so qmllint and the engine see the same module."""

from __future__ import annotations

from pathlib import Path

MODULE = Path(__file__).resolve().parents[2] / "ui" / "qml" / "Kiosk"


def _declared() -> dict[str, bool]:
    """file name -> declared as a singleton"""
    out: dict[str, bool] = {}
    for line in (MODULE / "qmldir").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and parts[-1].endswith(".qml"):
            out[parts[-1]] = parts[0] == "singleton"
    return out


def test_every_qml_file_is_declared_in_qmldir() -> None:
    files = {p.name for p in MODULE.glob("*.qml")}
    declared = _declared()
    assert sorted(files - declared.keys()) == [], "add these to ui/qml/Kiosk/qmldir"
    assert sorted(declared.keys() - files) == [], "qmldir names files that do not exist"


def test_singletons_are_declared_as_singletons() -> None:
    declared = _declared()
    for path in MODULE.glob("*.qml"):
        is_singleton = "pragma Singleton" in path.read_text(encoding="utf-8")
        assert declared.get(path.name) == is_singleton, f"{path.name}: singleton in the file and in qmldir must agree"
