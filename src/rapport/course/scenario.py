"""Play a branching role-play scenario: the state machine, with no widgets."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field

from rapport.content.schema import CONDITION, Choice, Node, Scenario

_OPS = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}


def holds(condition: str, state: dict[str, int]) -> bool:
    """Whether ``condition`` (e.g. ``trust >= 3``) is true of ``state``."""
    match = CONDITION.match(condition)
    if match is None:
        raise ValueError(f"not a condition: {condition!r}")
    name, op, value = match.groups()
    if name not in state:
        raise KeyError(f"condition {condition!r} names an unknown meter {name!r}")
    return _OPS[op](state[name], int(value))


@dataclass(frozen=True)
class Step:
    """One decision taken: where it was, what was chosen, and what it changed."""

    node_id: str
    choice_index: int
    choice: Choice
    state_before: dict[str, int]
    state_after: dict[str, int]

    @property
    def changes(self) -> dict[str, int]:
        return {
            k: self.state_after[k] - self.state_before[k]
            for k in self.state_after
            if self.state_after[k] != self.state_before[k]
        }


@dataclass(frozen=True)
class Debrief:
    """What an ending says, and a summary of the path that led to it."""

    scenario_id: str
    ending_id: str
    says: str
    debrief: str
    steps: tuple[Step, ...]
    state: dict[str, int]
    tones: dict[str, int] = field(default_factory=dict)


class ScenarioRun:
    """One play-through of a scenario: choose, go back one step, restart."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self._meters = {m.id: m for m in scenario.meters}
        self._steps: list[Step] = []

    # -- where we are -------------------------------------------------------
    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(self._steps)

    @property
    def state(self) -> dict[str, int]:
        if self._steps:
            return dict(self._steps[-1].state_after)
        return {m.id: m.start for m in self.scenario.meters}

    @property
    def node(self) -> Node:
        if not self._steps:
            return self.scenario.node(self.scenario.start)
        last = self._steps[-1]
        return self.scenario.node(self._route(last.choice, last.state_after))

    @property
    def says(self) -> str:
        """The current node's words, taking the first variant whose condition holds."""
        node, state = self.node, self.state
        for variant in node.variants:
            if holds(variant.when, state):
                return variant.says
        return node.says

    @property
    def finished(self) -> bool:
        return self.node.is_ending

    @property
    def last_step(self) -> Step | None:
        return self._steps[-1] if self._steps else None

    # -- moving ---------------------------------------------------------------
    def choose(self, index: int) -> Step:
        """Take choice ``index`` at the current node and return the step taken."""
        node = self.node
        if node.is_ending:
            raise ValueError("the conversation has ended; restart or go back to choose again")
        if not 0 <= index < len(node.choices):
            raise IndexError(
                f"node {node.id!r} has choices 0..{len(node.choices) - 1}, not {index}"
            )
        choice = node.choices[index]
        before = self.state
        after = dict(before)
        for name, delta in choice.effects.items():
            meter = self._meters[name]
            after[name] = max(meter.min, min(meter.max, after[name] + delta))
        step = Step(node.id, index, choice, before, after)
        self._steps.append(step)
        return step

    def back(self) -> bool:
        """Undo the last choice; False when already at the start."""
        if not self._steps:
            return False
        self._steps.pop()
        return True

    def restart(self) -> None:
        self._steps.clear()

    def debrief(self) -> Debrief:
        """The ending's debrief, with the path taken; only once the conversation ended."""
        node = self.node
        if not node.is_ending:
            raise ValueError("the conversation has not ended yet")
        tones: dict[str, int] = {"helps": 0, "mixed": 0, "hurts": 0}
        for step in self._steps:
            tones[step.choice.tone] += 1
        return Debrief(
            scenario_id=self.scenario.id,
            ending_id=node.id,
            says=self.says,
            debrief=node.debrief or "",
            steps=self.steps,
            state=self.state,
            tones=tones,
        )

    def _route(self, choice: Choice, state: dict[str, int]) -> str:
        for route in choice.routes:
            if route.when is None or holds(route.when, state):
                return route.to
        raise LookupError(f"no route of the choice {choice.text!r} applies to {state}")
