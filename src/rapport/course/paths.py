"""Every way through a scenario: each complete path with the context it ends in.

The checks use it to measure path lengths, to find debrief lines that can never hold and
endings no path reaches. Scenarios are small (a handful of decisions of three options), so
walking them all is quick. A path that comes back to where it already stood (the same node,
meters, choices and nodes behind it) is a loop and is not followed round again; a walk is cut
short at ``MAX_STEPS`` decisions on one path or ``MAX_MOVES`` choices in all, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapport.content.scenarios import Scenario
from rapport.course.scenario import Context, ScenarioRun

MAX_STEPS = 40
MAX_MOVES = 500_000


@dataclass(frozen=True)
class Path:
    """One complete way through: the choices taken, the ending, and where it all stood."""

    choices: tuple[str, ...]
    ending: str
    context: Context

    @property
    def decisions(self) -> int:
        return len(self.choices)


@dataclass(frozen=True)
class Walk:
    paths: tuple[Path, ...]
    looped: bool  # some path came round to where it already stood, or past MAX_STEPS
    cut: bool  # the walk gave up after MAX_MOVES choices

    @property
    def shortest(self) -> int:
        return min((p.decisions for p in self.paths), default=0)

    @property
    def longest(self) -> int:
        return max((p.decisions for p in self.paths), default=0)

    @property
    def endings(self) -> set[str]:
        return {p.ending for p in self.paths}


def walk(scenario: Scenario) -> Walk:
    """Every complete path through ``scenario`` (choices in the order they were written)."""
    run = ScenarioRun(scenario)
    paths: list[Path] = []
    looped = cut = False
    moves = 0
    here: set[tuple] = set()  # where the path being walked has stood

    def visit() -> None:
        nonlocal looped, cut, moves
        context = run.context
        where = (run.node.id, tuple(sorted(context.meters.items())), context.taken)
        if run.finished:
            choices = tuple(step.choice.id for step in run.steps)
            paths.append(Path(choices, run.node.id, context))
            return
        if where in here or len(run.steps) >= MAX_STEPS:
            looped = True
            return
        here.add(where)
        for index in range(len(run.node.choices)):
            if moves >= MAX_MOVES:
                cut = True
                break
            moves += 1
            run.choose(index)
            visit()
            run.back()
        here.discard(where)

    visit()
    return Walk(tuple(paths), looped, cut)
