"""Lint the kiosk's QML with pyside6-qmllint against a committed baseline that may only shrink.

    .venv/bin/python scripts/qmllint.py            check (scripts/check runs this)
    .venv/bin/python scripts/qmllint.py --update   rewrite the baseline from the current warnings

First the Python types QML sees (``Kiosk.Backend``: every ``@QmlElement`` in ``ui/``) are described for
qmllint: ``pyside6-metaobjectdump`` reads the view-models, ``pyside6-qmltyperegistrar`` writes
``build/qmltypes/Kiosk/Backend/backend.qmltypes`` and a ``qmldir`` beside it. Then every file of
``ui/qml/Kiosk`` (the module root and its subfolders) is linted with those types and Qt's own.

The baseline (``scripts/qmllint-baseline.tsv``) holds one line per warning still accepted: the file, the
qmllint warning id, the source text it points at, and a reason category (see :data:`REASONS`). Line
numbers are left out so that editing a file does not invalidate its entries. The check counts per file
and warning id: it fails when a file has more warnings of an id than the baseline lists (moving a
warning to another token by an edit is not a new one); warnings that went away are reported so the
baseline can be shrunk with ``--update``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QML_DIR = ROOT / "ui" / "qml"
MODULE_DIR = QML_DIR / "Kiosk"
BASELINE = ROOT / "scripts" / "qmllint-baseline.tsv"
TYPES_DIR = ROOT / "build" / "qmltypes"
BIN = Path(sys.executable).parent

# Why a kind of warning is still accepted (the baseline's last column); every entry names one of these.
REASONS = {
    "scope": "unqualified access to an outer scope or a delegate's model data: wants pragma "
    "ComponentBehavior: Bound with required properties (screen by screen, with the screens' owner)",
    "untyped": "a member of an object qmllint only knows as QObject/QQuickItem (a property typed var/Item, "
    "Qt.inputMethod, a parent found at run time)",
    "js": "JavaScript style qmllint flags (var in a block)",
    "qmldir": "how the module is declared to qmllint",
    "imports": "an import the file does not use",
    "other": "anything else qmllint reports",
}
CATEGORY_OF = {
    "unqualified": "scope",
    "missing-property": "untyped",
    "block-scope-var-declaration": "js",
    "import": "qmldir",
    "unused-imports": "imports",
}

Entry = tuple[str, str, str]  # (file, qmllint id, source text)
# Modules with no QML type of their own whose classes QML types derive from (the dump must see the chain).
QML_BASES = ("listmodel.py",)


def generate_qmltypes(out_dir: Path = TYPES_DIR) -> Path:
    """Describe Kiosk.Backend for qmllint; returns the import path holding it."""
    qt = Path(__import__("PySide6").__file__).parent / "Qt" / "metatypes"
    sources = sorted(
        str(p)
        for p in (ROOT / "ui").glob("*.py")
        if "@QmlElement" in p.read_text(encoding="utf-8") or p.name in QML_BASES
    )
    backend = out_dir / "Kiosk" / "Backend"
    backend.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "backend_metatypes.json"
        _run([str(BIN / "pyside6-metaobjectdump"), "-o", str(dump), *sources])
        foreign = ",".join(str(qt / f"qt6{m}_metatypes.json") for m in ("core", "qml"))
        _run(
            [
                str(BIN / "pyside6-qmltyperegistrar"),
                "--generate-qmltypes",
                str(backend / "backend.qmltypes"),
                "-o",
                str(Path(tmp) / "registrations.cpp"),
                "--import-name",
                "Kiosk.Backend",
                "--major-version",
                "1",
                "--minor-version",
                "0",
                f"--foreign-types={foreign}",
                str(dump),
            ]
        )
    (backend / "qmldir").write_text("module Kiosk.Backend\ntypeinfo backend.qmltypes\n", encoding="utf-8")
    return out_dir


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    noise = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    if done.returncode != 0 or noise:
        raise SystemExit(f"{Path(cmd[0]).name} failed ({done.returncode}):\n" + "\n".join(noise))


def lint(types: Path) -> list[Entry]:
    """Every warning qmllint reports for the module's files, as baseline entries."""
    files = sorted(MODULE_DIR.rglob("*.qml"))
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "qmllint.json"
        cmd = [str(BIN / "pyside6-qmllint"), "--json", str(report), "-I", str(types), "-I", str(QML_DIR)]
        subprocess.run([*cmd, *map(str, files)], cwd=ROOT, capture_output=True, text=True, check=False)
        data = json.loads(report.read_text(encoding="utf-8"))
    entries: list[Entry] = []
    for result in data["files"]:
        path = Path(result["filename"])
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        for w in result.get("warnings", []):
            start, length = int(w.get("charOffset", 0)), int(w.get("length", 0))
            source = " ".join(text[start : start + length].split())[:60] or w.get("message", "").splitlines()[0]
            entries.append((_module_path(path), str(w.get("id", "")), source))
    return sorted(entries)


def _module_path(path: Path) -> str:
    """A file as the baseline names it: its path inside the module (``pages/HomePage.qml``, ``Main.qml``)."""
    try:
        return path.resolve().relative_to(MODULE_DIR).as_posix()
    except ValueError:
        return path.name


def read_baseline(path: Path = BASELINE) -> Counter[Entry]:
    found: Counter[Entry] = Counter()
    if not path.is_file():
        return found
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4 or parts[3] not in REASONS:
            raise SystemExit(f"{path.name}:{n}: want file<TAB>id<TAB>source<TAB>reason ({', '.join(REASONS)})")
        found[(parts[0], parts[1], parts[2])] += 1
    return found


def write_baseline(entries: list[Entry], path: Path = BASELINE) -> None:
    lines = [
        "# pyside6-qmllint warnings still accepted, one line per warning (scripts/qmllint.py; may only shrink).",
        "# file\tqmllint id\tsource text\treason category:",
        *(f"#   {key}: {why}" for key, why in REASONS.items()),
    ]
    lines += [f"{f}\t{i}\t{s}\t{CATEGORY_OF.get(i, 'other')}" for f, i, s in entries]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the baseline from the current warnings")
    args = parser.parse_args(argv)
    entries = lint(generate_qmltypes())
    current = Counter(entries)
    by_kind = Counter(CATEGORY_OF.get(i, "other") for _f, i, _s in entries)
    summary = ", ".join(f"{k} {n}" for k, n in by_kind.most_common())
    if args.update:
        write_baseline(entries)
        print(f"qmllint: baseline rewritten with {len(entries)} warning(s) ({summary})")
        return 0
    baseline = read_baseline()
    # counted per file and warning id: an edit that moves a warning to another token is not a new one
    per_kind = Counter((f, i) for f, i, _s in current.elements())
    allowed = Counter((f, i) for f, i, _s in baseline.elements())
    grown = per_kind - allowed
    for f, i in sorted(grown):
        seen = sorted(
            {s for ff, ii, s in current if (ff, ii) == (f, i)} - {s for ff, ii, s in baseline if (ff, ii) == (f, i)}
        )
        print(f"qmllint: {f}: {grown[(f, i)]} more '{i}' than the baseline allows (new: {', '.join(seen) or '?'})")
    fixed = sum((allowed - per_kind).values())
    if fixed:
        print(f"qmllint: {fixed} fewer warning(s) than the baseline: shrink it with scripts/qmllint.py --update")
    print(f"qmllint: {len(entries)} warning(s) ({summary}); baseline {sum(baseline.values())}")
    return 1 if grown else 0


if __name__ == "__main__":
    sys.exit(main())
