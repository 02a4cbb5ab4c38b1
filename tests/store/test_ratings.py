"""RoomRatings: the room's own evaluation in the store, on SQLite and on PostgreSQL."""

import secrets

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from rapport.errors import AnswerRejected, RoomError, StoreUnavailable
from rapport.outputs.report import answers_frame, room_summary_html
from rapport.room.rating import changes, rating_set, statements_for
from rapport.room.refs import ActivityRef
from rapport.store.ratings import RoomRatings
from rapport.store.rooms import Rooms

LISTEN = statements_for(["05-listen"])
FIRST, SECOND = LISTEN[0], LISTEN[1]


@pytest.fixture
def rooms(any_store):
    return Rooms(any_store)


def token() -> str:
    return secrets.token_urlsafe(16)


def at(moment: str, item) -> ActivityRef:
    return ActivityRef.rating(moment, item.id)


def test_pairs_are_made_per_statement_through_the_token_alone(rooms):
    ratings = RoomRatings(rooms)
    code = ratings.open(rooms.create("05-listen").code, "start").code
    both, only_before = token(), token()
    ratings.submit(code, both, "rating:start", {at("start", FIRST): 2, at("start", SECOND): 4})
    ratings.submit(code, only_before, "rating:start", {at("start", FIRST): 3})
    ratings.open(code, "end")
    ratings.submit(code, both, "rating:end", {at("end", FIRST): 4})  # the second left out
    first, second = changes(ratings.ratings(code), LISTEN[:2])
    assert (first.started, first.ended, first.change.pairs) == (2, 1, 1)
    assert (second.started, second.ended, second.change.pairs) == (1, 0, 0)
    assert first.change.needed == 4
    whose = {r.who for r in ratings.ratings(code)}
    assert len(whose) == 2 and both not in whose and only_before not in whose  # hashes only


def test_a_set_is_sent_whole_and_sending_again_replaces_it(rooms):
    ratings = RoomRatings(rooms)
    room = ratings.open(rooms.create("05-listen").code, "start")
    me = token()
    ratings.submit(room.code, me, room.current, {at("start", FIRST): 2, at("start", SECOND): 2})
    assert rooms.answered(room.code, room.current) == 1  # one person, two statements
    ratings.submit(room.code, me, room.current, {at("start", FIRST): 5, at("start", SECOND): None})
    assert ratings.mine(room.code, me) == {at("start", FIRST): "5"}
    with pytest.raises(AnswerRejected, match="from 1 to 5"):
        ratings.submit(room.code, me, room.current, {at("start", FIRST): 1, at("start", SECOND): 9})
    assert ratings.mine(room.code, me) == {at("start", FIRST): "5"}  # nothing of it was kept


def test_a_store_failure_halfway_keeps_the_earlier_answers(rooms, any_store):
    ratings = RoomRatings(rooms)
    room = ratings.open(rooms.create("05-listen").code, "start")
    me = token()
    ratings.submit(room.code, me, room.current, {at("start", FIRST): 2, at("start", SECOND): 3})

    def fail_on_insert(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO ROOM_ANSWERS"):
            raise OperationalError(statement, {}, OSError("the disk is full"))

    event.listen(any_store.engine, "before_cursor_execute", fail_on_insert)
    try:
        with pytest.raises(StoreUnavailable):
            ratings.submit(room.code, me, room.current, {at("start", FIRST): 5})
    finally:
        event.remove(any_store.engine, "before_cursor_execute", fail_on_insert)
    mine = ratings.mine(room.code, me)
    assert mine == {at("start", FIRST): "2", at("start", SECOND): "3"}  # the delete rolled back


def test_statements_are_fixed_at_the_first_rating_and_looking_back_is_asked_at_the_end(rooms):
    ratings = RoomRatings(rooms)
    code = rooms.create("05-listen").code
    ratings.open(code, "start", ["05-listen"])
    room = ratings.open(code, "end", ["09-empathy"], looking_back=True)
    end = rating_set(room.current, room.state)
    assert end.items == LISTEN and end.looking_back
    me = token()
    ratings.submit(code, me, room.current, {at("end", FIRST): 4, at("back", FIRST): 2})
    assert ratings.mine(code, me) == {at("end", FIRST): "4", at("back", FIRST): "2"}
    assert rooms.answered(code, "rating:end") == 1


def test_closed_ended_and_revealed_ratings_are_refused_with_reasons(rooms):
    ratings = RoomRatings(rooms)
    room = ratings.open(rooms.create("05-listen").code, "start")
    me = token()
    with pytest.raises(RoomError, match="never shown to the room"):
        rooms.show(room.code, room.current, "revealed")
    with pytest.raises(RoomError, match="A rating is sent whole"):
        rooms.submit(room.code, me, room.current, 3)
    rooms.show(room.code, room.current, "closed")
    with pytest.raises(RoomError, match="This rating is closed now"):
        ratings.submit(room.code, me, room.current, {at("start", FIRST): 3})
    with pytest.raises(RoomError, match="This rating is closed now"):
        ratings.submit(room.code, me, "rating:end", {at("end", FIRST): 3})
    rooms.end(room.code)
    with pytest.raises(RoomError, match="has ended"):
        ratings.open(room.code, "end")
    assert ratings.ratings(room.code) == []


def test_the_rooms_own_exports_keep_ratings_apart(rooms):
    ratings = RoomRatings(rooms)
    room = ratings.open(rooms.create("05-listen").code, "reaction")
    for n in range(3):
        ratings.submit(room.code, token(), room.current, {"rating:reaction:word": f"calm{n}"})
    frame = answers_frame(rooms, room.code)
    assert set(frame["kind"]) == {"evaluation"} and len(frame) == 3
    assert "calm0" not in room_summary_html(rooms, room.code)  # the report has them instead
