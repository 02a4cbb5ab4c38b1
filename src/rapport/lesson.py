"""Lesson: one module's content, handing out its widgets to a notebook."""

from __future__ import annotations

from functools import cached_property

from rapport.content import load_assessment, load_manifest, load_module
from rapport.journal import Journal
from rapport.learner import browser_token, current_learner
from rapport.scenario import Debrief
from rapport.schema import Module
from rapport.store import Store, get_store, journal_store
from rapport.widgets import (
    ActivityCard,
    AssessmentComparison,
    ReflectionBox,
    ScenarioPlayer,
    SelfAssessmentForm,
)
from rapport.widgets.study import ChallengeCard, JournalView, ProgressView

PHASES = ("baseline", "follow-up")


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
        return ScenarioPlayer(self.module.scenario(scenario_id), on_finish=self._record)

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
        from rapport.rooms import Rooms

        rooms = Rooms(self._room_store or get_store())
        try:
            room = rooms.joined(token)
        except Exception:  # no room to share with is the safe answer
            return None
        if room is not None and room.module == self.module.id:
            self._share = lambda prompt_id, value: rooms.share(room.code, token, prompt_id, value)
        return self._share

    def challenge(self) -> ChallengeCard:
        """Accept the module's practice challenge, and check in on it on a later visit."""
        return ChallengeCard(self.module, lambda: self.store, lambda: self.learner)

    def progress(self) -> ProgressView:
        """The learner's progress through the whole course, with where to continue."""
        return ProgressView(lambda: self.store, lambda: self.learner)

    def journal_view(self) -> JournalView:
        """Every journal entry: browse, search, edit, delete, export."""
        return JournalView(lambda: self.store, lambda: self.learner)

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
            load=lambda: self.store.assessment(self.learner, phase),
            save=lambda answers: self.store.save_assessment(self.learner, phase, answers),
        )
        self._forms.append(form)
        for comparison in self._comparisons:
            form.saved_callbacks.append(comparison.refresh)
        return form

    def assessment_comparison(self) -> AssessmentComparison:
        """Baseline against follow-up, per principle; refreshed when a form here is saved."""
        comparison = AssessmentComparison(
            load_assessment(),
            self._titles(),
            lambda phase: self.store.assessment(self.learner, phase),
        )
        self._comparisons.append(comparison)
        for form in self._forms:
            form.saved_callbacks.append(comparison.refresh)
        return comparison

    def _titles(self) -> dict[str, str]:
        return {m: load_module(m).label for m in load_manifest().modules}

    def _record(self, debrief: Debrief) -> None:
        path = [step.choice_index for step in debrief.steps]
        self.store.record_run(
            self.learner, self.module.id, debrief.scenario_id, debrief.ending_id, path
        )

    def _repr_markdown_(self) -> str:
        return summary_markdown(self.module)

    def __repr__(self) -> str:
        return f"Lesson({self.module.id!r})"


def summary_markdown(module: Module) -> str:
    """One line saying what a module offers; the output of a notebook's setup cell."""
    count = len(module.activities)
    return (
        f"**{module.label}**: {len(module.scenarios)} role-plays, "
        f"{len(module.reflections)} reflections, {count} group "
        f"{'activity' if count == 1 else 'activities'}. "
        "Your journal answers stay private to you."
    )


def open_module(module_id: str) -> Lesson:
    """The lesson for a module id from the manifest, e.g. ``open_module("05-listen")``."""
    return Lesson(load_module(module_id))


def my_journal() -> JournalView:
    """The journal page (``notebooks/journal.ipynb``): the learner's whole journal."""
    return Lesson(load_module(load_manifest().modules[0])).journal_view()
