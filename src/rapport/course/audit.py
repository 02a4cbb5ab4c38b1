"""Checks that need the scenario engine: each scenario's test plans, and the transparency checks
that keep role-plays from being quizzes.

Plans are always errors: a plan that fails, or an ending no plan reaches. The transparency
findings (length tells, conversations that do not branch, paths too short, debrief lines that
can never hold, decision points with no helpful option) are warnings, errors with ``--strict``.
Their thresholds live in :data:`THRESHOLDS`, here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rapport.content.loading import (
    MANIFEST,
    ContentError,
    Problem,
    Source,
    exercises_dir,
    parse,
    read_yaml,
)
from rapport.content.scenarios import Scenario, conditions
from rapport.content.schema import Manifest, Module
from rapport.course.paths import walk
from rapport.course.scenario import ScenarioRun, all_hold


@dataclass(frozen=True)
class Thresholds:
    """How far a module's role-plays may go before the transparency checks speak up."""

    longest_helpful: float = 0.40  # share of decision points where the helpful option is longest
    length_ratio: float = 2.0  # no option more than this many times as long as another
    branching: float = 0.5  # share of decision points whose choices lead to different nodes
    shortest_path: int = 4  # decisions on the shortest path, at least
    longest_path: int = 5  # decisions on the longest path, at least
    names_skill: float = 0.5  # share of helpful and mixed coaching that names the skill


THRESHOLDS = Thresholds()


def audit_project(root: Path, thresholds: Thresholds = THRESHOLDS) -> list[Problem]:
    """Plans and transparency findings for every module the manifest lists."""
    try:
        manifest = parse(Manifest, read_yaml(exercises_dir(root) / MANIFEST, root))
    except ContentError:
        return []  # reported by the content checks
    problems: list[Problem] = []
    for module_id in manifest.modules:
        path = exercises_dir(root) / f"{module_id}.yaml"
        try:
            source = read_yaml(path, root)
            module = parse(Module, source)
        except ContentError:
            continue  # reported by the content checks
        problems += audit_module(module, source, thresholds)
    return problems


def audit_module(
    module: Module, source: Source, thresholds: Thresholds = THRESHOLDS
) -> list[Problem]:
    problems: list[Problem] = []
    for s, scenario in enumerate(module.scenarios):
        loc = ("scenarios", s)
        if not _runnable(scenario):
            continue  # its structural problems are reported by the content checks
        problems += check_plans(scenario, loc, source)
        problems += transparency(scenario, loc, source, thresholds)
    problems += longest_helpful(module, source, thresholds)
    problems += names_the_skill(module, source, thresholds)
    return problems


def _runnable(scenario: Scenario) -> bool:
    ids = {node.id for node in scenario.nodes}
    return scenario.start in ids and all(
        route.to in ids for node in scenario.nodes for c in node.choices for route in c.routes
    )


# -- plans -----------------------------------------------------------------------------------
def run_plan(scenario: Scenario, plan) -> list[str]:
    """What does not hold of ``plan`` (nothing: it passes)."""
    run = ScenarioRun(scenario)
    for number, choice_id in enumerate(plan.choose, start=1):
        try:
            run.choose_id(choice_id)
        except (KeyError, ValueError) as err:
            return [f"choice {number} of {len(plan.choose)}: {err.args[0]}"]
    failed = []
    expect = plan.expect
    if expect.node and run.node.id != expect.node:
        failed.append(f"expected node {expect.node!r}, reached {run.node.id!r}")
    if expect.ending and not (run.finished and run.node.id == expect.ending):
        where = "the ending" if run.finished else "node"
        failed.append(f"expected the ending {expect.ending!r}, reached {where} {run.node.id!r}")
    for meter, value in expect.meters.items():
        if run.state.get(meter) != value:
            failed.append(f"expected {meter} {value}, found {run.state.get(meter)}")
    if expect.shows or expect.hides:
        if not run.finished:
            return [*failed, "expects debrief lines, but the conversation has not ended"]
        shown = {line.id for line in run.debrief().lines}
        failed += [f"debrief line {i!r} is not shown" for i in expect.shows if i not in shown]
        failed += [f"debrief line {i!r} is shown" for i in expect.hides if i in shown]
    return failed


def check_plans(scenario: Scenario, loc: tuple, source: Source) -> list[Problem]:
    """Each plan holds, and every ending is reached by at least one plan."""
    problems = []
    name = f"scenario {scenario.id!r}"
    reached = set()
    for p, plan in enumerate(scenario.plans):
        failed = run_plan(scenario, plan)
        for message in failed:
            problems.append(
                source.problem((*loc, "plans", p), f"{name}: plan {plan.name!r}: {message}")
            )
        if not failed and plan.expect.ending:
            reached.add(plan.expect.ending)
    for node in scenario.endings:
        if node.id not in reached:
            index = scenario.nodes.index(node)
            problems.append(
                source.problem(
                    (*loc, "nodes", index),
                    f"{name}: no plan reaches the ending {node.id!r}; add one under plans",
                )
            )
    return problems


# -- transparency ------------------------------------------------------------------------------
def transparency(
    scenario: Scenario, loc: tuple, source: Source, thresholds: Thresholds
) -> list[Problem]:
    name = f"scenario {scenario.id!r}"
    found = []

    def warn(place: tuple, message: str) -> None:
        found.append(source.problem(place, f"{name}: {message}", warning=True))

    decisions = [(n, node) for n, node in enumerate(scenario.nodes) if not node.is_ending]
    for n, node in decisions:
        lengths = [len(choice.text) for choice in node.choices]
        if max(lengths) > thresholds.length_ratio * min(lengths):
            warn(
                (*loc, "nodes", n),
                f"node {node.id!r}: one option ({max(lengths)} characters) is more than "
                f"{thresholds.length_ratio:g} times as long as another ({min(lengths)})",
            )
        if not any(choice.tone == "helps" for choice in node.choices):
            warn((*loc, "nodes", n), f"node {node.id!r} has no helpful option")
    branching = sum(_branches(node) for _, node in decisions)
    if decisions and branching < thresholds.branching * len(decisions):
        warn(
            loc,
            f"only {branching} of {len(decisions)} decision points send different choices to "
            f"different next nodes; at least {thresholds.branching:.0%} should",
        )
    paths = walk(scenario)
    if paths.shortest < thresholds.shortest_path:
        warn(
            loc,
            f"its shortest path has {_decisions(paths.shortest)}; at least "
            f"{thresholds.shortest_path}",
        )
    if paths.longest < thresholds.longest_path:
        warn(
            loc,
            f"its longest path has {_decisions(paths.longest)}; at least {thresholds.longest_path}",
        )
    for i, line in enumerate(scenario.debrief.lines):
        if not any(all_hold(line.when, path.context) for path in paths.paths):
            warn(
                (*loc, "debrief", "lines", i),
                f"debrief line {line.id!r} can never hold: no path meets "
                f"{' and '.join(conditions(line.when))}",
            )
    return found


def _decisions(n: int) -> str:
    return f"{n} decision{'s' if n != 1 else ''}"


def _branches(node) -> bool:
    """Whether the node's choices lead to different next nodes (routes on meters aside)."""
    targets = {frozenset(route.to for route in choice.routes) for choice in node.choices}
    return len(targets) > 1


def longest_helpful(module: Module, source: Source, thresholds: Thresholds) -> list[Problem]:
    """How often the helpful option is the longest one, over the whole module."""
    points = longest = 0
    for scenario in module.scenarios:
        for node in scenario.nodes:
            helpful = [c for c in node.choices if c.tone == "helps"]
            if node.is_ending or not helpful:
                continue
            points += 1
            top = max(len(c.text) for c in node.choices)
            longest += any(len(c.text) == top for c in helpful)
    if points and longest > thresholds.longest_helpful * points:
        return [
            source.problem(
                ("scenarios",),
                f"module {module.id}: the helpful option is the longest at {longest} of "
                f"{points} decision points ({longest / points:.0%}); at most "
                f"{thresholds.longest_helpful:.0%} should be",
                warning=True,
            )
        ]
    return []


def names_the_skill(
    module: Module, source: Source, thresholds: Thresholds = THRESHOLDS
) -> list[Problem]:
    """Coaching that names the module's skill (one of its ``terms``) in at least half of the
    helpful and mixed choices of each role-play, and every ending's debrief naming it too."""
    if module.skill is None:
        return []
    terms = [term.casefold() for term in module.skill.terms]

    def names(words: str) -> bool:
        return any(term in words.casefold() for term in terms)

    found = []
    for s, scenario in enumerate(module.scenarios):
        name = f"scenario {scenario.id!r}"
        coached = [c for n in scenario.nodes for c in n.choices if c.tone != "hurts"]
        naming = sum(names(c.coaching) for c in coached)
        if coached and naming < thresholds.names_skill * len(coached):
            found.append(
                source.problem(
                    ("scenarios", s),
                    f"{name}: the coaching names the skill ({module.skill.name}) in {naming} of "
                    f"{len(coached)} helpful and mixed choices; at least "
                    f"{thresholds.names_skill:.0%} should",
                    warning=True,
                )
            )
        lines = " ".join(line.text for line in scenario.debrief.lines)
        for node in scenario.endings:
            if not names(f"{node.debrief or ''} {lines}"):
                index = scenario.nodes.index(node)
                found.append(
                    source.problem(
                        ("scenarios", s, "nodes", index, "debrief"),
                        f"{name}: the debrief of the ending {node.id!r} does not name the skill",
                        warning=True,
                    )
                )
    return found
