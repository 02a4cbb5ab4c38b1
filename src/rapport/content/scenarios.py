"""The typed schema of a role-play: its people, its conversation graph, coaching, debrief and
test plans. How an author writes one is in ``exercises/README.md``."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# One condition: a meter compared with a whole number (``trust >= 3``), a choice the learner
# took (``took ask-about-her``) or a node the conversation reached (``reached second-shop``),
# either of the last two possibly negated (``not took own-story``).
CONDITION = re.compile(
    r"^\s*(?:(?P<meter>[a-z_][a-z0-9_]*)\s*(?P<op>>=|<=|==|!=|>|<)\s*(?P<value>-?\d+)"
    r"|(?P<neg>not\s+)?(?P<verb>took|reached)\s+(?P<target>[a-z0-9][a-z0-9-]*))\s*$"
)
Condition = Annotated[str, StringConstraints(pattern=CONDITION.pattern)]
# A ``when``: one condition, or a list of them that must all hold.
When = Condition | Annotated[list[Condition], Field(min_length=1)]

Setting = Literal["work", "friends", "family", "partner", "online", "community"]
Tone = Literal["helps", "mixed", "hurts"]
Coaching = Literal["on-request", "immediate", "at-end"]


def conditions(when: str | list[str] | None) -> list[str]:
    """A ``when`` as a list of single conditions (none: always)."""
    if when is None:
        return []
    return [when] if isinstance(when, str) else list(when)


class Strict(BaseModel):
    """Base for content models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Character(Strict):
    name: Text
    age: int | None = Field(default=None, ge=5, le=110)
    about: Text


class Meter(Strict):
    """A number the conversation keeps, such as how much the other person trusts you."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$")]
    label: Text
    start: int
    min: int = 0
    max: int = 5
    hidden: bool = False  # kept and used for routes, but not shown to the learner

    @model_validator(mode="after")
    def _start_in_range(self) -> Meter:
        if not self.min <= self.start <= self.max:
            raise ValueError(f"start {self.start} is outside {self.min}..{self.max}")
        return self


class Route(Strict):
    """Where a choice leads when its condition holds (no condition: always)."""

    when: When | None = None
    to: Id


class Reaction(Strict):
    """What the other person does and says straight after a choice, before anyone judges it."""

    cue: Text | None = None  # a short visible cue: "Sam looks at the floor."
    says: Text | None = None

    @model_validator(mode="after")
    def _something(self) -> Reaction:
        if self.cue is None and self.says is None:
            raise ValueError("a reaction needs a cue, words (says) or both")
        return self


class Choice(Strict):
    id: Id
    text: Text
    tone: Tone
    coaching: Text  # why it landed as it did, naming the module's skill where it fits
    reaction: Reaction | None = None
    effects: dict[str, int] = Field(default_factory=dict)
    to: Id | list[Route]

    @property
    def routes(self) -> list[Route]:
        return [Route(to=self.to)] if isinstance(self.to, str) else list(self.to)


class Variant(Strict):
    """Different words (and cue) for a node, used when the condition holds."""

    when: When
    says: Text
    cue: Text | None = None


class Node(Strict):
    id: Id
    cue: Text | None = None  # what the learner sees the other person do
    says: Text
    variants: list[Variant] = Field(default_factory=list)
    your_words: bool = False  # the learner may first say it their own way
    choices: list[Choice] = Field(default_factory=list)
    debrief: Text | None = None  # an ending's own words on how it ended

    @property
    def is_ending(self) -> bool:
        return not self.choices

    def choice(self, choice_id: str) -> Choice:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        raise KeyError(f"node {self.id!r} has no choice {choice_id!r}")


class DebriefLine(Strict):
    """A line of the debrief shown only when its condition holds on the learner's own path."""

    id: Id
    when: When | None = None
    text: Text


class Debrief(Strict):
    """What every ending's debrief adds: lines true to the path, and questions for the journal."""

    lines: list[DebriefLine] = Field(default_factory=list)
    questions: list[Text] = Field(default_factory=list, max_length=2)


class Expect(Strict):
    """What must hold once a plan's choices are made."""

    node: Id | None = None  # the node the conversation is at
    ending: Id | None = None  # the ending it reached
    meters: dict[str, int] = Field(default_factory=dict)
    shows: list[Id] = Field(default_factory=list)  # debrief lines shown
    hides: list[Id] = Field(default_factory=list)  # debrief lines not shown

    @model_validator(mode="after")
    def _something(self) -> Expect:
        if not (self.node or self.ending or self.meters or self.shows or self.hides):
            raise ValueError("a plan expects something: a node, an ending, meters or lines")
        return self


class Plan(Strict):
    """A test plan: a sequence of choices (by id) and what must then hold."""

    name: Text
    choose: list[Id] = Field(min_length=1)
    expect: Expect


class Scenario(Strict):
    id: Id
    title: Text
    setting: Setting
    character: Character
    intro: Text
    coaching: Coaching = "on-request"
    meters: list[Meter] = Field(default_factory=list)
    start: Id
    nodes: list[Node] = Field(min_length=1)
    debrief: Debrief = Field(default_factory=Debrief)
    plans: list[Plan] = Field(default_factory=list)

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(f"scenario {self.id!r} has no node {node_id!r}")

    def choice(self, choice_id: str) -> tuple[Node, Choice]:
        """The choice with this id, and the node it belongs to."""
        for node in self.nodes:
            for choice in node.choices:
                if choice.id == choice_id:
                    return node, choice
        raise KeyError(f"scenario {self.id!r} has no choice {choice_id!r}")

    @property
    def endings(self) -> list[Node]:
        return [node for node in self.nodes if node.is_ending]
