"""The typed schema of a module's content file (``exercises/NN-slug.yaml``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from rapport.content.scenarios import Id, Scenario, Strict, Text
from rapport.content.skills import Drill, Idea, Skill

ModuleId = Annotated[str, StringConstraints(pattern=r"^\d\d-[a-z0-9][a-z0-9-]*$")]
Phase = Literal["baseline", "follow-up"]  # when the self-assessment is answered
PHASES: tuple[str, ...] = ("baseline", "follow-up")


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
    solo: Text | None = None  # the version for a learner on their own


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
    idea: Idea | None = None
    skill: Skill | None = None
    drill: Drill | None = None
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

        def many(n: int, one: str, more: str) -> str:
            return f"{n} {one if n == 1 else more}"

        return (
            f"**{self.label}**: {many(len(self.scenarios), 'role-play', 'role-plays')}, "
            f"{many(len(self.reflections), 'reflection', 'reflections')}, "
            f"{many(len(self.activities), 'group activity', 'group activities')}. "
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
    # Everyday situations put on a slide beside the module's pair exercise, so nobody has to
    # bring a real hurt to practise on.
    situations: list[Text] = Field(default_factory=list)

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
