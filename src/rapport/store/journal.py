"""Journal: one learner's private records, and the one way their journal is written.

Reflections, challenge check-in notes and edits from the journal page all go through
:meth:`Journal.save`, so every entry meets the same rules (:mod:`rapport.course.journal`).
"""

from __future__ import annotations

from rapport.course.journal import (
    CHECK_IN,
    JournalItem,
    clean_answer,
    journal_items,
    practice_prompt,
    practice_text,
)
from rapport.course.progress import ModuleProgress, course_progress
from rapport.course.records import Challenge, Entry, Run
from rapport.store.database import Store, journal_store

CHECK_IN_WORDS = {"did": "I did it", "partly": "Partly", "not-yet": "Not yet"}


class Journal:
    """One learner's journal entries (one per module and prompt), challenges, role-plays and
    self-assessment. Failures of the store leave as StoreUnavailable."""

    def __init__(self, learner: str, store: Store | None = None):
        self.learner = learner
        self.store = store or journal_store()

    # -- entries ------------------------------------------------------------------
    def save(self, module: str, prompt: str, text: str) -> Entry:
        """Save an answer (AnswerError if it is empty or too long; the saved one stays)."""
        return self.store.save_entry(self.learner, module, prompt, clean_answer(text))

    def get(self, module: str, prompt: str) -> Entry | None:
        return self.store.entry(self.learner, module, prompt)

    def delete(self, module: str, prompt: str) -> bool:
        return self.store.delete_entry(self.learner, module, prompt)

    def entries(self, module: str | None = None) -> list[Entry]:
        return self.store.entries(self.learner, module)

    def items(self, module: str | None = None, search: str = "") -> list[JournalItem]:
        """Entries with their prompts, newest first, holding every word of ``search``."""
        return journal_items(self.entries(module), search)

    def delete_all(self) -> int:
        """Delete every record of this learner, for good; returns how many rows went."""
        return self.store.delete_learner(self.learner)

    # -- practice challenges --------------------------------------------------------------
    def challenge(self, module: str) -> Challenge | None:
        return self.store.challenge(self.learner, module)

    def accept_challenge(self, module: str) -> Challenge:
        return self.store.accept_challenge(self.learner, module)

    def check_in(self, module: str, status: str, note: str = "") -> Challenge:
        """Say how a challenge went; a note, if any, is saved to the journal with it.

        The note is checked first, so a note that is too long changes nothing.
        """
        cleaned = clean_answer(note) if note.strip() else None
        found = self.store.check_in(self.learner, module, status)
        if cleaned:
            self.save(module, CHECK_IN, f"{CHECK_IN_WORDS[status]}. {cleaned}")
        return found

    # -- role-plays, self-assessment, progress ------------------------------------------
    def record_run(
        self, module: str, scenario: str, ending: str, path, seed: str | None = None
    ) -> None:
        self.store.record_run(self.learner, module, scenario, ending, path, seed)

    def record_play(self, module: str, debrief, seed: str | None = None) -> None:
        """A role-play played to its end: the run, and what the learner wrote in their own
        words on the way (in the journal, marked as practice; the latest play replaces it)."""
        path = [step.choice_index for step in debrief.steps]
        self.record_run(module, debrief.scenario_id, debrief.ending_id, path, seed)
        if words := practice_text(debrief):
            self.save(module, practice_prompt(debrief.scenario_id), words)

    def runs(self, module: str | None = None) -> list[Run]:
        return self.store.runs(self.learner, module)

    def assessment(self, phase: str) -> dict[str, int]:
        return self.store.assessment(self.learner, phase)

    def save_assessment(self, phase: str, answers: dict[str, int]) -> None:
        self.store.save_assessment(self.learner, phase, answers)

    def progress(self) -> list[ModuleProgress]:
        """One row per module of the course, in order."""
        return course_progress(self.store.records(self.learner))
