"""The package's layers: imports flow one way, views never reach the database, and the names
with structure (activity references, environment settings) each live in one module."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# Lowest first. A module may import its own layer and the layers before it, never one after.
LAYERS = (
    ("base", ("rapport._lazy", "rapport.settings", "rapport.errors")),
    ("content", ("rapport.content",)),
    ("logic: the course", ("rapport.course",)),
    ("logic: the room", ("rapport.room",)),
    ("store", ("rapport.store",)),
    ("render", ("rapport.render",)),
    ("outputs", ("rapport.outputs",)),
    ("widgets", ("rapport.widgets",)),
    ("pages", ("rapport.pages",)),
    ("serving", ("rapport.serving",)),
    ("command line", ("rapport.cli",)),
    ("facade", ("rapport",)),
)
# Third-party packages only some layers may use.
ONLY_IN = {
    "sqlalchemy": ("store",),
    "ipywidgets": ("widgets", "pages"),
    "voila": ("serving",),
    "jupyter_server": ("serving",),
}


def layer_of(module: str) -> int | None:
    """The index of the layer a ``rapport`` module belongs to (the longest prefix wins)."""
    best, found = -1, None
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    return found


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, src: Path) -> list[tuple[int, str]]:
    """(line, module) for every import anywhere in the file, functions included."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                # ``from rapport import settings`` imports the module rapport.settings
                sub = f"{node.module}.{alias.name}"
                is_module = (src / Path(*sub.split("."))).with_suffix(".py").exists() or (
                    src / Path(*sub.split("."))
                ).is_dir()
                found.append((node.lineno, sub if is_module else node.module))
    return found


def layer_violations(src: Path) -> list[str]:
    """Every import in ``src/rapport`` that goes up a layer, or uses a package its layer may not."""
    problems = []
    for path in sorted((src / "rapport").rglob("*.py")):
        here = module_name(path, src)
        mine = layer_of(here)
        assert mine is not None, f"{here} belongs to no layer: add it to LAYERS"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, target in imported(tree, src):
            where = f"{path.relative_to(src)}:{line}"
            top = target.split(".")[0]
            if top == "rapport":
                theirs = layer_of(target)
                if theirs is not None and theirs > mine:
                    problems.append(
                        f"{where}: {here} ({LAYERS[mine][0]}) imports {target} "
                        f"({LAYERS[theirs][0]}), a higher layer"
                    )
            elif top in ONLY_IN and LAYERS[mine][0] not in ONLY_IN[top]:
                allowed = " and ".join(ONLY_IN[top])
                problems.append(f"{where}: {here} imports {top}, which only {allowed} may use")
    return problems


def test_imports_flow_one_way_through_the_layers():
    assert layer_violations(SRC) == []


def test_the_layer_test_catches_an_upward_import(tmp_path):
    shutil.copytree(SRC / "rapport", tmp_path / "rapport")
    rooms = tmp_path / "rapport" / "store" / "rooms.py"
    rooms.write_text(
        rooms.read_text(encoding="utf-8") + "\n\ndef _view():\n"
        "    from rapport.widgets.room import ParticipantApp\n\n    return ParticipantApp\n",
        encoding="utf-8",
    )
    journal = tmp_path / "rapport" / "widgets" / "reflection.py"
    journal.write_text(
        "from sqlalchemy import select\n" + journal.read_text(encoding="utf-8"), encoding="utf-8"
    )
    found = layer_violations(tmp_path)
    assert len(found) == 2
    assert "rapport.store.rooms (store) imports rapport.widgets.room (widgets)" in found[0]
    assert found[1].startswith("rapport/widgets/reflection.py:1: rapport.widgets.reflection")
    assert "imports sqlalchemy, which only store may use" in found[1]


@pytest.mark.parametrize("name", ["rapport.widgets.room", "rapport.store", "rapport.settings"])
def test_every_module_has_a_layer(name):
    assert layer_of(name) is not None


def test_no_view_imports_sqlalchemy():
    views = [SRC / "rapport" / folder for folder in ("widgets", "pages", "render")]
    for path in (p for folder in views for p in folder.rglob("*.py")):
        assert "sqlalchemy" not in path.read_text(encoding="utf-8"), path.name


def strings(path: Path) -> list[str]:
    """The string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def test_activity_reference_prefixes_are_written_in_one_module_only():
    prefix = re.compile(r"^(play|vote|shared|none|activity|rating):")
    owners = {
        path.relative_to(SRC).as_posix()
        for path in (SRC / "rapport").rglob("*.py")
        if any(prefix.match(s) for s in strings(path))
    }
    assert owners <= {"rapport/room/refs.py"}


def test_environment_settings_are_named_in_one_module():
    env_name = re.compile(r"^(RAPPORT|VOILA|HTTP_X)_[A-Z_]+$")
    for path in (SRC / "rapport").rglob("*.py"):
        if path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert [s for s in strings(path) if env_name.match(s)] == [], path
        assert "os.environ.get(" not in text and "os.getenv(" not in text, path


def test_modules_stay_small():
    sizes = {
        path.relative_to(SRC).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in (SRC / "rapport").rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 420} == {}
