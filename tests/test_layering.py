"""The house rules between packages: the core imports no Qt and no HTTP; sync/printing import no Qt;
ui/ runs no SQL and no HTTP outside its adapters; and no module imports itself in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "kiosk": ("PySide6", "shiboken6", "httpx", "fastapi", "uvicorn", "starlette", "sync", "ui", "printing"),
    "sync": ("PySide6", "shiboken6", "ui"),
    "printing": ("PySide6", "shiboken6", "ui", "httpx"),
    "ui": ("sqlalchemy", "sqlite3", "httpx"),
}
# Modules allowed to break the rule, each with its reason.
ALLOWED = {
    # the adapters implement ui.ports over the core (sessions handed to them by the DB worker)
    "ui/adapters.py",
    # the DB worker owns the mirror's engines and gives each job its session
    "ui/worker.py",
}


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks (imports for type hints only)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside.update(id(n) for n in ast.walk(child))
    return inside


def _imports(path: Path) -> set[str]:
    """Top-level names imported at run time (anywhere in the module, not for type hints only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hints = _type_checking_blocks(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in hints:
            continue
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


PACKAGES = ("kiosk", "sync", "printing", "ui")


def _module_graph() -> dict[str, set[str]]:
    """Every module of our packages and the modules of ours it imports (anywhere in it, type hints too)."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
                # "from pkg import sub" depends on the submodule (a package's own __init__ importing its
                # submodules is not a cycle: Python imports the package first by design)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                found = resolve(target)
                if found and found != module:
                    graph[module].add(found)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_between_our_modules() -> None:
    cycles = _cycles(_module_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" ⇄ ".join(sorted(c)) for c in cycles)


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


# -- no import by string ----------------------------------------------------------------------------------
# Reaching a module by its name as a string hides the dependency from the checks above. Packages add to the
# core through entry points declared in pyproject.toml (kiosk/plugins.py), which the tests below check.
STRING_IMPORTERS = {"import_module", "__import__", "find_spec", "spec_from_file_location", "run_module"}
STRING_IMPORT_ALLOWED: dict[str, str] = {}  # module -> reason (none needed today)


def _string_imports(path: Path) -> list[str]:
    """``name(...)`` calls of the string importers in ``path``, as ``line: call``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in STRING_IMPORTERS:
                found.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
        elif isinstance(node, ast.ImportFrom) and node.module == "importlib" and node.level == 0:
            found += [f"{node.lineno}: from importlib import {a.name}" for a in node.names if a.name != "metadata"]
        elif isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if a.name in ("importlib", "runpy")]
    return found


def test_no_module_of_ours_is_imported_by_string() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel in STRING_IMPORT_ALLOWED:
                continue
            offenders += [f"{rel}:{hit}" for hit in _string_imports(path)]
    assert not offenders, "import by string (declare an entry point in pyproject.toml instead):\n" + "\n".join(
        offenders
    )


def test_the_string_import_check_finds_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('import importlib\nmod = importlib.import_module("sync.http")\nx = __import__("ui")\n')
    assert len(_string_imports(bad)) == 3


def _entry_points() -> dict[str, dict[str, str]]:
    import tomllib

    table = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {g: dict(e) for g, e in table["project"]["entry-points"].items() if g.startswith("zwgk_kiosk.")}


def _module_path(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def test_every_entry_point_names_a_real_module_and_function_of_ours() -> None:
    from kiosk import plugins

    groups = _entry_points()
    assert set(groups) == set(plugins.GROUPS)
    wrong = []
    for group, entries in groups.items():
        for name, value in entries.items():
            module, _, attr = value.partition(":")
            path = _module_path(module)
            if module.split(".")[0] not in PACKAGES or path is None:
                wrong.append(f"{group} {name}: no module {module}")
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
            if attr and attr not in defined:
                wrong.append(f"{group} {name}: {module} defines no {attr}")
            if not attr and not {"add_arguments", "run"} <= defined:
                wrong.append(f"{group} {name}: {module} lacks add_arguments/run")
    assert not wrong, "\n".join(wrong)


def test_what_the_core_offers_others_is_what_they_register() -> None:
    """The command line and the self-test list every entry point, the core's and the other packages'."""
    from kiosk import plugins
    from kiosk.cli import commands

    groups = _entry_points()
    assert commands() == list(groups[plugins.COMMANDS])
    assert {"sync", "enrol", "run", "screenshot"} <= set(commands())  # registered by sync/ and ui/
    assert [e.value for e in plugins.declared(plugins.SELFTEST_CHECKS)] == list(
        groups[plugins.SELFTEST_CHECKS].values()
    )
    assert "printing.selftest:check_printers" in groups[plugins.SELFTEST_CHECKS].values()
    assert "sync.selftest:check_server" in groups[plugins.SELFTEST_CHECKS].values()
