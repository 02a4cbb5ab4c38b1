"""Bad input, all in one place: what was tried, and what the person sees (README's table).

Each case goes through the same code a page uses, and checks both the message and that what
was saved before is still there.
"""

import re
import secrets

import pytest

from rapport.course.journal import AnswerError
from rapport.render.html import inline, text
from rapport.room.codes import CodeError, normalise_code
from rapport.room.tally import AnswerRejected
from rapport.store.journal import Journal
from rapport.store.rooms import RoomError, Rooms

RTL = "‏שלום, I listened ‮evil‬"
EMOJI = "I felt 🙂 heard 👂🏽 today"
SCRIPT = "<script>alert(1)</script><img src=x onerror=alert(1)>"
SQL = "'); DROP TABLE journal; --"


@pytest.fixture
def journal(store):
    j = Journal("ana", store)
    j.save("05-listen", "rehearsing", "The answer saved before.")
    return j


@pytest.fixture
def room(store):
    rooms = Rooms(store)
    code = rooms.show(rooms.create("00-welcome").code, "check-in", "open").code
    me = secrets.token_urlsafe(16)
    rooms.join(code, me)
    rooms.submit(code, me, "check-in", "calm")
    return rooms, code, me


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Write something first: an empty answer is not saved."),
        (" \n\t ", "Write something first"),
        ("x" * 4001, "This answer is 4,001 characters; the limit is 4,000."),
    ],
)
def test_journal_refuses_empty_and_huge_answers_and_keeps_the_saved_one(journal, typed, message):
    with pytest.raises(AnswerError, match=message):
        journal.save("05-listen", "rehearsing", typed)
    assert journal.get("05-listen", "rehearsing").text == "The answer saved before."


@pytest.mark.parametrize("typed", [RTL, EMOJI, SCRIPT, SQL])
def test_journal_keeps_any_text_exactly_and_shows_it_as_text(journal, typed):
    saved = journal.save("05-listen", "felt-heard", typed)
    assert saved.text == typed
    assert "<script>" not in text(typed) and "<img" not in text(typed)
    assert journal.get("05-listen", "rehearsing").text == "The answer saved before."


@pytest.mark.parametrize(
    ("typed", "stored_or_message"),
    [
        ("", AnswerRejected("Write something first: an empty answer is not sent.")),
        ("x" * 31, AnswerRejected("One word, please: up to 30 characters (that was 31).")),
        ("  Calm\x00\x07  ", "Calm"),  # control characters become spaces and are trimmed
        ("🙂", "🙂"),
        ("שלום", "שלום"),
        (SQL[:30], SQL[:30]),
    ],
)
def test_room_word_answers(room, typed, stored_or_message):
    rooms, code, me = room
    if isinstance(stored_or_message, Exception):
        with pytest.raises(AnswerRejected, match=re.escape(str(stored_or_message))):
            rooms.submit(code, me, "check-in", typed)
        assert rooms.my_answer(code, me, "check-in") == "calm"
    else:
        assert rooms.submit(code, me, "check-in", typed) == stored_or_message


def test_room_text_answers_over_280_characters_are_refused(store):
    rooms = Rooms(store)
    code = rooms.show(rooms.create("02-stay-true").code, "warm-on-screen", "open").code
    me = secrets.token_urlsafe(16)
    rooms.join(code, me)
    with pytest.raises(AnswerRejected, match=r"Keep it to 280 characters; that answer has 281\."):
        rooms.submit(code, me, "warm-on-screen", "y" * 281)
    assert rooms.submit(code, me, "warm-on-screen", SCRIPT) == SCRIPT  # stored as text
    assert "&lt;script&gt;" in inline(SCRIPT)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type the room code shown on the screen"),
        ("K7Q", "Room codes have 6 characters, like K7Q-4M2; that one has 3."),
        ("K7Q-4M0", "Room codes never contain '0'"),
        (SQL, "Room codes have 6 characters"),
    ],
)
def test_wrong_room_codes_get_a_clear_message(typed, message):
    with pytest.raises(CodeError, match=message):
        normalise_code(typed)


def test_an_unknown_code_and_an_ended_room(room):
    rooms, code, me = room
    with pytest.raises(RoomError, match="No room has the code AAA-AAA"):
        rooms.join("aaa aaa", secrets.token_urlsafe(16))
    rooms.end(code)
    with pytest.raises(RoomError, match="This workshop has ended"):
        rooms.join(code, secrets.token_urlsafe(16))
    assert rooms.my_answer(code, me, "check-in") == "calm"


def test_a_malformed_content_file_is_named_with_its_line(tmp_path, capsys):
    import shutil

    from rapport.cli import main

    from .conftest import DATA

    root = tmp_path / "p"
    shutil.copytree(DATA / "project", root)
    path = root / "exercises/01-sample.yaml"
    path.write_text(path.read_text().replace("title:", "title: [unclosed", 1))
    assert main(["--root", str(root), "check"]) == 1
    assert "exercises/01-sample.yaml:4: not valid YAML" in capsys.readouterr().err
