"""Rooms: every live-room operation, each one transaction on the shared store.

The room's rules and values live in :mod:`rapport.room`; this is where they meet the database.
Participants are known only by a hash of their browser's random token.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from rapport.content.loading import load_module
from rapport.errors import AnswerRejected, RoomError
from rapport.room.codes import key_digest, key_matches, new_code, normalise_code
from rapport.room.model import (
    MAX_SHARED,
    PHASES,
    PRESENT_FOR,
    REJOIN_WITHIN,
    Answer,
    Room,
    activity_for,
    play_run,
    token_hash,
)
from rapport.room.rating import check_showable
from rapport.room.refs import ActivityRef
from rapport.room.tally import Tally, clean_answer, tally, visible_text
from rapport.store.database import (
    Store,
    as_utc,
    guard_public_methods,
    upsert,
    utc_now,
)
from rapport.store.tables import participants, room_answers, rooms

KEY_SETTING = "facilitator_key_sha256"

__all__ = ["Answer", "Room", "RoomError", "Rooms", "facilitator_key_ok", "set_facilitator_key"]


def _room(row) -> Room:
    return Room(
        row["code"],
        row["module"],
        ActivityRef.parse(row["activity"]) if row["activity"] else None,
        row["phase"],
        as_utc(row["created_at"]),
        as_utc(row["ended_at"]) if row["ended_at"] else None,
        json.loads(row["state"]) if row["state"] else {},
    )


def _answer(row) -> Answer:
    return Answer(
        row["id"],
        ActivityRef.parse(row["activity"]),
        row["value"],
        bool(row["hidden"]),
        as_utc(row["answered_at"]),
    )


def set_facilitator_key(store: Store, key: str) -> None:
    """Remember (a digest of) the key that opens the facilitator dashboard."""
    store.set_setting(KEY_SETTING, key_digest(key))


def facilitator_key_ok(store: Store, given: str | None) -> bool:
    """Whether ``given`` is the facilitator key, compared in constant time."""
    digest = store.setting(KEY_SETTING)
    return digest is not None and bool(given) and key_matches(given, digest)


@guard_public_methods
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

    def show(self, code: str, on_screen: ActivityRef | str | None, phase: str = "open") -> Room:
        """Put an activity or role-play on screen (or nothing), closed, open or revealed."""
        room = self.get(code)
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}")
        ref = None if on_screen is None else ActivityRef.of(on_screen)
        module = load_module(room.module)
        if ref is not None and ref.kind == "play":
            module.scenario(ref.id)
        elif ref is not None and ref.kind == "activity":
            module.activity(ref.id)
        elif ref is not None and ref.is_rating:
            check_showable(ref, phase)  # opened with its statements by RoomRatings.open
        elif ref is not None:
            raise RoomError("Only a group activity or a role-play can go on screen.")
        with self.engine.begin() as conn:
            conn.execute(
                update(rooms)
                .where(rooms.c.code == room.code)
                .values(activity=None if ref is None else str(ref), phase=phase)
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
        return self.show(code, ActivityRef.play(scenario_id), "open")

    def take(self, code: str, index: int) -> Room:
        """The facilitator takes a choice at the role-play's current decision."""
        room = self.get(code)
        if not room.playing or room.phase != "open":
            raise RoomError("There is no decision open to take a choice for.")
        run = play_run(room)
        run.choose(index)  # IndexError for a choice that is not there
        path = [*room.state["play"]["path"], index]
        play = {**room.state["play"], "path": path, "coached": False}
        played = {**room.state.get("played", {}), str(play["round"]): play}
        self.update_state(code, play=play, played=played)
        return self.show(code, room.activity, "revealed")

    def show_coaching(self, code: str) -> Room:
        """Show everyone the coaching on the room's last choice (after its reaction)."""
        room = self.get(code)
        if not room.playing or room.phase != "revealed":
            raise RoomError("The room has not taken a choice yet, so there is no coaching to show.")
        play = {**room.state["play"], "coached": True}
        played = {**room.state.get("played", {}), str(play["round"]): play}
        return self.update_state(code, play=play, played=played)

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

    def submit(self, code: str, token: str, answering: ActivityRef | str, raw: object) -> str:
        """Take one participant's answer; answering again replaces the earlier one."""
        room = self.get(code)
        ref = ActivityRef.of(answering)
        if room.ended:
            raise RoomError("This workshop has ended, so answers are closed.")
        if room.current != ref or room.phase != "open":
            raise RoomError(
                "This activity is closed now. Wait for the facilitator to open the next one."
            )
        if ref.is_rating:
            raise RoomError("A rating is sent whole: answer its statements on the rating form.")
        value = clean_answer(activity_for(room, ref), raw)
        self._save_answer(room, token, ref, value)
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
        self._save_answer(room, token, ActivityRef.shared(prompt_id), value)
        return value

    def _save_answer(self, room: Room, token: str, ref: ActivityRef, value: str) -> None:
        digest, now = token_hash(token), utc_now()
        key = (
            (room_answers.c.room == room.code)
            & (room_answers.c.activity == str(ref))
            & (room_answers.c.participant == digest)
        )
        new = {"room": room.code, "activity": str(ref), "participant": digest, "hidden": False}
        if not upsert(self.engine, room_answers, key, {"value": value, "answered_at": now}, new):
            raise RoomError("Your answer could not be saved just now; please send it again.")

    def my_answer(self, code: str, token: str, answering: ActivityRef | str) -> str | None:
        """This participant's answer to one activity, so a reload shows it again."""
        room = self.get(code)
        with self.engine.connect() as conn:
            return conn.execute(
                select(room_answers.c.value).where(
                    (room_answers.c.room == room.code)
                    & (room_answers.c.activity == str(ActivityRef.of(answering)))
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

    def answered(self, code: str, answering: ActivityRef | str) -> int:
        """How many participants answered (hidden answers count: they did answer); for a
        rating set, how many answered any of its statements."""
        room, ref = self.get(code), ActivityRef.of(answering)
        which = room_answers.c.activity == str(ref)
        if ref.is_rating and ref.item is None:
            which = room_answers.c.activity.startswith(ActivityRef.rating_prefix(ref.id))
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count(room_answers.c.participant.distinct())).where(
                    (room_answers.c.room == room.code) & which
                )
            ).scalar_one()

    def answer_counts(self, code: str) -> dict[ActivityRef, int]:
        """Answers per activity (hidden ones included), in the order activities were first
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
        return {ActivityRef.parse(activity): count for activity, count in rows}

    def shared(self, code: str) -> list[Answer]:
        """Reflections participants chose to share with the room (not hidden)."""
        room = self.get(code)
        query = select(room_answers).where(
            (room_answers.c.room == room.code)
            & room_answers.c.activity.startswith(ActivityRef.shared_prefix())
        )
        return self._answers(query.where(room_answers.c.hidden.is_(False)))

    # -- results -----------------------------------------------------------------------
    def answers(
        self, code: str, answering: ActivityRef | str, include_hidden: bool = False
    ) -> list[Answer]:
        room = self.get(code)
        query = select(room_answers).where(
            (room_answers.c.room == room.code)
            & (room_answers.c.activity == str(ActivityRef.of(answering)))
        )
        if not include_hidden:
            query = query.where(room_answers.c.hidden.is_(False))
        return self._answers(query)

    def _answers(self, query) -> list[Answer]:
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(room_answers.c.id)).mappings().all()
        return [_answer(r) for r in rows]

    def tally(self, code: str, answering: ActivityRef | str) -> Tally:
        room = self.get(code)
        ref = ActivityRef.of(answering)
        activity = activity_for(room, ref)
        return tally(activity, [a.value for a in self.answers(room.code, ref)])

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

    def all_answers(self, code: str) -> list[Answer]:
        """Every answer given in the room, hidden ones included, in the order they came."""
        room = self.get(code)
        return self._answers(select(room_answers).where(room_answers.c.room == room.code))
