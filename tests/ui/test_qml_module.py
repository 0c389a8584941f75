"""The QML module declares every type it has: each file of ``ui/qml/Kiosk`` (``Main.qml`` at its root, the
rest in ``pages/``, ``wizard/``, ``controls/`` and ``singletons/``) is in its ``qmldir`` under its path in the
module (the singletons as singletons), so qmllint and the engine see the same module."""

from __future__ import annotations

from pathlib import Path

MODULE = Path(__file__).resolve().parents[2] / "ui" / "qml" / "Kiosk"
FOLDERS = {"pages", "wizard", "controls", "singletons"}


def _declared() -> dict[str, bool]:
    """path in the module (``pages/HomePage.qml``) -> declared as a singleton"""
    out: dict[str, bool] = {}
    for line in (MODULE / "qmldir").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and parts[-1].endswith(".qml"):
            out[parts[-1]] = parts[0] == "singleton"
    return out


def _files() -> list[Path]:
    return sorted(MODULE.rglob("*.qml"))


def _name(path: Path) -> str:
    return path.relative_to(MODULE).as_posix()


def test_every_qml_file_is_declared_in_qmldir() -> None:
    files = {_name(p) for p in _files()}
    declared = _declared()
    assert len(files) > 50  # the glob reaches into the subfolders
    assert sorted(files - declared.keys()) == [], "add these to ui/qml/Kiosk/qmldir"
    assert sorted(declared.keys() - files) == [], "qmldir names files that do not exist"


def test_files_sit_in_the_folder_of_their_kind() -> None:
    for path in _files():
        rel = path.relative_to(MODULE)
        if rel.parent == Path("."):
            assert rel.name == "Main.qml", f"{rel}: only Main.qml stays at the module root"
            continue
        assert len(rel.parts) == 2 and rel.parts[0] in FOLDERS, f"{rel}: put it in one of {sorted(FOLDERS)}"
        is_singleton = "pragma Singleton" in path.read_text(encoding="utf-8")
        assert (rel.parts[0] == "singletons") == is_singleton, f"{rel}: singletons, and only they, go in singletons/"


def test_singletons_are_declared_as_singletons() -> None:
    declared = _declared()
    for path in _files():
        is_singleton = "pragma Singleton" in path.read_text(encoding="utf-8")
        name = _name(path)
        assert declared.get(name) == is_singleton, f"{name}: singleton in the file and in qmldir must agree"
