"""A live room as a value, and the rules that read it: what is on screen, what participants
answer now, the role-play the room plays together, and the countdown."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapport.content.loading import load_module
from rapport.content.schema import OpenText, Poll
from rapport.course.scenario import ScenarioRun
from rapport.errors import RoomError
from rapport.room.rating import RatingSet, rating_set
from rapport.room.refs import ActivityRef
from rapport.room.tally import Activity

PHASES = ("closed", "open", "revealed")
PRESENT_FOR = timedelta(minutes=2)  # seen this recently counts as in the room
REJOIN_WITHIN = timedelta(hours=12)  # a reload this soon after joining goes back into the room
MAX_SHARED = 1000  # a shared journal reflection may be longer than a quick text answer


@dataclass(frozen=True)
class Room:
    code: str
    module: str
    activity: ActivityRef | None  # what is on screen: a group activity or a role-play
    phase: str
    created_at: datetime
    ended_at: datetime | None
    state: dict = field(default_factory=dict, compare=False)

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def playing(self) -> str | None:
        """The scenario the room is playing together, if that is what is on screen."""
        if self.activity is not None and self.activity.kind == "play":
            return self.activity.id
        return None

    @property
    def vote(self) -> ActivityRef | None:
        """Where answers to the room role-play's current decision are kept."""
        play = self.state.get("play")
        if not self.playing or not play:
            return None
        step = len(play["path"]) - (1 if self.phase == "revealed" else 0)
        return ActivityRef.vote(play["scenario"], play["round"], step)

    @property
    def current(self) -> ActivityRef | None:
        """What participants answer now: a group activity, or the role-play's decision."""
        return self.vote if self.playing else self.activity

    @property
    def timer(self) -> datetime | None:
        """When the room's countdown ends, while one runs."""
        ends = self.state.get("timer")
        return datetime.fromisoformat(ends) if ends else None


@dataclass(frozen=True)
class Answer:
    id: int
    activity: ActivityRef
    value: str
    hidden: bool
    answered_at: datetime


def token_hash(token: str | None) -> str:
    if not token or len(token) < 16:
        raise RoomError("This browser has no participant token; reload the page to get one.")
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def time_left(room: Room, now: datetime) -> str | None:
    """The countdown, as ``mm:ss``, while the room's timer runs."""
    ends = room.timer
    if ends is None:
        return None
    seconds = max(0, math.ceil((ends - now).total_seconds()))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def play_run(room: Room, steps: int | None = None) -> ScenarioRun:
    """The room role-play as a ScenarioRun, replayed from its stored path."""
    return replay(room, room.state["play"], steps)


def replay(room: Room, play: dict, steps: int | None = None) -> ScenarioRun:
    """A role-play the room played (or plays), replayed to ``steps`` decisions. Its options
    are shuffled by the room and round, the same on the projector and on every phone."""
    seed = f"{room.code}|{play['round']}"
    run = ScenarioRun(load_module(room.module).scenario(play["scenario"]), seed=seed)
    for index in play["path"][:steps]:
        run.choose(index)
    return run


def coached(room: Room) -> bool:
    """Whether the facilitator has shown the coaching on the room's last choice."""
    return bool(room.state.get("play", {}).get("coached"))


def activity_for(room: Room, ref: ActivityRef) -> Activity | RatingSet:
    """A module activity, a role-play decision (as a poll), a shared reflection, or a rating
    set (the room's own evaluation, answered as a whole)."""
    if ref.is_rating:
        return rating_set(ref, room.state)
    module = load_module(room.module)
    if ref.kind == "vote":
        play = room.state.get("played", {}).get(str(ref.round))
        if not play or play["scenario"] != ref.id:
            raise RoomError("That vote is not part of this room's role-plays.")
        run = replay(room, play, ref.step)
        return Poll.model_construct(
            id=str(ref),
            kind="poll",
            prompt=run.says,
            options=[choice.text for choice in run.node.choices],
        )
    if ref.kind == "shared":
        prompt = module.reflection(ref.id)
        return OpenText.model_construct(id=str(ref), kind="text", prompt=prompt.prompt)
    if ref.kind == "play":
        raise RoomError("A role-play is answered one decision at a time.")
    return module.activity(ref.id)
