"""Lesson: one module's content, handing out its widgets to a notebook."""

from __future__ import annotations

import secrets
from functools import cached_property

from rapport import settings
from rapport.content.loading import load_assessment, load_manifest, load_module
from rapport.content.schema import PHASES, Module
from rapport.course.learner import browser_token, current_learner
from rapport.course.scenario import Debrief
from rapport.errors import RapportError
from rapport.store.database import Store, get_store, journal_store
from rapport.store.journal import Journal
from rapport.store.rooms import Rooms
from rapport.widgets.activity import ActivityCard
from rapport.widgets.assessment import AssessmentComparison, SelfAssessmentForm
from rapport.widgets.challenge import ChallengeCard
from rapport.widgets.journal_view import JournalView
from rapport.widgets.progress import ProgressView
from rapport.widgets.reflection import ReflectionBox
from rapport.widgets.scenario_player import ScenarioPlayer
from rapport.widgets.skill import DrillBox, SkillCard


class Lesson:
    """The widgets of one module, bound to the current learner's private store."""

    def __init__(
        self,
        module: Module,
        learner: str | None = None,
        store: Store | None = None,
        room_store: Store | None = None,
    ):
        self.module = module
        self._learner = learner
        self._store = store
        self._room_store = room_store
        self._forms: list[SelfAssessmentForm] = []
        self._comparisons: list[AssessmentComparison] = []
        self._share = None
        self._share_checked = False

    @cached_property
    def learner(self) -> str:
        return self._learner or current_learner()

    @property
    def store(self) -> Store:
        # Opened on first use, so a notebook with no journal never touches the database.
        if self._store is None:
            self._store = journal_store()
        return self._store

    def journal(self) -> Journal:
        return Journal(self.learner, self.store)

    def scenario(self, scenario_id: str) -> ScenarioPlayer:
        """A player for one of the module's role-play scenarios."""
        scenario = self.module.scenario(scenario_id)
        return ScenarioPlayer(
            scenario,
            on_finish=self._record,
            seed=self._seed(),
            journal_box=lambda prompt: ReflectionBox(self.module.id, prompt, self.journal),
        )

    def _seed(self) -> str:
        """The seed that shuffles this learner's options: the same at every visit, so going
        back, starting again and reloading keep one order (RAPPORT_SEED fixes it for tests)."""
        fixed = settings.seed()
        if fixed is not None:
            return str(fixed)
        try:
            return f"{self.learner}|{self.module.id}"
        except (RapportError, ValueError):  # no identity yet: shuffled, just not kept
            return secrets.token_hex(8)

    def skill(self) -> SkillCard:
        """The module's skill: what it is, why it works, its steps, stems and an example."""
        return SkillCard(self.module)

    def drill(self) -> DrillBox:
        """Practise the skill: write your own version, then compare it with model answers."""
        return DrillBox(self.module, self.journal)

    def reflection(self, reflection_id: str) -> ReflectionBox:
        """A journal box for one of the module's reflection prompts."""
        prompt = self.module.reflection(reflection_id)
        return ReflectionBox(self.module.id, prompt, self.journal, share=self._room_share())

    def _room_share(self):
        """Sharing with the room, offered only in a live room for this very module."""
        if self._share_checked:
            return self._share
        self._share_checked = True
        token = browser_token()
        if token is None:
            return None
        rooms = Rooms(self._room_store or get_store())
        try:
            room = rooms.joined(token)
        except RapportError:  # no room to share with is the safe answer
            return None
        if room is not None and room.module == self.module.id:
            self._share = lambda prompt_id, value: rooms.share(room.code, token, prompt_id, value)
        return self._share

    def challenge(self) -> ChallengeCard:
        """Accept the module's practice challenge, and check in on it on a later visit."""
        return ChallengeCard(self.module, self.journal)

    def progress(self) -> ProgressView:
        """The learner's progress through the whole course, with where to continue."""
        return ProgressView(self.journal)

    def journal_view(self) -> JournalView:
        """Every journal entry: browse, search, edit, delete, export."""
        return JournalView(self.journal)

    def activity(self, activity_id: str) -> ActivityCard:
        """A card for one of the module's group activities."""
        return ActivityCard(self.module.activity(activity_id))

    def self_assessment(self, phase: str) -> SelfAssessmentForm:
        """The self-assessment form for ``baseline`` (module 00) or ``follow-up`` (module 13)."""
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}, not {phase!r}")
        form = SelfAssessmentForm(
            load_assessment(),
            phase,
            self._titles(),
            load=lambda: self.journal().assessment(phase),
            save=lambda answers: self.journal().save_assessment(phase, answers),
        )
        self._forms.append(form)
        for comparison in self._comparisons:
            form.saved_callbacks.append(comparison.refresh)
        return form

    def assessment_comparison(self) -> AssessmentComparison:
        """Baseline against follow-up, per principle; refreshed when a form here is saved."""
        comparison = AssessmentComparison(
            load_assessment(), self._titles(), lambda phase: self.journal().assessment(phase)
        )
        self._comparisons.append(comparison)
        for form in self._forms:
            form.saved_callbacks.append(comparison.refresh)
        return comparison

    def _titles(self) -> dict[str, str]:
        return {m: load_module(m).label for m in load_manifest().modules}

    def _record(self, debrief: Debrief) -> None:
        self.journal().record_play(self.module.id, debrief, self._seed())

    def _repr_markdown_(self) -> str:
        return self.module.summary

    def __repr__(self) -> str:
        return f"Lesson({self.module.id!r})"


def open_module(module_id: str) -> Lesson:
    """The lesson for a module id from the manifest, e.g. ``open_module("05-listen")``."""
    return Lesson(load_module(module_id))


def my_journal() -> JournalView:
    """The journal page (``notebooks/journal.ipynb``): the learner's whole journal."""
    return Lesson(load_module(load_manifest().modules[0])).journal_view()
