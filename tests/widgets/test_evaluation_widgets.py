"""The room's own evaluation, driven headless: the dashboard's evaluation view in each of its
states, and the rating form on the participants' phones."""

import re
import secrets

import ipywidgets as w
import pytest

from rapport.outputs import evaluation_report
from rapport.room.rating import statements_for
from rapport.room.refs import ActivityRef
from rapport.store.rooms import Rooms
from rapport.widgets.dashboard import FacilitatorDashboard
from rapport.widgets.evaluation import session_modules
from rapport.widgets.rating_form import RatingForm
from rapport.widgets.room import ParticipantApp

from .test_live_widgets import html_of

LISTEN = statements_for(["05-listen"])


@pytest.fixture
def rooms(store):
    return Rooms(store)


def a_board(rooms) -> FacilitatorDashboard:
    board = FacilitatorDashboard(rooms, "http://192.0.2.10:8866/")
    board.create("05-listen")
    return board


def phones(rooms, board, count: int) -> list[ParticipantApp]:
    people = [ParticipantApp(rooms, secrets.token_urlsafe(24)) for _ in range(count)]
    for person in people:
        assert person.join(board.code)
    return people


def rate(person: ParticipantApp, values: list[int], back: list[int] | None = None) -> RatingForm:
    """Choose ``values`` (one per statement; looking back too, if given) and press Send."""
    person.refresh()
    form = person.rating_form
    assert form is not None and form in person.stage.children
    choices = [box for box in form.inputs.values() if isinstance(box, w.RadioButtons)]
    given = values if back is None else [v for pair in zip(values, back, strict=True) for v in pair]
    for box, value in zip(choices, given, strict=True):
        box.value = value
    form.send_button.click()
    assert form.sent, form.message
    return form


def test_the_view_says_nothing_is_rated_until_the_start_rating_opens(rooms):
    board = a_board(rooms)
    panel = board.evaluation
    assert "No rating yet" in panel.view.value
    assert (panel.shown, panel.pairs, panel.needed) == (False, 0, 5)
    panel.start_button.click()
    assert board.on_screen == ActivityRef.rating("start")
    assert board.reveal_button.disabled  # self-ratings are never revealed
    assert "Evaluation · open for answers" in board.live.screen.value
    assert board.live.results.value == ""


def test_under_five_pairs_the_view_says_how_many_more_then_shows_the_change(rooms):
    board = a_board(rooms)
    people = phones(rooms, board, 6)
    board.evaluation.start_button.click()
    for person in people:
        rate(person, [2, 4])
    board.evaluation.looking_back.value = False
    board.evaluation.end_button.click()
    for person in people[:3]:
        rate(person, [4, 2])
    board.refresh()
    panel = board.evaluation
    assert (panel.shown, panel.pairs, panel.needed) == (False, 3, 2)
    assert panel.counts == {"start": 6, "end": 3, "reaction": 0}
    assert "3 answered both times; 2 more needed" in panel.view.value
    assert "95% CI" not in panel.view.value
    for person in people[3:5]:
        rate(person, [3, 3])
    board.refresh()
    assert (panel.shown, panel.pairs, panel.needed) == (True, 5, 0)
    # changes 2 2 2 1 1 on both (the second is reverse-keyed): mean 1.6, sd sqrt(0.3),
    # half the interval t(0.975, 4) x sqrt(0.3) / sqrt(5) = 0.68
    plain = re.sub("<[^>]+>", "", panel.view.value)
    assert plain.count("+1.60 (95% CI +0.92 to +2.28)") == len(LISTEN)
    assert "Hedges\u2019 g" in panel.view.value and "Looking back" not in panel.view.value
    assert board.answered == 5  # people, not statements


def test_the_dashboard_refuses_to_reveal_a_rating(rooms):
    board = a_board(rooms)
    people = phones(rooms, board, 3)
    board.evaluation.start_button.click()
    for person in people:
        rate(person, [3, 3])
    board.refresh()
    board.reveal()
    assert board.phase == "open" and "never shown to the room" in board.message


def test_a_participant_sees_the_statements_and_their_answers_come_back_after_a_reload(rooms):
    board = a_board(rooms)
    [person] = phones(rooms, board, 1)
    board.evaluation.start_button.click()
    person.refresh()
    seen = html_of(person.stage)
    assert all(item.text in seen for item in LISTEN) and "Anonymous" in seen
    form = person.rating_form
    form.send_button.click()
    assert not form.sent and "Answer at least one statement" in form.status.value
    rate(person, [4, 1])
    assert "your answers are in" in form.status.value
    assert form.send_button.description == "Change my answers"
    again = ParticipantApp(rooms, person.token)  # a reload: the same browser token
    again.refresh()
    values = [box.value for box in again.rating_form.inputs.values()]
    assert values == [4, 1] and again.rating_form.sent
    board.close()
    again.refresh()
    assert "This rating is closed now" in html_of(again.stage)


def test_looking_back_asks_each_statement_twice(rooms):
    board = a_board(rooms)
    [person] = phones(rooms, board, 1)
    board.evaluation.end_button.click()  # the looking-back box is ticked by default
    form = rate(person, [4, 5], back=[2, 3])
    assert len(form.inputs) == 2 * len(LISTEN)
    assert [box.description for box in form.inputs.values()] == ["Now", "Before today"] * len(
        LISTEN
    )
    assert "Looking back" in html_of(form)


def test_the_reaction_form_takes_a_scale_a_text_and_a_word(rooms, monkeypatch):
    board = a_board(rooms)
    people = phones(rooms, board, 3)
    board.evaluation.reaction_button.click()
    for n, person in enumerate(people):
        person.refresh()
        form = person.rating_form
        useful, tried, word = form.inputs.values()
        useful.value, tried.value, word.value = 5 - n, f"Try {n} <b>bold</b>", "calm"
        form.send_button.click()
        assert form.sent
    board.refresh()
    view = board.evaluation.view.value
    assert "Average <b>4.0 of 5</b> from 3 answers" in view
    assert "Try 0 &lt;b&gt;bold&lt;/b&gt;" in view and "calm (3)" in view
    monkeypatch.setattr(evaluation_report, "chromium_path", lambda: None)
    board.evaluation.report_button.click()
    assert f"evaluation-{board.code}.csv" in board.evaluation.report.value


def test_a_session_from_an_agenda_rates_the_agendas_modules(rooms):
    room = rooms.create("05-listen")
    assert session_modules(room) == ["05-listen"]
    room = rooms.update_state(room.code, slides={"deck": "agenda/half-day", "at": 0})
    modules = session_modules(room)
    assert "05-listen" in modules and "04-open-up" in modules
