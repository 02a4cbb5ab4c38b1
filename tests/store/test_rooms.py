"""Rooms: the live workshop's shared state, through the store only."""

import secrets
import threading

import pytest

from rapport.outputs.report import answers_frame
from rapport.room.codes import CodeError
from rapport.room.refs import ActivityRef
from rapport.room.tally import AnswerRejected
from rapport.store.rooms import RoomError, Rooms


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
    frame = answers_frame(rooms, room.code)
    assert len(frame) == 4 and frame["hidden"].sum() == 1
    assert frame.loc[0, "answer"] == "Rehearsing my reply"
    assert "participant" not in frame.columns and "token_hash" not in frame.columns


def test_answer_counts_follow_the_order_activities_were_answered_in(rooms):
    code = rooms.create("05-listen").code
    assert rooms.answer_counts(code) == {}
    rooms.show(code, "how-hard", "open")
    rooms.submit(code, token(), "how-hard", 3)
    rooms.show(code, "listening-trap", "open")
    people = [token() for _ in range(3)]
    for person in people:
        rooms.submit(code, person, "listening-trap", 1)
    rooms.submit(code, people[0], "listening-trap", 2)  # a changed answer is still one
    rooms.hide(code, rooms.answers(code, "listening-trap")[0].id)
    counts = rooms.answer_counts(code)
    assert counts == {
        ActivityRef.activity("how-hard"): 1,
        ActivityRef.activity("listening-trap"): 3,
    }
    assert rooms.answered(code, "listening-trap") == 3  # hidden ones were still answered
    assert rooms.answered(code, "nothing-here") == 0


def test_deleting_a_room_deletes_its_answers(rooms):
    room = rooms.show(rooms.create("05-listen").code, "how-hard", "open")
    rooms.submit(room.code, token(), "how-hard", 2)
    assert rooms.delete(room.code) == 1
    with pytest.raises(RoomError):
        rooms.get(room.code)
    other = rooms.create("05-listen")
    assert answers_frame(rooms, other.code).empty


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


def test_a_room_role_play_votes_each_decision_and_the_facilitator_takes_one(rooms):
    from rapport.room.model import play_run

    code = rooms.create("05-listen").code
    room = rooms.start_play(code, "the-mixer")
    assert room.playing == "the-mixer" and room.phase == "open"
    first_vote = room.current
    people = [token() for _ in range(4)]
    for n, person in enumerate(people):
        rooms.join(code, person)
        rooms.submit(code, person, first_vote, 1 if n else 0)
    counts = rooms.tally(code, first_vote).table["votes"].tolist()
    assert counts[:2] == [1, 3] and sum(counts) == 4
    options = rooms.tally(code, first_vote).table["option"].tolist()
    assert options == [c.text for c in play_run(room).node.choices]

    room = rooms.take(code, 1)
    assert room.phase == "revealed" and room.current == first_vote  # results stay on screen
    with pytest.raises(RoomError, match="closed now"):
        rooms.submit(code, people[0], first_vote, 2)  # the vote is over
    room = rooms.next_decision(code)
    assert room.phase == "open" and room.current != first_vote
    while not play_run(room).finished:
        room = rooms.take(code, 0)
        if not play_run(room).finished:
            room = rooms.next_decision(code)
    with pytest.raises(RoomError, match="has ended"):
        rooms.next_decision(code)
    assert play_run(room).debrief().debrief
    exported = answers_frame(rooms, code)
    votes = exported[exported["kind"] == "vote"]
    assert len(votes) == 4 and set(votes["answer"]) <= set(options)


def test_a_second_round_of_a_role_play_starts_a_fresh_vote(rooms):
    code = rooms.create("05-listen").code
    first = rooms.start_play(code, "the-mixer").current
    me = token()
    rooms.join(code, me)
    rooms.submit(code, me, first, 0)
    second = rooms.start_play(code, "the-mixer").current
    assert second != first and rooms.answered(code, second) == 0
    assert rooms.my_answer(code, me, first) == "0"


def test_a_vote_outside_the_choices_is_refused(rooms):
    code = rooms.create("05-listen").code
    vote = rooms.start_play(code, "the-mixer").current
    me = token()
    rooms.join(code, me)
    with pytest.raises(AnswerRejected, match="Pick one of the options"):
        rooms.submit(code, me, vote, 17)
    with pytest.raises(IndexError):
        rooms.take(code, 17)


def test_shared_reflections_are_anonymous_limited_and_hideable(rooms):
    code = rooms.create("05-listen").code
    me = token()
    rooms.join(code, me)
    rooms.share(code, me, "felt-heard", "  My grandmother, <b>always</b>.\x07 ")
    [shared] = rooms.shared(code)
    assert shared.value == "My grandmother, <b>always</b>."
    with pytest.raises(AnswerRejected, match="up to 1000 characters; this reflection has 1001"):
        rooms.share(code, me, "felt-heard", "x" * 1001)
    assert rooms.shared(code)[0].value == shared.value  # the earlier share is kept
    with pytest.raises(AnswerRejected, match="nothing to share"):
        rooms.share(code, me, "rehearsing", " \n ")
    rooms.hide(code, shared.id)
    assert rooms.shared(code) == []
    assert "participant" not in answers_frame(rooms, code).columns


def test_a_browser_finds_its_room_again_after_a_reload(rooms):
    room = rooms.show(rooms.create("05-listen").code, "how-hard", "open")
    me, other = token(), token()
    rooms.join(room.code, me)
    rooms.submit(room.code, me, "how-hard", 3)
    assert rooms.joined(me).code == room.code
    assert rooms.joined(other) is None
    assert rooms.my_answer(room.code, me, "how-hard") == "3"
    rooms.end(room.code)
    assert rooms.joined(me) is None


def test_timer_and_agenda_position_live_in_the_room_state(rooms):
    code = rooms.create("05-listen").code
    room = rooms.start_timer(code, 3)
    assert "timer" in room.state
    room = rooms.update_state(code, agenda=2)
    assert room.state["agenda"] == 2 and "timer" in room.state
    assert "timer" not in rooms.stop_timer(code).state


def test_the_facilitator_key_is_checked_against_its_digest(store):
    from rapport.store.rooms import facilitator_key_ok, set_facilitator_key

    assert not facilitator_key_ok(store, "anything")  # no key set: nothing opens
    set_facilitator_key(store, "the-right-key")
    assert facilitator_key_ok(store, "the-right-key")
    assert not facilitator_key_ok(store, "the-right-kez")
    assert not facilitator_key_ok(store, "")
    assert "the-right-key" not in (store.setting("facilitator_key_sha256") or "the-right-key")
