"""Progress through the course, from what the learner's own store holds (their records).

The rules, per module:
- *started* once anything is saved: a role-play played to an ending, a reflection answered,
  a challenge accepted or a self-assessment answered;
- *done*, for a principle module, when every role-play has been played to an ending and the
  practice challenge was accepted (reflections are always optional, so they never hold a
  module back); for the welcome and closing modules, when their self-assessment is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rapport.content.loading import load_manifest, load_module
from rapport.course.records import LearnerRecords

if TYPE_CHECKING:  # pandas loads on first use, so kernels start light
    import pandas as pd

STATES = ("not started", "started", "done")
CHECK_IN_LABEL = {None: "accepted", "did": "did it", "partly": "partly", "not-yet": "not yet"}


@dataclass(frozen=True)
class ModuleProgress:
    module: str
    label: str
    scenarios_done: int
    scenarios: int
    reflections_done: int
    reflections: int
    challenge: str  # "", "accepted", "did it", "partly", "not yet"
    assessed: bool
    last: datetime | None
    assessment: str | None = None  # the self-assessment phase the module holds, if any

    @property
    def state(self) -> str:
        started = self.scenarios_done or self.reflections_done or self.challenge or self.assessed
        if not started:
            return "not started"
        if self.assessment:
            return "done" if self.assessed else "started"
        done = self.scenarios_done == self.scenarios and bool(self.challenge)
        return "done" if done else "started"

    def cells(self) -> dict[str, str]:
        """The row as the progress table shows it."""
        return {
            "module": self.label,
            "role-plays": f"{self.scenarios_done} of {self.scenarios}",
            "reflections": f"{self.reflections_done} of {self.reflections}",
            "challenge": self.challenge or "-",
            "state": self.state,
        }

    @property
    def share(self) -> int:
        """How far along the module is, in percent, for its progress bar."""
        if self.state == "done":
            return 100
        if self.assessment:
            return 50 if self.state == "started" else 0
        got = self.scenarios_done + (1 if self.challenge else 0)
        return round(100 * got / (self.scenarios + 1))


def course_progress(records: LearnerRecords) -> list[ModuleProgress]:
    """One row per module of the manifest, in course order."""
    entries, runs = records.entries, records.runs
    accepted = {c.module: c for c in records.challenges}
    rows = []
    for module_id in load_manifest().modules:
        module = load_module(module_id)
        prompts = {r.id for r in module.reflections}
        mine = [e for e in entries if e.module == module_id]
        played = [r for r in runs if r.module == module_id]
        finished = {r.scenario for r in played} & {s.id for s in module.scenarios}
        challenge = accepted.get(module_id)
        phase = module.assessment
        assessed = phase in records.assessed
        stamps = [e.updated_at for e in mine] + [r.finished_at for r in played]
        if challenge:
            stamps += [challenge.checked_at or challenge.accepted_at]
        rows.append(
            ModuleProgress(
                module=module_id,
                label=module.label,
                scenarios_done=len(finished),
                scenarios=len(module.scenarios),
                reflections_done=len({e.prompt for e in mine} & prompts),
                reflections=len(prompts),
                challenge=CHECK_IN_LABEL[challenge.status] if challenge else "",
                assessed=assessed,
                last=max(stamps) if stamps else None,
                assessment=phase,
            )
        )
    return rows


def progress_table(rows: list[ModuleProgress]) -> pd.DataFrame:
    """The progress table as a DataFrame (for analysis; the notebooks' view needs no pandas)."""
    import pandas as pd

    return pd.DataFrame.from_records(
        [r.cells() for r in rows],
        columns=["module", "role-plays", "reflections", "challenge", "state"],
    )


def continue_with(rows: list[ModuleProgress]) -> ModuleProgress | None:
    """Where to pick up: the module worked on most recently that is not done, else the first
    module not started after the last one done; None when everything is done."""
    open_rows = [r for r in rows if r.state == "started" and r.last is not None]
    if open_rows:
        return max(open_rows, key=lambda r: r.last)
    done = [i for i, r in enumerate(rows) if r.state == "done"]
    after = done[-1] + 1 if done else 0
    for row in rows[after:] + rows[:after]:
        if row.state != "done":
            return row
    return None
