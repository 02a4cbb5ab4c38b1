"""A module's slide deck, built from its content and the facilitator's notes, never by hand.

A deck is a list of typed slides: the title and guiding questions, the group agreements and
the support slide where the notes call for them, the idea and its story, the skill (what it
is, its steps, its stems, a weak and a strong version), the drill, every group activity and
role-play as a live slide, the practice challenge and the key points. An agenda is a sequence
of decks with its breaks. Each slide knows the part of the module's timing plan it belongs to,
so the presenter view can show the notes and minutes for that part.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from rapport.content.agenda import clock, load_agendas, sessions
from rapport.content.loading import (
    load_facilitator_notes,
    load_manifest,
    load_module,
    notebooks_dir,
    project_root,
)
from rapport.content.scenarios import Scenario
from rapport.content.schema import Activity, FacilitatorNotes, Module
from rapport.content.skills import Drill, Example
from rapport.errors import RapportError
from rapport.room.refs import ActivityRef

Kind = Literal[
    "title", "questions", "agreements", "support", "idea", "story", "skill", "steps", "stems",
    "example", "drill", "models", "activity", "situations", "play", "challenge", "key-points",
    "session", "slot",
]  # fmt: skip
DECK_NAME = re.compile(r"^(?:(?P<module>\d\d-[a-z0-9][a-z0-9-]*)|agenda/(?P<agenda>[a-z0-9-]+)"
                       r"(?:/(?P<session>\d{1,2}))?)$")  # fmt: skip
# What a timing step says when it is about a kind of slide (a role-play is named in quotes).
ACTIVITY_WORDS = {
    "poll": ("poll",),
    "scale": ("scale",),
    "word": ("one-word", "one word", "word cloud", "cloud"),
    "text": ("open question", "read out anonymously"),
    "pair": ("pair exercise",),
}
PART_WORDS = {
    "agreements": ("agreements", "ground rules"),
    "support": ("support slide", "support card", "support-services card", "support list"),
    "idea": ("the idea", "story"),
    "story": ("story",),
    "skill": ("skill",),
    "steps": ("skill",),
    "stems": ("skill",),
    "example": ("skill",),
    "drill": ("drill",),
    "challenge": ("challenge",),
    "key-points": ("key points",),
}
SUPPORT_NEEDED = ("support", "helpline", "counsellor")  # notes that point people to help


class DeckNotFound(RapportError, LookupError):
    """No deck has that name; the message says which names there are."""


@dataclass(frozen=True)
class Slide:
    """One slide: what kind it is, its words, and what it shows live when presented."""

    kind: Kind
    title: str
    module: str = ""  # the module it comes from ("" for an agenda's own slides)
    points: tuple[str, ...] = ()
    text: str = ""
    minutes: int | None = None
    live: ActivityRef | None = None  # a group activity or role-play it opens in a room
    activity: Activity | None = None
    scenario: Scenario | None = None
    example: Example | None = None
    drill: Drill | None = None
    step: int | None = None  # the part of the module's timing plan it belongs to
    background: tuple[str, ...] = ()  # for the presenter: what the slide itself leaves out


@dataclass(frozen=True)
class Deck:
    name: str  # "05-listen", "agenda/taster", "agenda/series/2"
    title: str
    slides: tuple[Slide, ...]

    def __len__(self) -> int:
        return len(self.slides)

    def kinds(self) -> list[str]:
        return [slide.kind for slide in self.slides]


@dataclass(frozen=True)
class PartNotes:
    """What the presenter sees beside a slide: the timing step, and the notes for it."""

    what: str = ""
    minutes: int | None = None
    step: int | None = None  # 0-based, of ``steps``
    steps: int = 0
    planned_before: int = 0  # minutes of the module's plan before this part
    talking_points: tuple[str, ...] = ()
    debrief: tuple[str, ...] = ()
    care: tuple[str, ...] = ()
    more: tuple[str, ...] = ()  # the slide's own background: why a skill works, model notes


def module_deck(module_id: str, part: str = "full", root: Path | None = None) -> Deck:
    """The deck of one module (``part="teaching"``: its idea only, no activities)."""
    module = load_module(module_id, root)
    slides = module_slides(module, load_facilitator_notes(module_id, root), part, root)
    return Deck(module.id, module.label, tuple(slides))


def module_slides(
    module: Module, notes: FacilitatorNotes | None, part: str = "full", root: Path | None = None
) -> list[Slide]:
    """A module's slides in teaching order, each placed in the notes' timing plan."""
    full = part == "full"
    mid = module.id
    kind = "Framing" if module.kind == "framing" else "Principle"
    slides = [
        Slide("title", module.label, mid, text=f"{kind} · {module.minutes.total} minutes"),
        Slide("questions", "Questions for today", mid, tuple(module.questions)),
    ]
    if rules := group_agreements(module, root):
        slides.append(Slide("agreements", "Our group agreements", mid, tuple(rules)))
    start, end = support_calls(module, notes)
    if start:
        slides.append(Slide("support", "Support is here if you need it", mid))
    if module.idea:
        slides += [Slide("idea", s.title, mid, tuple(s.points)) for s in module.idea.slides]
        slides.append(Slide("story", "A story", mid, text=module.idea.story))
    if skill := module.skill:
        slides += [
            Slide("skill", skill.name, mid, text=skill.what, background=(skill.why,)),
            Slide("steps", f"{skill.name}: step by step", mid, tuple(skill.steps)),
            Slide("stems", "Ways to start", mid, tuple(skill.stems)),
            Slide(
                "example",
                "Weaker and stronger",
                mid,
                example=skill.example,
                background=(skill.example.why,),
            ),
        ]
    if full and (drill := module.drill):
        slides += [
            Slide("drill", drill.title, mid, tuple(drill.stems), drill.task, drill=drill),
            Slide(
                "models",
                "Compare with these",
                mid,
                drill=drill,
                background=tuple(f"{m.label}: {m.note}" for m in drill.models),
            ),
        ]
    if full:
        for activity in module.activities:
            ref = ActivityRef.activity(activity.id)
            slides.append(Slide("activity", activity.prompt, mid, live=ref, activity=activity))
            if activity.kind == "pair" and (found := situations(notes)):
                slides.append(
                    Slide("situations", "Some everyday situations", mid, found, activity=activity)
                )
        for scenario in module.scenarios:
            ref = ActivityRef.play(scenario.id)
            questions = tuple(scenario.debrief.questions)
            slides.append(
                Slide(
                    "play", scenario.title, mid, live=ref, scenario=scenario, background=questions
                )
            )
        if module.challenge:
            challenge = module.challenge
            slides.append(Slide("challenge", challenge.title, mid, text=challenge.text))
    if module.key_points:
        slides.append(Slide("key-points", "Key points", mid, tuple(module.key_points)))
    if end:
        slides.append(Slide("support", "Support is here if you need it", mid))
    return place_in_timing(slides, notes)


def group_agreements(module: Module, root: Path | None = None) -> list[str]:
    """The numbered list under the module notebook's "Ground rules" heading (module 00), as
    plain sentences; none when the notebook has no such section."""
    path = notebooks_dir(root) / f"{module.id}.ipynb"
    if not path.is_file():
        return []
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown" and re.match(r"#+\s*Ground rules", source):
            items = re.findall(r"^\d+\.\s+(.*(?:\n {2,}\S.*)*)", source, re.M)
            return [" ".join(re.sub(r"[*_`]", "", item).split()) for item in items]
    return []


def support_calls(module: Module, notes: FacilitatorNotes | None) -> tuple[bool, bool]:
    """Whether the deck shows the support slide at its start, and at its end: at the start when
    the notes say to show it then; at the end for every module with a care note, or notes that
    point people to help."""
    if notes is None:
        return False, module.care_note is not None
    said = [*notes.setup, *notes.care, *(step.what for step in notes.timing)]
    lower = [line.lower() for line in said]
    start = any("support" in s and "at the start" in s for s in lower) or any(
        w in notes.timing[0].what.lower() for w in PART_WORDS["support"]
    )
    end = module.care_note is not None or any(w in s for s in lower for w in SUPPORT_NEEDED)
    return start, end


def situations(notes: FacilitatorNotes | None) -> tuple[str, ...]:
    """The everyday situations the notes list for the slide beside the pair exercise."""
    return tuple(notes.situations) if notes else ()


def _words(slide: Slide) -> tuple[tuple[str, ...], ...]:
    """What a timing step says when it is about ``slide``: exact names first (a role-play's
    title or an activity's id in quotes), then the words for its kind."""
    if slide.kind == "play" and slide.scenario is not None:
        return ((f'"{slide.scenario.title.lower()}"',),)
    if slide.kind in ("activity", "situations") and slide.activity is not None:
        activity = slide.activity
        named = (f'"{activity.id}"', f'"{activity.prompt.lower()}"')
        return named, ACTIVITY_WORDS[activity.kind]
    return (PART_WORDS.get(slide.kind, ()),)


def place_in_timing(slides: list[Slide], notes: FacilitatorNotes | None) -> list[Slide]:
    """Each slide's step in the timing plan: the step that names it (a closing support slide,
    the last one), or else the step of the slide before it."""
    if notes is None:
        return slides
    steps = [step.what.lower() for step in notes.timing]
    placed, current = [], 0
    for index, slide in enumerate(slides):
        hits = []
        for words in _words(slide):
            hits = hits or [n for n, what in enumerate(steps) if any(w in what for w in words)]
        if hits:
            closing = slide.kind == "support" and index == len(slides) - 1
            current = hits[-1] if closing else hits[0]
        placed.append(replace(slide, step=current))
    return placed


def part_notes(slide: Slide, root: Path | None = None) -> PartNotes:
    """The notes for the part ``slide`` belongs to, from ``facilitator/NN-*.yaml``."""
    more = slide.background
    notes = load_facilitator_notes(slide.module, root) if slide.module else None
    if notes is None:
        return PartNotes(what=slide.title if slide.kind == "slot" else "", more=more)
    step = slide.step or 0
    timing = notes.timing[step]
    debrief = notes.debrief.get(slide.scenario.id, []) if slide.scenario else []
    more = tuple(line for line in more if line not in debrief)  # said once is enough
    care = notes.care if slide.kind in ("title", "support", "play", "activity") else []
    return PartNotes(
        what=timing.what,
        minutes=timing.minutes,
        step=step,
        steps=len(notes.timing),
        planned_before=sum(t.minutes for t in notes.timing[:step]),
        talking_points=tuple(notes.talking_points),
        debrief=tuple(debrief),
        care=tuple(care),
        more=more,
    )


def agenda_deck(format_id: str, session: int | None = None, root: Path | None = None) -> Deck:
    """An agenda as one sequence of decks: a title slide with the times, then each module's deck
    (or its idea only) and each break. A series is every week in turn, or week ``session``."""
    root = root or project_root()
    formats = load_agendas(root).formats
    if format_id not in formats:
        raise DeckNotFound(
            f"There is no agenda called {format_id!r}; the agendas are {', '.join(formats)}."
        )
    plan = formats[format_id]
    order = load_manifest(root).modules
    modules = {m: load_module(m, root) for m in order}
    parts = {i.module: i.part for i in plan.items if i.module}
    found = sessions(plan, modules, order)
    if session is not None:
        if not 1 <= session <= len(found):
            raise DeckNotFound(f"{plan.title} has sessions 1 to {len(found)}, not {session}.")
        found = [found[session - 1]]
    slides: list[Slide] = []
    for meeting in found:
        times = tuple(f"{clock(s.start)} · {s.label} ({s.minutes} min)" for s in meeting.slots)
        title = meeting.title if plan.weeks else plan.title
        slides.append(Slide("session", title, points=times, minutes=meeting.minutes))
        for slot in meeting.slots:
            if slot.module is None:
                slides.append(Slide("slot", slot.label, minutes=slot.minutes))
                continue
            part = parts.get(slot.module, "full")
            slides += module_deck(slot.module, part, root).slides
    name = f"agenda/{format_id}" + (f"/{session}" if session is not None else "")
    title = plan.title + (f" · {found[0].title}" if session is not None and plan.weeks else "")
    return Deck(name, title, tuple(slides))


def deck_named(name: str, root: Path | None = None) -> Deck:
    """The deck a name stands for: ``05-listen``, ``agenda/taster`` or ``agenda/series/2``."""
    match = DECK_NAME.match(name or "")
    if match is None:
        raise DeckNotFound(
            f"{name!r} is not a deck: give a module such as 05-listen, or an agenda such as "
            "agenda/taster."
        )
    if match["module"]:
        known = load_manifest(root).modules
        if match["module"] not in known:
            raise DeckNotFound(
                f"There is no module {match['module']!r}; the modules run from {known[0]} to "
                f"{known[-1]}."
            )
        return module_deck(match["module"], root=root)
    session = int(match["session"]) if match["session"] else None
    return agenda_deck(match["agenda"], session, root)
