"""Rooms: the live workshop's shared state, through the store only."""

import secrets
import threading

import pytest

from rapport.codes import CodeError
from rapport.rooms import RoomError, Rooms
from rapport.tally import AnswerRejected


@pytest.fixture
def rooms(any_store):
    """Every test here runs on SQLite and on PostgreSQL."""
    return Rooms(any_store)


def token() -> str:
    return secrets.token_urlsafe(16)


def test_a_room_is_created_for_a_module_and_listed(rooms):
    room = rooms.create("05-listen")
    assert room.module == "05-listen" and room.phase == "closed" and not room.ended
    assert [r.code for r in rooms.list()] == [room.code]
    assert rooms.get(room.code.lower().replace("-", " ")).code == room.code


def test_unknown_and_malformed_codes_get_clear_messages(rooms):
    with pytest.raises(RoomError, match="No room has the code AAA-AAA"):
        rooms.join("AAA-AAA", token())
    with pytest.raises(CodeError, match="Room codes have 6 characters"):
        rooms.join("AAA", token())


def test_answers_need_the_activity_open(rooms):
    room = rooms.create("05-listen")
    me = token()
    rooms.join(room.code, me)
    with pytest.raises(RoomError, match="This activity is closed now"):
        rooms.submit(room.code, me, "listening-trap", 0)
    rooms.show(room.code, "listening-trap", "open")
    assert rooms.submit(room.code, me, "listening-trap", 0) == "0"


def test_answering_again_replaces_the_earlier_answer(rooms):
    room = rooms.show(rooms.create("05-listen").code, "listening-trap", "open")
    me = token()
    rooms.join(room.code, me)
    rooms.submit(room.code, me, "listening-trap", 0)
    rooms.submit(room.code, me, "listening-trap", 2)
    assert [a.value for a in rooms.answers(room.code, "listening-trap")] == ["2"]


def test_a_rejoining_participant_is_the_same_participant(rooms):
    room = rooms.show(rooms.create("05-listen").code, "how-hard", "open")
    me = token()
    rooms.join(room.code, me, nickname="  Ana  ")
    rooms.submit(room.code, me, "how-hard", 4)
    rooms.join(room.code, me)  # a reload or a phone waking up
    assert rooms.present(room.code) == 1
    assert [a.value for a in rooms.answers(room.code, "how-hard")] == ["4"]


def test_invalid_answers_are_rejected_and_nothing_is_lost(rooms):
    room = rooms.show(rooms.create("05-listen").code, "how-hard", "open")
    me = token()
    rooms.submit(room.code, me, "how-hard", 3)
    with pytest.raises(AnswerRejected):
        rooms.submit(room.code, me, "how-hard", 9)
    assert [a.value for a in rooms.answers(room.code, "how-hard")] == ["3"]


def test_an_ended_room_refuses_joins_and_answers(rooms):
    room = rooms.show(rooms.create("05-listen").code, "how-hard", "open")
    rooms.end(room.code)
    with pytest.raises(RoomError, match="This workshop has ended"):
        rooms.join(room.code, token())
    with pytest.raises(RoomError, match="ended"):
        rooms.submit(room.code, token(), "how-hard", 3)


def test_hidden_answers_leave_the_tally_but_not_the_export(rooms):
    room = rooms.show(rooms.create("05-listen").code, "listening-trap", "open")
    for choice in (0, 0, 1, 4):
        rooms.submit(room.code, token(), "listening-trap", choice)
    first = rooms.answers(room.code, "listening-trap")[0]
    rooms.hide(room.code, first.id)
    assert rooms.tally(room.code, "listening-trap").table["votes"].tolist() == [1, 1, 0, 0, 1]
    frame = rooms.export(room.code)
    assert len(frame) == 4 and frame["hidden"].sum() == 1
    assert frame.loc[0, "answer"] == "Rehearsing my reply"
    assert "participant" not in frame.columns and "token_hash" not in frame.columns


def test_deleting_a_room_deletes_its_answers(rooms):
    room = rooms.show(rooms.create("05-listen").code, "how-hard", "open")
    rooms.submit(room.code, token(), "how-hard", 2)
    assert rooms.delete(room.code) == 1
    with pytest.raises(RoomError):
        rooms.get(room.code)
    other = rooms.create("05-listen")
    assert rooms.export(other.code).empty


def test_only_known_activities_can_be_shown(rooms):
    room = rooms.create("05-listen")
    with pytest.raises(KeyError, match="no activity 'nope'"):
        rooms.show(room.code, "nope")


def test_thirty_participants_answering_at_once_lose_nothing(rooms):
    room = rooms.show(rooms.create("05-listen").code, "how-hard", "open")
    tokens = [token() for _ in range(30)]
    errors = []
    start = threading.Barrier(len(tokens))

    def answer(me: str, value: int) -> None:
        try:
            start.wait()
            rooms.join(room.code, me)
            rooms.submit(room.code, me, "how-hard", value)
        except Exception as err:
            errors.append(err)

    threads = [threading.Thread(target=answer, args=(t, 1 + i % 5)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = rooms.tally(room.code, "how-hard")
    assert result.count == 30
    assert result.table["count"].tolist() == [6, 6, 6, 6, 6]
    assert rooms.present(room.code) == 30


def test_two_tabs_joining_at_the_same_instant_are_one_participant(rooms):
    room = rooms.create("05-listen")
    me, errors = token(), []
    start = threading.Barrier(8)

    def join() -> None:
        try:
            start.wait()
            rooms.join(room.code, me)
        except Exception as err:  # collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=join) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert rooms.present(room.code) == 1
