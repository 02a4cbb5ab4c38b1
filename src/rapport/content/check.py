"""Validate all of the workshop's content: schema, scenario graphs, curriculum rules, notebooks."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from rapport.content.agenda import AGENDAS, check_agendas
from rapport.content.graph import check_scenario, duplicates, fewest_decisions
from rapport.content.loading import (
    ASSESSMENT,
    MANIFEST,
    ContentError,
    Problem,
    Source,
    exercises_dir,
    load_module,
    notebooks_dir,
    parse,
    read_yaml,
)
from rapport.content.schema import (
    Assessment,
    FacilitatorNotes,
    Manifest,
    Module,
)

NOTEBOOK_NAME = re.compile(r"^\d\d-[a-z0-9][a-z0-9-]*$")
MAX_CODE_LINES = 3
# Notebooks that are apps rather than modules: thin like the rest, with no module chrome.
APP_NOTEBOOKS = ("notebooks/join.ipynb", "notebooks/journal.ipynb", "facilitator/dashboard.ipynb")

# What every principle module offers (see CURRICULUM.md, "Anatomy of a module").
MIN_SCENARIOS = 2
MIN_DECISIONS = 3
MIN_CHOICES = 3
MIN_REFLECTIONS = 2
QUESTIONS = (2, 3)
OBJECTIVES = (3, 4)
KEY_POINTS = (3, 5)


def check_project(root: Path) -> list[Problem]:
    """Every problem in the project's content, in a stable order; empty when all is well."""
    problems: list[Problem] = []
    try:
        manifest_source = read_yaml(exercises_dir(root) / MANIFEST, root)
        manifest = parse(Manifest, manifest_source)
    except ContentError as err:
        return err.problems
    problems += _check_manifest(manifest, manifest_source, root)
    seeds = {(s.id, sec.id) for s in manifest.seeds for sec in s.sections}
    for module_id in manifest.modules:
        path = exercises_dir(root) / f"{module_id}.yaml"
        if path.exists():  # a missing file is reported by _check_manifest
            problems += check_module_file(path, root, seeds if manifest.seeds else None)
    for module_id in manifest.modules:
        notebook = notebooks_dir(root) / f"{module_id}.ipynb"
        if notebook.exists():
            problems += check_notebook(notebook, root)
    for rel in APP_NOTEBOOKS:
        if (root / rel).exists():
            problems += check_notebook(root / rel, root, chrome=False)
    problems += check_facilitator_notes(root, manifest)
    problems += check_assessment(root, manifest)
    if (root / AGENDAS).exists():
        try:
            problems += [Problem(AGENDAS, "", p) for p in check_agendas(root)]
        except ContentError as err:
            problems += err.problems
    return problems


def _valid_modules(root: Path, manifest: Manifest) -> list[Module]:
    """The manifest's modules that load; the others are reported with the module itself."""
    modules = []
    for module_id in manifest.modules:
        try:
            modules.append(load_module(module_id, root))
        except ContentError:
            continue
    return modules


def check_facilitator_notes(root: Path, manifest: Manifest) -> list[Problem]:
    """Every module has notes whose timing adds up and whose debriefs match its scenarios."""
    problems: list[Problem] = []
    for module in _valid_modules(root, manifest):
        module_id = module.id
        path = root / "facilitator" / f"{module_id}.yaml"
        if not path.exists():
            problems.append(
                Problem(f"facilitator/{module_id}.yaml", "", "facilitator notes are missing")
            )
            continue
        try:
            source = read_yaml(path, root)
            notes = parse(FacilitatorNotes, source)
        except ContentError as err:
            problems += err.problems
            continue
        if notes.module != module_id:
            problems.append(source.problem(("module",), f"should be {module_id!r}"))
        if notes.total_minutes != module.minutes.total:
            problems.append(
                source.problem(
                    ("timing",),
                    f"the timing plan adds up to {notes.total_minutes} minutes, but the "
                    f"module takes {module.minutes.total}",
                )
            )
        scenarios = [s.id for s in module.scenarios]
        if sorted(notes.debrief) != sorted(scenarios):
            problems.append(
                source.problem(
                    ("debrief",),
                    f"needs debrief questions for exactly the scenarios {', '.join(scenarios)}",
                )
            )
        if notes.situations and not any(a.kind == "pair" for a in module.activities):
            problems.append(
                source.problem(
                    ("situations",),
                    "the situations go on a slide beside a pair exercise, and this module "
                    "has none: add a pair activity or remove them",
                )
            )
    return problems


def check_assessment(root: Path, manifest: Manifest) -> list[Problem]:
    """Self-assessment items name principle modules, each with two or more, one reverse-keyed."""
    path = exercises_dir(root) / ASSESSMENT
    if not path.exists():
        return []
    try:
        source = read_yaml(path, root)
        assessment = parse(Assessment, source)
    except ContentError as err:
        return err.problems
    problems = duplicates(assessment.items, ("items",), source)
    principles = [m.id for m in _valid_modules(root, manifest) if m.kind == "principle"]
    for i, item in enumerate(assessment.items):
        if item.module not in principles:
            message = f"{item.module!r} is not a principle module in the manifest"
            problems.append(source.problem(("items", i, "module"), message))
    for module_id in principles:
        items = [item for item in assessment.items if item.module == module_id]
        if len(items) < 2 or not any(item.reverse for item in items):
            problems.append(
                source.problem(
                    ("items",),
                    f"module {module_id!r} needs two or more statements, one reverse-keyed",
                )
            )
    return problems


def check_module_file(
    path: Path, root: Path, seed_sections: set[tuple[str, str]] | None = None
) -> list[Problem]:
    """Every problem in one module's content file, named relative to ``root``."""
    try:
        source = read_yaml(path, root)
        module = parse(Module, source)
    except ContentError as err:
        return err.problems
    return check_module(module, source, seed_sections)


def _check_manifest(manifest: Manifest, source: Source, root: Path) -> list[Problem]:
    problems = []
    for module_id, count in Counter(manifest.modules).items():
        if count > 1:
            index = manifest.modules.index(module_id)
            problems.append(source.problem(("modules", index), f"duplicate id {module_id!r}"))
    listed = set(manifest.modules)
    for index, module_id in enumerate(manifest.modules):
        if not (exercises_dir(root) / f"{module_id}.yaml").exists():
            problems.append(
                source.problem(
                    ("modules", index),
                    f"module {module_id!r} has no content file exercises/{module_id}.yaml",
                )
            )
        if not (notebooks_dir(root) / f"{module_id}.ipynb").exists():
            problems.append(
                source.problem(
                    ("modules", index),
                    f"module {module_id!r} has no notebook notebooks/{module_id}.ipynb",
                )
            )
    for folder, suffix in ((notebooks_dir(root), ".ipynb"), (exercises_dir(root), ".yaml")):
        for path in sorted(folder.glob(f"*{suffix}")):
            stem = path.stem
            rel = path.relative_to(root).as_posix()
            if stem in listed or path.name in (MANIFEST, ASSESSMENT) or stem == "index":
                continue
            if rel in APP_NOTEBOOKS:
                continue
            if NOTEBOOK_NAME.match(stem):
                problems.append(Problem(rel, "", f"module {stem!r} is not in the manifest"))
            else:
                problems.append(Problem(rel, "", "file name does not follow the NN-slug pattern"))
    return problems


def check_module(
    module: Module, source: Source, seed_sections: set[tuple[str, str]] | None = None
) -> list[Problem]:
    """Problems inside one module: ids, scenario graphs, sources and curriculum minimums."""
    problems: list[Problem] = []
    expected_id = Path(source.name).stem
    if module.id != expected_id:
        problems.append(
            source.problem(
                ("id",), f"id {module.id!r} does not match the file name {expected_id!r}"
            )
        )
    for field in ("scenarios", "reflections", "activities"):
        problems += duplicates(getattr(module, field), (field,), source)
    if seed_sections is not None:
        for i, src in enumerate(module.sources):
            if (src.seed, src.section) not in seed_sections:
                problems.append(
                    source.problem(
                        ("sources", i),
                        f"seed {src.seed} has no section {src.section!r} in the manifest",
                    )
                )
    for i, scenario in enumerate(module.scenarios):
        problems += check_scenario(scenario, ("scenarios", i), source)
    if module.kind == "principle":
        problems += _check_minimums(module, source)
    return problems


def _check_minimums(module: Module, source: Source) -> list[Problem]:
    problems = []

    def need(ok: bool, loc: tuple, message: str) -> None:
        if not ok:
            problems.append(source.problem(loc, message))

    low, high = QUESTIONS
    need(
        low <= len(module.questions) <= high,
        ("questions",),
        f"needs {low}-{high} guiding questions",
    )
    low, high = OBJECTIVES
    need(low <= len(module.objectives) <= high, ("objectives",), f"needs {low}-{high} objectives")
    low, high = KEY_POINTS
    need(low <= len(module.key_points) <= high, ("key_points",), f"needs {low}-{high} key points")
    need(bool(module.sources), ("sources",), "needs the seed sections it draws on")
    need(
        len(module.scenarios) >= MIN_SCENARIOS,
        ("scenarios",),
        f"needs at least {MIN_SCENARIOS} scenarios",
    )
    need(
        len(module.reflections) >= MIN_REFLECTIONS,
        ("reflections",),
        f"needs at least {MIN_REFLECTIONS} reflection prompts",
    )
    need(bool(module.activities), ("activities",), "needs at least one group activity")
    need(module.challenge is not None, ("challenge",), "needs a practice challenge")
    problems += _teaching(module, source)
    for s, scenario in enumerate(module.scenarios):
        loc = ("scenarios", s)
        ids = {n.id for n in scenario.nodes}
        if scenario.start in ids and all(
            r.to in ids for n in scenario.nodes for c in n.choices for r in c.routes
        ):
            decisions = fewest_decisions(scenario)
            need(
                decisions >= MIN_DECISIONS,
                loc,
                f"scenario {scenario.id!r}: its shortest path has {decisions} decisions; "
                f"every path needs at least {MIN_DECISIONS}",
            )
        for n, node in enumerate(scenario.nodes):
            need(
                node.is_ending or len(node.choices) >= MIN_CHOICES,
                (*loc, "nodes", n, "choices"),
                f"scenario {scenario.id!r}: node {node.id!r} needs at least {MIN_CHOICES} choices",
            )
    return problems


def _teaching(module: Module, source: Source) -> list[Problem]:
    """What a principle module needs to teach a skill: the skill, its drill, the idea as slides,
    a version of every pair exercise for a learner alone, and journal questions after every
    role-play. Warnings for now: ``rapport check --strict`` makes them errors."""
    found = []

    def want(ok: bool, loc: tuple, message: str) -> None:
        if not ok:
            found.append(source.problem(loc, message, warning=True))

    want(module.skill is not None, ("skill",), "needs a skill (see exercises/README.md)")
    want(module.drill is not None, ("drill",), "needs a drill that practises its skill")
    want(module.idea is not None, ("idea",), "needs the idea as short slides, and its story")
    for a, activity in enumerate(module.activities):
        if activity.kind == "pair":
            want(
                activity.solo is not None,
                ("activities", a),
                f"pair exercise {activity.id!r} needs a solo version for a learner alone",
            )
    for s, scenario in enumerate(module.scenarios):
        want(
            bool(scenario.debrief.questions),
            ("scenarios", s, "debrief"),
            f"scenario {scenario.id!r} needs one or two debrief questions for the journal",
        )
    return found


def check_notebook(path: Path, root: Path, chrome: bool = True) -> list[Problem]:
    """A notebook stays thin: short code cells, no definitions, chrome in step with content."""
    from rapport.content.chrome import stale_chrome

    rel = path.relative_to(root).as_posix()
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        return [Problem(rel, "", f"not a readable notebook ({err})")]
    problems = []
    for i, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        lines = [line for line in source.splitlines() if line.strip()]
        if len(lines) > MAX_CODE_LINES:
            problems.append(
                Problem(
                    rel,
                    f"cells[{i}]",
                    f"code cell has {len(lines)} lines; keep it to {MAX_CODE_LINES}",
                )
            )
        if re.search(r"^\s*(def|class|async def)\s", source, re.MULTILINE):
            problems.append(
                Problem(rel, f"cells[{i}]", "defines a function or class; put it in the package")
            )
    if chrome:
        problems += [Problem(rel, place, m) for place, m in stale_chrome(path, root)]
    return problems
