"""Live rooms: create, join, open activities, take answers; shared through the store only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from rapport.codes import new_code, normalise_code
from rapport.content import load_module
from rapport.store import Store, as_utc, participants, room_answers, rooms, upsert, utc_now
from rapport.tally import Tally, clean_answer, tally

PHASES = ("closed", "open", "revealed")
PRESENT_FOR = timedelta(minutes=2)  # seen this recently counts as in the room


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

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


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
    )


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
        if activity_id is not None:
            load_module(room.module).activity(activity_id)
        with self.engine.begin() as conn:
            conn.execute(
                update(rooms)
                .where(rooms.c.code == room.code)
                .values(activity=activity_id, phase=phase)
            )
        return self.get(room.code)

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
        if room.activity != activity_id or room.phase != "open":
            raise RoomError(
                "This activity is closed now. Wait for the facilitator to open the next one."
            )
        value = clean_answer(load_module(room.module).activity(activity_id), raw)
        digest, now = token_hash(token), utc_now()
        key = (
            (room_answers.c.room == room.code)
            & (room_answers.c.activity == activity_id)
            & (room_answers.c.participant == digest)
        )
        new = {"room": room.code, "activity": activity_id, "participant": digest, "hidden": False}
        if upsert(self.engine, room_answers, key, {"value": value, "answered_at": now}, new):
            return value
        raise RoomError("Your answer could not be saved just now; please send it again.")

    # -- results -----------------------------------------------------------------------
    def answers(self, code: str, activity_id: str, include_hidden: bool = False) -> list[Answer]:
        room = self.get(code)
        query = select(room_answers).where(
            (room_answers.c.room == room.code) & (room_answers.c.activity == activity_id)
        )
        if not include_hidden:
            query = query.where(room_answers.c.hidden.is_(False))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(room_answers.c.id)).mappings().all()
        return [
            Answer(r["id"], r["activity"], r["value"], bool(r["hidden"]), as_utc(r["answered_at"]))
            for r in rows
        ]

    def tally(self, code: str, activity_id: str) -> Tally:
        room = self.get(code)
        activity = load_module(room.module).activity(activity_id)
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
        room = self.get(code)
        module = load_module(room.module)
        kinds = {a.id: a for a in module.activities}
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
            activity = kinds.get(r["activity"])
            value = r["value"]
            if activity is not None and activity.kind == "poll":
                value = activity.options[int(value)]
            records.append(
                {
                    "room": room.code,
                    "module": room.module,
                    "activity": r["activity"],
                    "kind": activity.kind if activity else "",
                    "answer": value,
                    "hidden": bool(r["hidden"]),
                    "answered_at": as_utc(r["answered_at"]).isoformat(timespec="seconds"),
                }
            )
        columns = ["room", "module", "activity", "kind", "answer", "hidden", "answered_at"]
        return pd.DataFrame.from_records(records, columns=columns)
