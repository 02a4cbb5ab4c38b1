"""Find and load the workshop's content files, reporting problems by file, place and line."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from rapport import settings
from rapport.content.schema import Assessment, Manifest, Module
from rapport.errors import RapportError

MANIFEST = "manifest.yaml"
ASSESSMENT = "self-assessment.yaml"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, located as precisely as we can.

    A warning is something to fix that does not stop the content from working (the
    transparency checks of role-plays); ``rapport check --strict`` treats it as an error.
    """

    file: str
    place: str
    message: str
    line: int | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        place = f"{self.place}: " if self.place else ""
        text = f"{where}: {place}{self.message}"
        return f"warning: {text}" if self.warning else text


class ContentError(RapportError):
    """Content that cannot be used; ``problems`` says what and where."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def project_root() -> Path:
    """The folder holding ``exercises/`` and ``notebooks/``.

    ``RAPPORT_HOME`` wins; then the checkout this package was installed from; then the
    nearest folder above the working directory that has ``exercises/manifest.yaml``.
    """
    if home := settings.home():
        return home
    candidates = [Path(__file__).resolve().parents[3], *Path.cwd().resolve().parents]
    candidates.insert(1, Path.cwd().resolve())
    for folder in candidates:
        if (folder / "exercises" / MANIFEST).is_file():
            return folder
    raise ContentError(
        [
            Problem(
                "exercises/" + MANIFEST,
                "",
                f"the workshop's content was not found; set {settings.HOME} to the folder "
                "that holds exercises/ and notebooks/",
            )
        ]
    )


def place_of(loc: tuple[int | str, ...]) -> str:
    """``('scenarios', 0, 'nodes', 2, 'says')`` -> ``scenarios[0].nodes[2].says``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line in the YAML source of the value at ``loc``, or of its nearest parent."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            if match is None:
                continue  # a key pydantic adds (e.g. a union tag) or a missing field
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


# libyaml's parser when PyYAML was built with it (the wheels are): about ten times faster than
# the pure-Python one, which matters because every page's kernel reads content as it starts.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Source:
    """A parsed YAML file: its data, its text and its name.

    The node tree that gives line numbers is built only when a problem is reported: valid
    content, read at every page start, never needs it.
    """

    name: str
    data: Any
    text: str = ""

    @cached_property
    def tree(self) -> yaml.Node | None:
        return yaml.compose(self.text, Loader=_LOADER) if self.text else None

    def problem(self, loc: tuple[int | str, ...], message: str, warning: bool = False) -> Problem:
        return Problem(self.name, place_of(loc), message, line_of(self.tree, loc), warning)


def read_yaml(path: Path, root: Path) -> Source:
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError([Problem(name, "", "file not found")]) from None
    except UnicodeDecodeError as err:
        raise ContentError([Problem(name, "", f"not valid UTF-8 text ({err.reason})")]) from None
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(err, "problem", None) or str(err)
        raise ContentError([Problem(name, "", f"not valid YAML: {reason}", line)]) from None
    return Source(name, data, text)


def parse(model: type[M], source: Source) -> M:
    """Validate ``source`` against ``model``; raise ContentError naming every problem."""
    if not isinstance(source.data, dict):
        raise ContentError([Problem(source.name, "", "expected a mapping of fields at the top")])
    try:
        return model.model_validate(source.data)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            loc = tuple(e["loc"])
            message = "required field is missing" if e["type"] == "missing" else e["msg"]
            if e["type"] == "extra_forbidden":
                message = "unknown field (check its spelling)"
            problems.append(source.problem(loc, message))
        raise ContentError(problems) from None


def exercises_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "exercises"


def notebooks_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "notebooks"


def load_manifest(root: Path | None = None) -> Manifest:
    root = root or project_root()
    return _cached(Manifest, exercises_dir(root) / MANIFEST, root)


def load_module(module_id: str, root: Path | None = None) -> Module:
    """The validated content of one module, e.g. ``load_module("05-listen")``."""
    root = root or project_root()
    return _cached(Module, exercises_dir(root) / f"{module_id}.yaml", root)


def load_assessment(root: Path | None = None) -> Assessment:
    """The self-assessment statements (``exercises/self-assessment.yaml``)."""
    root = root or project_root()
    return _cached(Assessment, exercises_dir(root) / ASSESSMENT, root)


def load_facilitator_notes(module_id: str, root: Path | None = None):
    """The facilitator's notes for a module (``facilitator/NN-slug.yaml``), or None if absent."""
    from rapport.content.schema import FacilitatorNotes

    root = root or project_root()
    path = root / "facilitator" / f"{module_id}.yaml"
    return _cached(FacilitatorNotes, path, root) if path.exists() else None


def _cached(model: type[M], path: Path, root: Path) -> M:
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        stamp = -1
    return _load(model, path, root, stamp)


@lru_cache(maxsize=64)
def _load(model: type[M], path: Path, root: Path, stamp: int) -> M:
    # ``stamp`` is the file's mtime, so an edited file is read again.
    return parse(model, read_yaml(path, root))
