"""What the course keeps for a learner, as plain values: journal entries, practice challenges and
finished role-plays. The store reads and writes them; the rules in this layer read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CHECK_INS = ("did", "partly", "not-yet")  # how a practice challenge went


@dataclass(frozen=True)
class Entry:
    """One saved journal answer."""

    learner: str
    module: str
    prompt: str
    text: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Challenge:
    """A practice challenge the learner took on, and its latest check-in."""

    module: str
    accepted_at: datetime
    status: str | None
    checked_at: datetime | None


@dataclass(frozen=True)
class Run:
    """One finished play-through of a scenario."""

    module: str
    scenario: str
    ending: str
    path: tuple[int, ...]
    finished_at: datetime


@dataclass(frozen=True)
class LearnerRecords:
    """Everything of one learner that progress is worked out from."""

    entries: tuple[Entry, ...]
    runs: tuple[Run, ...]
    challenges: tuple[Challenge, ...]
    assessed: frozenset[str]  # the self-assessment phases answered
