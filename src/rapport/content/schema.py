"""The typed schema of a module's content file (``exercises/NN-slug.yaml``)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
ModuleId = Annotated[str, StringConstraints(pattern=r"^\d\d-[a-z0-9][a-z0-9-]*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# A condition compares one state variable with a whole number, e.g. ``trust >= 3``.
CONDITION = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*(-?\d+)\s*$")
Condition = Annotated[str, StringConstraints(pattern=CONDITION.pattern)]

Setting = Literal["work", "friends", "family", "partner", "online", "community"]
Tone = Literal["helps", "mixed", "hurts"]
Phase = Literal["baseline", "follow-up"]  # when the self-assessment is answered
PHASES: tuple[str, ...] = ("baseline", "follow-up")


class Strict(BaseModel):
    """Base for content models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Minutes(Strict):
    teaching: int = Field(ge=0, le=240)
    exercises: int = Field(ge=0, le=240)

    @property
    def total(self) -> int:
        return self.teaching + self.exercises


class Source(Strict):
    """One section of a seed article that the module draws on."""

    seed: Annotated[str, StringConstraints(pattern=r"^\d{3}$")]
    section: Text


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

    @model_validator(mode="after")
    def _start_in_range(self) -> Meter:
        if not self.min <= self.start <= self.max:
            raise ValueError(f"start {self.start} is outside {self.min}..{self.max}")
        return self


class Route(Strict):
    """Where a choice leads when its condition holds (no condition: always)."""

    when: Condition | None = None
    to: Id


class Choice(Strict):
    text: Text
    feedback: Text
    tone: Tone
    effects: dict[str, int] = Field(default_factory=dict)
    to: Id | list[Route]

    @property
    def routes(self) -> list[Route]:
        return [Route(to=self.to)] if isinstance(self.to, str) else list(self.to)


class Variant(Strict):
    """Different words for a node, used when the condition holds."""

    when: Condition
    says: Text


class Node(Strict):
    id: Id
    says: Text
    variants: list[Variant] = Field(default_factory=list)
    choices: list[Choice] = Field(default_factory=list)
    debrief: Text | None = None

    @property
    def is_ending(self) -> bool:
        return not self.choices


class Scenario(Strict):
    id: Id
    title: Text
    setting: Setting
    character: Character
    intro: Text
    meters: list[Meter] = Field(default_factory=list)
    start: Id
    nodes: list[Node] = Field(min_length=1)

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(f"scenario {self.id!r} has no node {node_id!r}")


class ReflectionPrompt(Strict):
    id: Id
    prompt: Text
    hint: Text | None = None


class _Activity(Strict):
    id: Id
    prompt: Text


class Poll(_Activity):
    kind: Literal["poll"]
    options: list[Text] = Field(min_length=2, max_length=8)


class Scale(_Activity):
    kind: Literal["scale"]
    low: Text
    high: Text


class OneWord(_Activity):
    kind: Literal["word"]


class OpenText(_Activity):
    kind: Literal["text"]


class PairExercise(_Activity):
    kind: Literal["pair"]
    instructions: list[Text] = Field(min_length=1)
    minutes: int = Field(ge=1, le=60)


Activity = Annotated[Poll | Scale | OneWord | OpenText | PairExercise, Field(discriminator="kind")]


class Challenge(Strict):
    title: Text
    text: Text


class Module(Strict):
    """Everything a module teaches, apart from the prose of its notebook."""

    id: ModuleId
    title: Text
    kind: Literal["principle", "framing"] = "principle"
    assessment: Phase | None = None  # the self-assessment this module holds, if any
    minutes: Minutes
    questions: list[Text] = Field(min_length=1)
    objectives: list[Text] = Field(min_length=1)
    sources: list[Source] = Field(default_factory=list)
    care_note: Text | None = None
    scenarios: list[Scenario] = Field(default_factory=list)
    reflections: list[ReflectionPrompt] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    challenge: Challenge | None = None
    key_points: list[Text] = Field(default_factory=list)

    @property
    def number(self) -> int:
        return int(self.id[:2])

    @property
    def label(self) -> str:
        """How the course names a module everywhere: ``05 · Listen to understand``."""
        return f"{self.id[:2]} · {self.title}"

    @property
    def summary(self) -> str:
        """One line saying what the module offers: the output of a notebook's setup cell."""
        count = len(self.activities)
        return (
            f"**{self.label}**: {len(self.scenarios)} role-plays, "
            f"{len(self.reflections)} reflections, {count} group "
            f"{'activity' if count == 1 else 'activities'}. "
            "Your journal answers stay private to you."
        )

    def scenario(self, scenario_id: str) -> Scenario:
        return _by_id(self.scenarios, scenario_id, f"module {self.id!r} has no scenario")

    def reflection(self, reflection_id: str) -> ReflectionPrompt:
        return _by_id(self.reflections, reflection_id, f"module {self.id!r} has no reflection")

    def activity(self, activity_id: str) -> Poll | Scale | OneWord | OpenText | PairExercise:
        return _by_id(self.activities, activity_id, f"module {self.id!r} has no activity")


def _by_id(items, wanted: str, message: str):
    for item in items:
        if item.id == wanted:
            return item
    known = ", ".join(item.id for item in items) or "none"
    raise KeyError(f"{message} {wanted!r} (known: {known})")


class SeedSection(Strict):
    id: Text
    title: Text


class Seed(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^\d{3}$")]
    title: Text
    sections: list[SeedSection] = Field(min_length=1)


class Manifest(Strict):
    """The order of the course, and the seed sections it must cover."""

    title: Text
    modules: list[ModuleId] = Field(min_length=1)
    seeds: list[Seed] = Field(default_factory=list)


class TimingStep(Strict):
    minutes: int = Field(ge=1, le=120)
    what: Text


class Variations(Strict):
    online: Text
    large_group: Text
    one_to_one: Text


class FacilitatorNotes(Strict):
    """A facilitator's plan for one module (``facilitator/NN-slug.yaml``)."""

    module: ModuleId
    setup: list[Text] = Field(min_length=1)
    timing: list[TimingStep] = Field(min_length=1)
    talking_points: list[Text] = Field(min_length=2)
    debrief: dict[str, list[Text]] = Field(default_factory=dict)  # scenario id -> questions
    variations: Variations
    care: list[Text] = Field(default_factory=list)

    @property
    def total_minutes(self) -> int:
        return sum(step.minutes for step in self.timing)


class AssessmentItem(Strict):
    id: Id
    module: ModuleId
    text: Text
    reverse: bool = False


class Assessment(Strict):
    """The self-assessment: statements rated 1-5, scored per principle (a reflection aid)."""

    note: Text
    scale: list[Text] = Field(min_length=5, max_length=5)
    items: list[AssessmentItem] = Field(min_length=1)


class AgendaItem(Strict):
    """A module (whole, or its teaching part only) or a fixed slot such as a break."""

    module: ModuleId | None = None
    part: Literal["full", "teaching"] = "full"
    slot: Text | None = None
    minutes: int | None = Field(default=None, ge=1, le=120)

    @model_validator(mode="after")
    def _module_or_slot(self) -> AgendaItem:
        if (self.module is None) == (self.slot is None):
            raise ValueError("give either a module or a slot (with its minutes)")
        if self.slot is not None and self.minutes is None:
            raise ValueError(f"slot {self.slot!r} needs its minutes")
        return self


class AgendaPlan(Strict):
    title: Text
    limit: int = Field(ge=30, le=600, description="the longest a session may run, in minutes")
    items: list[AgendaItem] = Field(default_factory=list)
    weeks: int | None = Field(default=None, ge=2, le=12)  # a series: all modules over N weeks


class Agendas(Strict):
    """The ready agendas (``facilitator/agendas.yaml``); times are computed from the modules."""

    formats: dict[Id, AgendaPlan]
