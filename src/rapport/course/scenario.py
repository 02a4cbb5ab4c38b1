"""Play a branching role-play: the conversation's state machine, with no widgets.

A run remembers each choice with what it changed, so it can go back, start again, and give a
debrief that replays the learner's own path: the other person's reactions, the coaching for
each choice, the turning points where another choice would have led elsewhere, and the lines
whose conditions held on this path only. Options are shown in an order shuffled per node from
the run's seed, so the same seed always gives the same order (going back, starting again,
reloading the page).
"""

from __future__ import annotations

import operator
import random
from dataclasses import dataclass, field

from rapport.content.scenarios import (
    CONDITION,
    Choice,
    DebriefLine,
    Node,
    Reaction,
    Scenario,
    conditions,
)

_OPS = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}


@dataclass(frozen=True)
class Context:
    """What conditions are read against: the meters, the choices taken, the nodes reached."""

    meters: dict[str, int]
    taken: frozenset[str] = frozenset()
    reached: frozenset[str] = frozenset()


def holds(condition: str, context: Context | dict[str, int]) -> bool:
    """Whether one condition (``trust >= 3``, ``took x``, ``not reached y``) is true."""
    if isinstance(context, dict):
        context = Context(context)
    match = CONDITION.match(condition)
    if match is None:
        raise ValueError(f"not a condition: {condition!r}")
    if match["meter"]:
        name = match["meter"]
        if name not in context.meters:
            raise KeyError(f"condition {condition!r} names an unknown meter {name!r}")
        return _OPS[match["op"]](context.meters[name], int(match["value"]))
    seen = context.taken if match["verb"] == "took" else context.reached
    return (match["target"] in seen) != bool(match["neg"])


def all_hold(when: str | list[str] | None, context: Context) -> bool:
    """Whether every condition of a ``when`` holds (no ``when``: always)."""
    return all(holds(c, context) for c in conditions(when))


@dataclass(frozen=True)
class Step:
    """One decision taken: where, what was said and chosen, and what it changed."""

    node_id: str
    choice_index: int
    choice: Choice
    state_before: dict[str, int]
    state_after: dict[str, int]
    next_id: str = ""
    said: str = ""  # the other person's words at this node, as the learner saw them
    cue: str | None = None
    words: str | None = None  # what the learner wrote first in their own words, if anything

    @property
    def changes(self) -> dict[str, int]:
        return {
            k: self.state_after[k] - self.state_before[k]
            for k in self.state_after
            if self.state_after[k] != self.state_before[k]
        }

    @property
    def reaction(self) -> Reaction | None:
        return self.choice.reaction


@dataclass(frozen=True)
class Turn:
    """A step seen from the debrief: the other choices that would have led somewhere else."""

    step: Step
    elsewhere: tuple[tuple[Choice, str], ...]  # (choice, the node it would have led to)

    @property
    def turning_point(self) -> bool:
        return bool(self.elsewhere)


@dataclass(frozen=True)
class Debrief:
    """How the conversation ended, and the learner's own path to it."""

    scenario_id: str
    ending_id: str
    says: str
    debrief: str
    steps: tuple[Step, ...]
    state: dict[str, int]
    tones: dict[str, int] = field(default_factory=dict)
    turns: tuple[Turn, ...] = ()
    lines: tuple[DebriefLine, ...] = ()  # the lines whose conditions held on this path
    questions: tuple[str, ...] = ()

    @property
    def words(self) -> dict[str, str]:
        """What the learner wrote in their own words, by node."""
        return {s.node_id: s.words for s in self.steps if s.words}


class ScenarioRun:
    """One play-through of a scenario: choose, go back one step, start again."""

    def __init__(self, scenario: Scenario, seed: int | str | None = None):
        self.scenario = scenario
        self.seed = seed  # None: the options keep the order they were written in
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
    def context(self) -> Context:
        """The meters, choices taken and nodes reached so far (this node included)."""
        return Context(
            self.state,
            frozenset(s.choice.id for s in self._steps),
            frozenset([self.scenario.start, *(s.next_id for s in self._steps)]),
        )

    @property
    def node(self) -> Node:
        node_id = self._steps[-1].next_id if self._steps else self.scenario.start
        return self.scenario.node(node_id)

    @property
    def says(self) -> str:
        """The current node's words, taking the first variant whose condition holds."""
        variant = self._variant()
        return variant.says if variant else self.node.says

    @property
    def cue(self) -> str | None:
        """What the learner sees the other person do at the current node, if anything."""
        variant = self._variant()
        if variant is not None and variant.cue:
            return variant.cue
        return self.node.cue

    @property
    def finished(self) -> bool:
        return self.node.is_ending

    @property
    def last_step(self) -> Step | None:
        return self._steps[-1] if self._steps else None

    def order(self, node_id: str | None = None) -> list[int]:
        """The order the node's options are shown in: shuffled by the seed, the same each time."""
        node = self.node if node_id is None else self.scenario.node(node_id)
        indexes = list(range(len(node.choices)))
        if self.seed is not None:
            random.Random(f"{self.seed}|{self.scenario.id}|{node.id}").shuffle(indexes)
        return indexes

    @property
    def options(self) -> list[tuple[int, Choice]]:
        """The current node's choices, as (index as written, choice), in the order shown."""
        node = self.node
        return [(i, node.choices[i]) for i in self.order()]

    # -- moving ---------------------------------------------------------------
    def choose(self, index: int, words: str | None = None) -> Step:
        """Take choice ``index`` (as written) at the current node; ``words`` are what the
        learner first wrote in their own words, kept with the step."""
        node = self.node
        if node.is_ending:
            raise ValueError("the conversation has ended; restart or go back to choose again")
        if not 0 <= index < len(node.choices):
            raise IndexError(
                f"node {node.id!r} has choices 0..{len(node.choices) - 1}, not {index}"
            )
        choice = node.choices[index]
        before = self.state
        after = self._apply(choice, before)
        context = self.context
        after_context = Context(after, context.taken | {choice.id}, context.reached)
        step = Step(
            node.id,
            index,
            choice,
            before,
            after,
            next_id=self._route(choice, after_context),
            said=self.says,
            cue=self.cue,
            words=(words or "").strip() or None,
        )
        self._steps.append(step)
        return step

    def choose_id(self, choice_id: str, words: str | None = None) -> Step:
        """Take the current node's choice with this id."""
        node = self.node
        ids = [c.id for c in node.choices]
        if node.is_ending:
            raise KeyError(f"the conversation ended at {node.id!r} before choice {choice_id!r}")
        if choice_id not in ids:
            known = ", ".join(ids)
            raise KeyError(f"node {node.id!r} has no choice {choice_id!r} (its choices: {known})")
        return self.choose(ids.index(choice_id), words)

    def back(self) -> bool:
        """Undo the last choice; False when already at the start."""
        if not self._steps:
            return False
        self._steps.pop()
        return True

    def restart(self) -> None:
        self._steps.clear()

    # -- the debrief ------------------------------------------------------------
    def debrief(self) -> Debrief:
        """The ending's debrief, with the path taken; only once the conversation ended."""
        node = self.node
        if not node.is_ending:
            raise ValueError("the conversation has not ended yet")
        tones: dict[str, int] = {"helps": 0, "mixed": 0, "hurts": 0}
        for step in self._steps:
            tones[step.choice.tone] += 1
        context = self.context
        return Debrief(
            scenario_id=self.scenario.id,
            ending_id=node.id,
            says=self.says,
            debrief=node.debrief or "",
            steps=self.steps,
            state=self.state,
            tones=tones,
            turns=tuple(self._turns()),
            lines=tuple(
                line for line in self.scenario.debrief.lines if all_hold(line.when, context)
            ),
            questions=tuple(self.scenario.debrief.questions),
        )

    def _turns(self) -> list[Turn]:
        turns = []
        taken: frozenset[str] = frozenset()
        reached = frozenset([self.scenario.start])
        for step in self._steps:
            node = self.scenario.node(step.node_id)
            elsewhere = []
            for other in node.choices:
                if other.id == step.choice.id:
                    continue
                after = Context(self._apply(other, step.state_before), taken | {other.id}, reached)
                target = self._route(other, after)
                if target != step.next_id:
                    elsewhere.append((other, target))
            turns.append(Turn(step, tuple(elsewhere)))
            taken, reached = taken | {step.choice.id}, reached | {step.next_id}
        return turns

    def _apply(self, choice: Choice, state: dict[str, int]) -> dict[str, int]:
        after = dict(state)
        for name, delta in choice.effects.items():
            meter = self._meters[name]
            after[name] = max(meter.min, min(meter.max, after[name] + delta))
        return after

    def _variant(self):
        context = self.context
        return next((v for v in self.node.variants if all_hold(v.when, context)), None)

    def _route(self, choice: Choice, context: Context) -> str:
        for route in choice.routes:
            if all_hold(route.when, context):
                return route.to
        raise LookupError(f"no route of the choice {choice.id!r} applies to {context.meters}")
