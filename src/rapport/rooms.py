"""Live rooms: create, join, open activities, take answers; shared through the store only."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from rapport.codes import key_digest, key_matches, new_code, normalise_code
from rapport.content import load_module
from rapport.scenario import ScenarioRun
from rapport.schema import OpenText, Poll
from rapport.store import Store, as_utc, participants, room_answers, rooms, upsert, utc_now
from rapport.tally import Activity, AnswerRejected, Tally, clean_answer, tally, visible_text

if TYPE_CHECKING:  # pandas loads on first use, so kernels start light
    import pandas as pd

PHASES = ("closed", "open", "revealed")
PRESENT_FOR = timedelta(minutes=2)  # seen this recently counts as in the room
REJOIN_WITHIN = timedelta(hours=12)  # a reload this soon after joining goes back into the room
MAX_SHARED = 1000  # a shared journal reflection may be longer than a quick text answer
KEY_SETTING = "facilitator_key_sha256"


class RoomError(ValueError):
    """Something about a room that a participant or facilitator needs to be told plainly."""


@dataclass(frozen=True)
class Room:
    code: str
    module: str
    activity: str | None
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
        if self.activity and self.activity.startswith("play:"):
            return self.activity.removeprefix("play:")
        return None

    @property
    def vote_id(self) -> str | None:
        """The id answers to the room role-play's current decision are stored under."""
        play = self.state.get("play")
        if not self.playing or not play:
            return None
        step = len(play["path"]) - (1 if self.phase == "revealed" else 0)
        return f"vote:{play['scenario']}:{play['round']}:{step}"

    @property
    def current(self) -> str | None:
        """The id participants answer now: an activity, or the role-play's decision."""
        return self.vote_id if self.playing else self.activity


@dataclass(frozen=True)
class Answer:
    id: int
    activity: str
    value: str
    hidden: bool
    answered_at: datetime


def token_hash(token: str) -> str:
    if not token or len(token) < 16:
        raise RoomError("This browser has no participant token; reload the page to get one.")
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _room(row) -> Room:
    return Room(
        row["code"],
        row["module"],
        row["activity"],
        row["phase"],
        as_utc(row["created_at"]),
        as_utc(row["ended_at"]) if row["ended_at"] else None,
        json.loads(row["state"]) if row["state"] else {},
    )


def set_facilitator_key(store: Store, key: str) -> None:
    """Remember (a digest of) the key that opens the facilitator dashboard."""
    store.set_setting(KEY_SETTING, key_digest(key))


def facilitator_key_ok(store: Store, given: str | None) -> bool:
    """Whether ``given`` is the facilitator key, compared in constant time."""
    digest = store.setting(KEY_SETTING)
    return digest is not None and bool(given) and key_matches(given, digest)


def play_run(room: Room, steps: int | None = None) -> ScenarioRun:
    """The room role-play as a ScenarioRun, replayed from its stored path."""
    return _replay(room.module, room.state["play"], steps)


def _replay(module_id: str, play: dict, steps: int | None) -> ScenarioRun:
    run = ScenarioRun(load_module(module_id).scenario(play["scenario"]))
    for index in play["path"][:steps]:
        run.choose(index)
    return run


def activity_for(room: Room, activity_id: str) -> Activity:
    """A module activity, a role-play decision, or a shared reflection, by its id."""
    module = load_module(room.module)
    if activity_id.startswith("vote:"):
        _, scenario_id, round_, step = activity_id.split(":")
        play = room.state.get("played", {}).get(round_)
        if not play or play["scenario"] != scenario_id:
            raise RoomError("That vote is not part of this room's role-plays.")
        run = _replay(room.module, play, int(step))
        return Poll.model_construct(
            id=activity_id,
            kind="poll",
            prompt=run.says,
            options=[choice.text for choice in run.node.choices],
        )
    if activity_id.startswith("shared:"):
        prompt = module.reflection(activity_id.removeprefix("shared:"))
        return OpenText.model_construct(id=activity_id, kind="text", prompt=prompt.prompt)
    return module.activity(activity_id)


class Rooms:
    """Every room operation, each one transaction on the shared store."""

    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine

    # -- facilitator -----------------------------------------------------------------
    def create(self, module_id: str) -> Room:
        load_module(module_id)  # a room is always for a module that exists
        for _attempt in range(20):
            code = new_code()
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(rooms).values(
                            code=code, module=module_id, phase="closed", created_at=utc_now()
                        )
                    )
                return self.get(code)
            except IntegrityError:
                continue  # that code is taken: draw another
        raise RoomError("Could not find a free room code; delete some old rooms and try again.")

    def get(self, code: str) -> Room:
        code = normalise_code(code)
        with self.engine.connect() as conn:
            row = conn.execute(select(rooms).where(rooms.c.code == code)).mappings().first()
        if row is None:
            raise RoomError(f"No room has the code {code}. Check the code on the screen.")
        return _room(row)

    def list(self) -> list[Room]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(rooms).order_by(rooms.c.created_at)).mappings().all()
        return [_room(r) for r in rows]

    def show(self, code: str, activity_id: str | None, phase: str = "open") -> Room:
        """Put an activity on screen (or none), closed, open for answers, or revealed."""
        room = self.get(code)
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}")
        if activity_id is not None and not activity_id.startswith("play:"):
            load_module(room.module).activity(activity_id)
        with self.engine.begin() as conn:
            conn.execute(
                update(rooms)
                .where(rooms.c.code == room.code)
                .values(activity=activity_id, phase=phase)
            )
        return self.get(room.code)

    def update_state(self, code: str, **changes) -> Room:
        """Change parts of the room's state (timer, agenda position, role-play)."""
        room = self.get(code)
        state = {**room.state, **changes}
        state = {k: v for k, v in state.items() if v is not None}
        with self.engine.begin() as conn:
            conn.execute(
                update(rooms).where(rooms.c.code == room.code).values(state=json.dumps(state))
            )
        return self.get(room.code)

    def start_timer(self, code: str, minutes: float) -> Room:
        ends = utc_now() + timedelta(minutes=minutes)
        return self.update_state(code, timer=ends.isoformat())

    def stop_timer(self, code: str) -> Room:
        return self.update_state(code, timer=None)

    def start_play(self, code: str, scenario_id: str) -> Room:
        """Put one of the module's scenarios on screen for the room to vote through."""
        room = self.get(code)
        load_module(room.module).scenario(scenario_id)
        play = {"scenario": scenario_id, "path": [], "round": room.state.get("rounds", 0) + 1}
        played = {**room.state.get("played", {}), str(play["round"]): play}
        self.update_state(code, play=play, rounds=play["round"], played=played)
        return self.show(code, f"play:{scenario_id}", "open")

    def take(self, code: str, index: int) -> Room:
        """The facilitator takes a choice at the role-play's current decision."""
        room = self.get(code)
        if not room.playing or room.phase != "open":
            raise RoomError("There is no decision open to take a choice for.")
        run = play_run(room)
        run.choose(index)  # IndexError for a choice that is not there
        play = {**room.state["play"], "path": [*room.state["play"]["path"], index]}
        played = {**room.state.get("played", {}), str(play["round"]): play}
        self.update_state(code, play=play, played=played)
        return self.show(code, room.activity, "revealed")

    def next_decision(self, code: str) -> Room:
        """Open the vote on the decision the room's choice led to."""
        room = self.get(code)
        if not room.playing:
            raise RoomError("The room is not playing a scenario.")
        if play_run(room).finished:
            raise RoomError("The conversation has ended; this is its debrief.")
        return self.show(code, room.activity, "open")

    def end(self, code: str) -> Room:
        room = self.get(code)
        with self.engine.begin() as conn:
            conn.execute(
                update(rooms)
                .where(rooms.c.code == room.code)
                .values(ended_at=utc_now(), phase="closed")
            )
        return self.get(room.code)

    def delete(self, code: str) -> int:
        """Delete a room with its participants and answers; return how many answers went."""
        room = self.get(code)
        with self.engine.begin() as conn:
            gone = conn.execute(
                delete(room_answers).where(room_answers.c.room == room.code)
            ).rowcount
            conn.execute(delete(participants).where(participants.c.room == room.code))
            conn.execute(delete(rooms).where(rooms.c.code == room.code))
        return gone

    def hide(self, code: str, answer_id: int, hidden: bool = True) -> None:
        room = self.get(code)
        with self.engine.begin() as conn:
            conn.execute(
                update(room_answers)
                .where((room_answers.c.room == room.code) & (room_answers.c.id == answer_id))
                .values(hidden=hidden)
            )

    # -- participant -------------------------------------------------------------------
    def join(self, code: str, token: str, nickname: str | None = None) -> Room:
        """Join (or rejoin, with the same token) a room that has not ended."""
        room = self.get(code)
        if room.ended:
            raise RoomError("This workshop has ended. Thank you for taking part!")
        digest, now = token_hash(token), utc_now()
        nickname = " ".join((nickname or "").split())[:40] or None
        key = (participants.c.room == room.code) & (participants.c.token_hash == digest)
        new = {"room": room.code, "token_hash": digest, "nickname": nickname, "joined_at": now}
        if not upsert(self.engine, participants, key, {"last_seen": now}, new):
            raise RoomError("Joining did not go through just now; please try again.")
        return room

    def submit(self, code: str, token: str, activity_id: str, raw: object) -> str:
        """Take one participant's answer; answering again replaces the earlier one."""
        room = self.get(code)
        if room.ended:
            raise RoomError("This workshop has ended, so answers are closed.")
        if room.current != activity_id or room.phase != "open":
            raise RoomError(
                "This activity is closed now. Wait for the facilitator to open the next one."
            )
        value = clean_answer(activity_for(room, activity_id), raw)
        self._save_answer(room, token, activity_id, value)
        return value

    def share(self, code: str, token: str, prompt_id: str, text: str) -> str:
        """Share one journal reflection with the room, anonymously, by the learner's choice."""
        room = self.get(code)
        if room.ended:
            raise RoomError("This workshop has ended, so nothing more can be shared.")
        load_module(room.module).reflection(prompt_id)
        value = visible_text(str(text or ""), keep_newlines=True)
        if not value:
            raise AnswerRejected("There is nothing to share yet: write your reflection first.")
        if len(value) > MAX_SHARED:
            raise AnswerRejected(
                f"The room takes up to {MAX_SHARED} characters; this reflection has "
                f"{len(value)}. It stays in your journal as it is."
            )
        self._save_answer(room, token, f"shared:{prompt_id}", value)
        return value

    def _save_answer(self, room: Room, token: str, activity_id: str, value: str) -> None:
        digest, now = token_hash(token), utc_now()
        key = (
            (room_answers.c.room == room.code)
            & (room_answers.c.activity == activity_id)
            & (room_answers.c.participant == digest)
        )
        new = {"room": room.code, "activity": activity_id, "participant": digest, "hidden": False}
        if not upsert(self.engine, room_answers, key, {"value": value, "answered_at": now}, new):
            raise RoomError("Your answer could not be saved just now; please send it again.")

    def my_answer(self, code: str, token: str, activity_id: str) -> str | None:
        """This participant's answer to one activity, so a reload shows it again."""
        room = self.get(code)
        with self.engine.connect() as conn:
            return conn.execute(
                select(room_answers.c.value).where(
                    (room_answers.c.room == room.code)
                    & (room_answers.c.activity == activity_id)
                    & (room_answers.c.participant == token_hash(token))
                )
            ).scalar_one_or_none()

    def joined(self, token: str) -> Room | None:
        """The live room this browser joined most recently (within hours), if any."""
        since = utc_now() - REJOIN_WITHIN
        with self.engine.connect() as conn:
            code = conn.execute(
                select(participants.c.room)
                .join(rooms, rooms.c.code == participants.c.room)
                .where(
                    (participants.c.token_hash == token_hash(token))
                    & (participants.c.last_seen >= since)
                    & rooms.c.ended_at.is_(None)
                )
                .order_by(participants.c.last_seen.desc())
                .limit(1)
            ).scalar_one_or_none()
        return self.get(code) if code else None

    def answered(self, code: str, activity_id: str) -> int:
        """How many participants answered (hidden answers count: they did answer)."""
        room = self.get(code)
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count())
                .select_from(room_answers)
                .where(
                    (room_answers.c.room == room.code) & (room_answers.c.activity == activity_id)
                )
            ).scalar_one()

    def answer_counts(self, code: str) -> dict[str, int]:
        """Answers per activity id (hidden ones included), in the order activities were first
        answered: one counting query, for listings and summaries."""
        room = self.get(code)
        first = func.min(room_answers.c.id)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(room_answers.c.activity, func.count())
                .where(room_answers.c.room == room.code)
                .group_by(room_answers.c.activity)
                .order_by(first)
            ).all()
        return {activity: count for activity, count in rows}

    def shared(self, code: str) -> list[Answer]:
        """Reflections participants chose to share with the room (not hidden)."""
        room = self.get(code)
        query = select(room_answers).where(
            (room_answers.c.room == room.code) & room_answers.c.activity.startswith("shared:")
        )
        return self._answers(query.where(room_answers.c.hidden.is_(False)))

    # -- results -----------------------------------------------------------------------
    def answers(self, code: str, activity_id: str, include_hidden: bool = False) -> list[Answer]:
        room = self.get(code)
        query = select(room_answers).where(
            (room_answers.c.room == room.code) & (room_answers.c.activity == activity_id)
        )
        if not include_hidden:
            query = query.where(room_answers.c.hidden.is_(False))
        return self._answers(query)

    def _answers(self, query) -> list[Answer]:
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(room_answers.c.id)).mappings().all()
        return [
            Answer(r["id"], r["activity"], r["value"], bool(r["hidden"]), as_utc(r["answered_at"]))
            for r in rows
        ]

    def tally(self, code: str, activity_id: str) -> Tally:
        room = self.get(code)
        activity = activity_for(room, activity_id)
        return tally(activity, [a.value for a in self.answers(room.code, activity_id)])

    def present(self, code: str) -> int:
        """How many participants were seen in the last two minutes."""
        room = self.get(code)
        since = utc_now() - PRESENT_FOR
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count())
                .select_from(participants)
                .where((participants.c.room == room.code) & (participants.c.last_seen >= since))
            ).scalar_one()

    def export(self, code: str) -> pd.DataFrame:
        """One row per answer, with no participant data: for CSV export."""
        import pandas as pd

        room = self.get(code)
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(room_answers)
                    .where(room_answers.c.room == room.code)
                    .order_by(room_answers.c.id)
                )
                .mappings()
                .all()
            )
        records = []
        for r in rows:
            try:
                activity = activity_for(room, r["activity"])
            except (LookupError, RoomError, ValueError):
                activity = None  # e.g. an earlier round of a role-play, or content since changed
            kind = activity.kind if activity else ""
            if r["activity"].startswith("vote:"):
                kind = "vote"
            elif r["activity"].startswith("shared:"):
                kind = "shared reflection"
            value = r["value"]
            if activity is not None and activity.kind == "poll":
                value = activity.options[int(value)]
            records.append(
                {
                    "room": room.code,
                    "module": room.module,
                    "activity": r["activity"],
                    "kind": kind,
                    "answer": value,
                    "hidden": bool(r["hidden"]),
                    "answered_at": as_utc(r["answered_at"]).isoformat(timespec="seconds"),
                }
            )
        columns = ["room", "module", "activity", "kind", "answer", "hidden", "answered_at"]
        return pd.DataFrame.from_records(records, columns=columns)
