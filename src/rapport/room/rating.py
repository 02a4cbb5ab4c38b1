"""The room's own evaluation as the room runs it: the self-ratings a facilitator opens at the
start and at the end of a session, the one-minute reaction form, and each statement's change.

The statements come from the self-assessment (``exercises/self-assessment.yaml``), those of
the session's modules. They are fixed the first time a rating opens in a room, so the start
and the end ask the same. Each statement's answer is kept on its own
(``rating:start:listen-1``), under the room's hash of the participant's token: the start and
the end pair up per statement through that hash alone, never through a name. Reverse-keyed
statements are flipped before any change is worked out, so a rise always reads as a gain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from rapport.content.loading import load_assessment
from rapport.content.schema import AssessmentItem, OneWord, OpenText, Scale
from rapport.course.scoring import item_score
from rapport.errors import AnswerRejected, RoomError
from rapport.room.evaluation import Change, change, paired
from rapport.room.refs import ActivityRef
from rapport.room.tally import clean_answer

SETS = ("start", "end", "reaction")  # what a facilitator can open; "back" is asked with "end"
TITLES = {
    "start": "Self-rating at the start",
    "end": "Self-rating at the end",
    "reaction": "One-minute reaction",
}
STATE = "rating"  # where a room keeps its statements (and whether it looks back) in its state
LOOKING_BACK = "Looking back: how would you have rated this before today?"
# The reaction form: was it useful (1-5), what will you try (a short text), one word.
USEFUL = Scale.model_construct(
    id="useful", kind="scale", prompt="How useful was today for you?", low="Not useful",
    high="Very useful",
)  # fmt: skip
TRY = OpenText.model_construct(id="try", kind="text", prompt="What will you try this week?")
WORD = OneWord.model_construct(id="word", kind="word", prompt="Today in one word")
REACTION = (USEFUL, TRY, WORD)


@dataclass(frozen=True)
class RatingSet:
    """What a rating on screen asks: statements rated 1 to 5 (looking back too, at the end if
    the facilitator asked for it), or the reaction form's three questions."""

    which: str
    items: tuple[AssessmentItem, ...] = ()
    looking_back: bool = False
    scale: tuple[str, ...] = ()

    kind: ClassVar[str] = "rating"

    @property
    def ref(self) -> ActivityRef:
        return ActivityRef.rating(self.which)

    @property
    def id(self) -> str:
        return str(self.ref)

    @property
    def prompt(self) -> str:
        """One line for the dashboards and the projector: what the phones show now."""
        if self.which == "reaction":
            return f"{TITLES['reaction']}: was it useful, what will you try, one word."
        back = ", and looking back" if self.looking_back else ""
        count = len(self.items)
        return f"{TITLES[self.which]}: {count} statement{'s' if count != 1 else ''}{back}."

    def answers(self) -> tuple[ActivityRef, ...]:
        """Every answer this set can hold, one per statement (or question) and moment."""
        if self.which == "reaction":
            return tuple(ActivityRef.rating("reaction", q.id) for q in REACTION)
        moments = (self.which, "back") if self.looking_back else (self.which,)
        return tuple(ActivityRef.rating(m, item.id) for item in self.items for m in moments)


def check_showable(ref: ActivityRef, phase: str) -> None:
    """Refuse what cannot go on screen: one statement alone, "back" alone, or a reveal."""
    if ref.item is not None or ref.id not in SETS:
        raise RoomError("A self-rating goes on screen as a whole: the start, end or reaction.")
    if phase == "revealed":
        raise RoomError(
            "Self-ratings are never shown to the room; the dashboard shows how they changed "
            "once enough people have answered both times."
        )


def statements_for(modules: Iterable[str]) -> tuple[AssessmentItem, ...]:
    """The self-assessment's statements for ``modules``. Modules without statements of their
    own (the welcome, the closing) get the first statement of every principle instead."""
    items = load_assessment().items
    wanted = set(modules)
    chosen = tuple(item for item in items if item.module in wanted)
    if chosen:
        return chosen
    firsts: dict[str, AssessmentItem] = {}
    for item in items:
        if not item.reverse:
            firsts.setdefault(item.module, item)
    return tuple(firsts.values())


def fixed_statements(state: Mapping, modules: Iterable[str]) -> list[str]:
    """The statement ids the room rates: those fixed at its first rating, else new ones."""
    kept = (state.get(STATE) or {}).get("items")
    return list(kept) if kept else [item.id for item in statements_for(modules)]


def rating_set(ref: ActivityRef, state: Mapping) -> RatingSet:
    """The set ``ref`` stands for, with the statements the room's ``state`` fixed for it."""
    if not ref.is_rating or ref.id not in SETS or ref.item is not None:
        raise RoomError("That is not a rating set: its statements are answered with the set.")
    if ref.id == "reaction":
        return RatingSet("reaction")
    assessment = load_assessment()
    fixed = (state.get(STATE) or {}).get("items") or []
    by_id = {item.id: item for item in assessment.items}
    items = tuple(by_id[i] for i in fixed if i in by_id)  # statements since removed drop out
    looking_back = ref.id == "end" and bool((state.get(STATE) or {}).get("back"))
    return RatingSet(ref.id, items, looking_back, tuple(assessment.scale))


def clean_ratings(
    rating: RatingSet, raw: Mapping[ActivityRef | str, object]
) -> dict[ActivityRef, str]:
    """The answers to keep ({reference: text}), or AnswerRejected saying what to fix.

    Questions left empty are skipped (nobody has to answer everything), but at least one
    answer must be there.
    """
    allowed = set(rating.answers())
    kept: dict[ActivityRef, str] = {}
    for key, value in raw.items():
        try:
            ref = ActivityRef.of(key)
        except ValueError:
            ref = None
        if ref not in allowed:
            raise AnswerRejected("That question is not part of this rating; reload the page.")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        question = _question(ref)
        try:
            kept[ref] = clean_answer(question, value)
        except AnswerRejected as err:
            if isinstance(question, Scale) and rating.which != "reaction":
                raise AnswerRejected("Rate each statement from 1 to 5.") from err
            raise
    if not kept:
        what = "question" if rating.which == "reaction" else "statement"
        raise AnswerRejected(f"Answer at least one {what} before sending.")
    return kept


def _question(ref: ActivityRef) -> Scale | OpenText | OneWord:
    if ref.id == "reaction":
        return next(q for q in REACTION if q.id == ref.item)
    return USEFUL  # every statement is rated on the same 1-5 scale


# -- the room's change ----------------------------------------------------------------------
@dataclass(frozen=True)
class Rating:
    """One stored answer of a rating: what it answers, whose (the token's hash), the value."""

    ref: ActivityRef
    who: str
    value: str


@dataclass(frozen=True)
class ItemChange:
    """How the room's ratings of one statement moved, scored (reverse-keyed ones flipped)."""

    item: AssessmentItem
    started: int  # people who rated it at the start
    ended: int  # and at the end
    change: Change  # from the start to the end, over the people who rated it both times
    looked_back: Change | None = None  # from looking back to the end, when that was asked
    backed: int = 0  # people who rated it looking back


@dataclass(frozen=True)
class Reactions:
    """The reaction form's answers, each question on its own (never joined up per person)."""

    useful: tuple[int, ...] = ()
    tries: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


def scores(ratings: Iterable[Rating], items: Iterable[AssessmentItem]) -> dict:
    """{moment: {statement id: {who: score}}} for the start, the end and looking back."""
    by_id = {item.id: item for item in items}
    found: dict[str, dict[str, dict[str, int]]] = {m: {} for m in ("start", "end", "back")}
    for rating in ratings:
        item = by_id.get(rating.ref.item or "")
        if rating.ref.id in found and item is not None:
            score = item_score(item, int(rating.value))
            found[rating.ref.id].setdefault(item.id, {})[rating.who] = score
    return found


def changes(ratings: Iterable[Rating], items: Iterable[AssessmentItem]) -> list[ItemChange]:
    """Each statement's change, paired per participant; figures only from five pairs on."""
    items = list(items)
    found = scores(ratings, items)
    out = []
    for item in items:
        start, end = found["start"].get(item.id, {}), found["end"].get(item.id, {})
        back = found["back"].get(item.id)
        out.append(
            ItemChange(
                item,
                started=len(start),
                ended=len(end),
                change=change(paired(start, end)),
                looked_back=change(paired(back, end)) if back else None,
                backed=len(back or {}),
            )
        )
    return out


def reactions(ratings: Iterable[Rating]) -> Reactions:
    """The reaction form's answers, in the order they came."""
    answers: dict[str, list[str]] = {q.id: [] for q in REACTION}
    for rating in ratings:
        if rating.ref.id == "reaction" and rating.ref.item in answers:
            answers[rating.ref.item].append(rating.value)
    return Reactions(
        tuple(int(v) for v in answers["useful"]), tuple(answers["try"]), tuple(answers["word"])
    )
