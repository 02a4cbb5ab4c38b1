"""RoomRatings: the room's own evaluation in the store, beside the room's other answers.

A rating set (the self-rating at the start or the end, the reaction form) is answered as a
whole, and kept as one row per statement in the room's answers: sent in one transaction, and
paired later per statement through the hash of the participant's token, never a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from rapport.errors import RoomError
from rapport.room.model import Room, token_hash
from rapport.room.rating import STATE, Rating, clean_ratings, fixed_statements, rating_set
from rapport.room.refs import ActivityRef
from rapport.store.database import guard_public_methods, utc_now
from rapport.store.rooms import Rooms
from rapport.store.tables import room_answers

ATTEMPTS = 3  # two tabs sending at once: the loser of the race tries again


@guard_public_methods
class RoomRatings:
    """Open a rating set, take a participant's answers to it, and read them all back."""

    def __init__(self, rooms: Rooms):
        self.rooms = rooms
        self.engine = rooms.engine

    def open(
        self,
        code: str,
        which: str,
        modules: Iterable[str] | None = None,
        looking_back: bool = False,
    ) -> Room:
        """Put a rating on the phones: ``start``, ``end`` (looking back too, if asked) or
        ``reaction``. The statements, for ``modules`` (default: the room's), are fixed the
        first time a start or end rating opens, so both ask the same."""
        room = self.rooms.get(code)
        if room.ended:
            raise RoomError("This room has ended, so nothing more can be opened in it.")
        ref = ActivityRef.rating(which)
        if which != "reaction":
            items = fixed_statements(room.state, modules or [room.module])
            back = looking_back if which == "end" else bool(room.state.get(STATE, {}).get("back"))
            self.rooms.update_state(room.code, **{STATE: {"items": items, "back": back}})
        return self.rooms.show(room.code, ref, "open")

    def submit(
        self, code: str, token: str, on_screen: ActivityRef | str, answers: Mapping
    ) -> dict[ActivityRef, str]:
        """Take one participant's answers to the rating on screen, all in one transaction;
        sending again replaces the earlier answers to that set (blank ones included)."""
        room = self.rooms.get(code)
        ref = ActivityRef.of(on_screen)
        if room.ended:
            raise RoomError("This workshop has ended, so answers are closed.")
        if room.current != ref or room.phase != "open":
            raise RoomError("This rating is closed now. Thank you: nothing more is needed.")
        rating = rating_set(ref, room.state)
        kept = clean_ratings(rating, answers)
        digest, now = token_hash(token), utc_now()
        mine = (room_answers.c.room == room.code) & (room_answers.c.participant == digest)
        earlier = room_answers.c.activity.in_([str(r) for r in rating.answers()])
        rows = [
            {
                "room": room.code,
                "activity": str(answer),
                "participant": digest,
                "value": value,
                "hidden": False,
                "answered_at": now,
            }
            for answer, value in kept.items()
        ]
        for _attempt in range(ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    conn.execute(delete(room_answers).where(mine & earlier))
                    conn.execute(insert(room_answers), rows)
                return kept
            except IntegrityError:
                continue  # the same answers arrived from another tab just now: replace them
        raise RoomError("Your answers could not be saved just now; please send them again.")

    def mine(self, code: str, token: str) -> dict[ActivityRef, str]:
        """This participant's rating answers in the room, so a reload shows them again."""
        room = self.rooms.get(code)
        query = self._query(room.code).where(room_answers.c.participant == token_hash(token))
        with self.engine.connect() as conn:
            return {ActivityRef.parse(a): v for a, _, v in conn.execute(query)}

    def ratings(self, code: str) -> list[Rating]:
        """Every rating answer in the room, in the order they came, with whose they are (the
        token's hash: enough to pair the start with the end, and nothing more)."""
        room = self.rooms.get(code)
        with self.engine.connect() as conn:
            rows = conn.execute(self._query(room.code)).all()
        return [Rating(ActivityRef.parse(a), who, value) for a, who, value in rows]

    @staticmethod
    def _query(code: str):
        return (
            select(room_answers.c.activity, room_answers.c.participant, room_answers.c.value)
            .where(
                (room_answers.c.room == code)
                & room_answers.c.activity.startswith(ActivityRef.rating_prefix())
            )
            .order_by(room_answers.c.id)
        )
