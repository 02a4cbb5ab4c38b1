"""ActivityRef: what a room has on screen or takes answers to, as one small typed value.

A room shows one of a module's group activities, or plays one of its role-plays; answers go to
an activity, to one decision of a role-play played by the room (a *vote*), or to the room's
shared reflections. A *rating* is the room's own evaluation: a set of self-ratings (at the
start or end of a session) or the reaction form on screen, and each statement's answer kept
apart (``rating:start:listen-1``). In the store each reference is a short text, and this module
alone writes and reads that text: :meth:`ActivityRef.parse` and ``str(ref)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["activity", "play", "vote", "shared", "rating"]
KINDS: tuple[str, ...] = ("activity", "play", "vote", "shared", "rating")
# When a rating is answered: at the start, at the end, looking back (asked at the end: how
# would you have rated this before today?), or in the reaction form.
MOMENTS: tuple[str, ...] = ("start", "end", "back", "reaction")
_SEP = ":"


@dataclass(frozen=True, order=True)
class ActivityRef:
    """A reference to something a room runs.

    ``kind`` is ``activity`` (``id`` is the activity's), ``play`` (``id`` is the scenario's),
    ``vote`` (the scenario, the round the room plays it in, and the decision's step),
    ``shared`` (``id`` is the reflection prompt's) or ``rating`` (``id`` is one of
    ``MOMENTS``; ``item``, if given, is the statement or question one answer is kept under).
    """

    kind: Kind
    id: str
    round: int | None = None
    step: int | None = None
    item: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            kinds = ", ".join(KINDS)
            raise ValueError(f"an activity reference is one of {kinds}, not {self.kind!r}")
        if not self.id or _SEP in self.id:
            raise ValueError(f"not an id: {self.id!r}")
        is_vote = self.kind == "vote"
        if is_vote != (self.round is not None and self.step is not None):
            raise ValueError("a vote, and only a vote, has a round and a step")
        if self.kind == "rating" and self.id not in MOMENTS:
            raise ValueError(f"a rating is one of {', '.join(MOMENTS)}, not {self.id!r}")
        if self.item is not None and (self.kind != "rating" or not self.item or _SEP in self.item):
            raise ValueError(f"only a rating names a statement, and {self.item!r} is not one")

    # -- making one -----------------------------------------------------------------------
    @classmethod
    def activity(cls, activity_id: str) -> ActivityRef:
        return cls("activity", activity_id)

    @classmethod
    def play(cls, scenario_id: str) -> ActivityRef:
        return cls("play", scenario_id)

    @classmethod
    def vote(cls, scenario_id: str, round_: int, step: int) -> ActivityRef:
        return cls("vote", scenario_id, round_, step)

    @classmethod
    def shared(cls, prompt_id: str) -> ActivityRef:
        return cls("shared", prompt_id)

    @classmethod
    def rating(cls, moment: str, item: str | None = None) -> ActivityRef:
        return cls("rating", moment, item=item)

    @classmethod
    def parse(cls, text: str) -> ActivityRef:
        """The reference a stored text stands for (a bare id is a group activity)."""
        kind, sep, rest = text.partition(_SEP)
        if not sep:
            return cls.activity(text)
        if kind == "vote":
            parts = rest.split(_SEP)
            if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
                raise ValueError(f"not a vote reference: {text!r}")
            return cls.vote(parts[0], int(parts[1]), int(parts[2]))
        if kind in ("play", "shared"):
            return cls(kind, rest)  # type: ignore[arg-type]
        if kind == "rating":
            moment, sep, item = rest.partition(_SEP)
            return cls.rating(moment, item if sep else None)
        raise ValueError(f"not an activity reference: {text!r}")

    @classmethod
    def of(cls, value: ActivityRef | str) -> ActivityRef:
        """``value`` as a reference: references pass through, texts are parsed."""
        return value if isinstance(value, ActivityRef) else cls.parse(value)

    # -- reading one ----------------------------------------------------------------------
    def __str__(self) -> str:
        if self.kind == "activity":
            return self.id
        if self.kind == "vote":
            return _SEP.join(("vote", self.id, str(self.round), str(self.step)))
        if self.item is not None:
            return _SEP.join((self.kind, self.id, self.item))
        return f"{self.kind}{_SEP}{self.id}"

    @property
    def is_vote(self) -> bool:
        return self.kind == "vote"

    @property
    def is_shared(self) -> bool:
        return self.kind == "shared"

    @property
    def is_rating(self) -> bool:
        return self.kind == "rating"

    @staticmethod
    def shared_prefix() -> str:
        """What every stored shared-reflection reference starts with (for a query)."""
        return f"shared{_SEP}"

    @staticmethod
    def rating_prefix(moment: str | None = None) -> str:
        """What every stored rating reference (of one moment, if given) starts with."""
        return f"rating{_SEP}" + (f"{moment}{_SEP}" if moment else "")
