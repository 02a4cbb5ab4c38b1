"""What a running deck shows of the live room: the projector shows only what the room may see;
the presenter's panel has the answers and the controls."""

from __future__ import annotations

import secrets

import pytest

from rapport.content.loading import load_module
from rapport.outputs.slides import module_deck
from rapport.outputs.slides_live import presenter_live_html, projector_html, showing
from rapport.render.scenario import TONE_LABEL
from rapport.room.model import play_run
from rapport.room.refs import ActivityRef
from rapport.store.rooms import RoomError, Rooms, set_facilitator_key

from ..conftest import ROOT

URL = "http://192.168.1.20:8866/"
KEY = "facilitator-key-never-on-the-wall"
DECK = module_deck("05-listen", root=ROOT)


def index(kind: str, live_id: str | None = None) -> int:
    return next(
        n
        for n, s in enumerate(DECK.slides)
        if s.kind == kind and (live_id is None or (s.live and s.live.id == live_id))
    )


@pytest.fixture
def rooms(store):
    set_facilitator_key(store, KEY)
    return Rooms(store)


def at(rooms: Rooms, code: str, n: int, open_it: bool = True):
    """Put the room's deck at slide ``n`` (and open its activity, as the presenter does)."""
    rooms.update_state(code, slides={"deck": DECK.name, "at": n})
    slide = DECK.slides[n]
    if open_it and slide.live is not None:
        if slide.live.kind == "play":
            rooms.start_play(code, slide.live.id)
        else:
            rooms.show(code, slide.live, "open")
    return slide


def answer(rooms: Rooms, code: str, ref, values) -> None:
    for value in values:
        token = secrets.token_urlsafe(16)
        rooms.join(code, token)
        rooms.submit(code, token, ref, value)


def test_before_a_deck_runs_the_projector_shows_how_to_join(rooms):
    room = rooms.create("05-listen")
    html = projector_html(rooms, room.code, URL, [])
    assert f"{URL}join" in html and room.code in html and "<svg" in html
    assert showing(room) is None
    rooms.show(room.code, "how-hard", "open")
    html = projector_html(rooms, room.code, URL, [])
    assert "how hard do you find it" in html and "<b>0</b> answers so far" in html


def test_an_activity_slide_shows_the_count_then_the_results_once_revealed(rooms):
    room = rooms.create("05-listen")
    slide = at(rooms, room.code, index("activity", "how-hard"))
    answer(rooms, room.code, slide.live, [2, 4])
    html = projector_html(rooms, room.code, URL, [])
    assert "<b>2</b> answers so far" in html and "rp-results" not in html
    assert f"{URL}join" in html  # latecomers can still join
    answer(rooms, room.code, slide.live, [5])
    assert "rp-results" not in projector_html(rooms, room.code, URL, [])  # not yet revealed
    rooms.show(room.code, slide.live, "revealed")
    html = projector_html(rooms, room.code, URL, [])
    assert "rp-results" in html and "Average: <b>3.7</b>" in html
    assert "slide-live" in html  # the results fill the slide


def test_hidden_texts_never_reach_the_projector(rooms):
    room = rooms.create("02-stay-true")
    text = next(a for a in load_module("02-stay-true").activities if a.kind == "text")
    rooms.update_state(room.code, slides={"deck": "02-stay-true", "at": 0})
    rooms.show(room.code, text.id, "open")
    answer(rooms, room.code, text.id, ["First", "<b>second</b>", "Third one"])
    hidden = next(a for a in rooms.answers(room.code, text.id) if a.value == "Third one")
    rooms.hide(room.code, hidden.id)
    rooms.show(room.code, text.id, "revealed")
    deck = module_deck("02-stay-true", root=ROOT)
    spot = next(n for n, s in enumerate(deck.slides) if s.live and s.live.id == text.id)
    rooms.update_state(room.code, slides={"deck": "02-stay-true", "at": spot})
    html = projector_html(rooms, room.code, URL, [])
    assert "First" in html and "&lt;b&gt;second&lt;/b&gt;" in html and "Third one" not in html


def test_a_role_play_shows_the_words_the_count_the_reaction_then_the_coaching(rooms):
    room = rooms.create("05-listen")
    slide = at(rooms, room.code, index("play", "the-mixer"))
    run = play_run(rooms.get(room.code))
    html = projector_html(rooms, room.code, URL, [])
    assert "<b>0</b> votes so far" in html and run.node.says.split()[0] in html
    room = rooms.take(room.code, 0)
    html = projector_html(rooms, room.code, URL, [])
    choice = run.node.choices[0]
    assert "The room said" in html and TONE_LABEL[choice.tone] not in html
    rooms.show_coaching(room.code)
    assert TONE_LABEL[choice.tone] in projector_html(rooms, room.code, URL, [])
    while not play_run(rooms.get(room.code)).finished:
        rooms.next_decision(room.code)
        rooms.take(room.code, 0)
    assert "Debrief" in projector_html(rooms, room.code, URL, [])
    assert slide.scenario.title in projector_html(rooms, room.code, URL, [])


def test_the_projector_never_shows_the_key(rooms):
    room = rooms.create("05-listen")
    for n, slide in enumerate(DECK.slides):
        at(rooms, room.code, n, open_it=slide.live is not None and slide.live.kind != "play")
        assert KEY not in projector_html(rooms, room.code, URL, [])


def test_an_ended_room_and_an_unknown_code(rooms):
    room = rooms.create("05-listen")
    rooms.end(room.code)
    assert "This workshop has ended" in projector_html(rooms, room.code, URL, [])
    with pytest.raises(RoomError, match="No room has the code QQQ-QQQ"):
        projector_html(rooms, "QQQ-QQQ", URL, [])


def test_the_presenter_reveals_only_from_three_answers(rooms):
    room = rooms.create("05-listen")
    slide = at(rooms, room.code, index("activity", "how-hard"))
    answer(rooms, room.code, slide.live, [1, 2])
    html = presenter_live_html(rooms, rooms.get(room.code), slide)
    assert '<button type="button" class="main" data-act="reveal" data-arg="" disabled>' in html
    answer(rooms, room.code, slide.live, [3])
    html = presenter_live_html(rooms, rooms.get(room.code), slide)
    assert '<button type="button" class="main" data-act="reveal" data-arg="">' in html
    assert "<b>3</b> answered" in html


def test_the_presenter_offers_to_open_what_is_not_on_the_phones(rooms):
    room = rooms.create("05-listen")
    slide = at(rooms, room.code, index("play", "the-mixer"), open_it=False)
    assert 'data-act="open"' in presenter_live_html(rooms, rooms.get(room.code), slide)
    other = rooms.create("02-stay-true")
    html = presenter_live_html(rooms, other, slide)
    assert "create a room for that module" in html and 'data-act="open"' not in html
    assert rooms.get(other.code).activity is None
    assert ActivityRef.play("the-mixer") == slide.live


def test_a_pair_exercise_shows_the_timer_on_the_projector(rooms):
    room = rooms.create("05-listen")
    slide = at(rooms, room.code, index("activity", "three-minute-listen"))
    html = presenter_live_html(rooms, rooms.get(room.code), slide)
    minutes = slide.activity.minutes
    assert f'data-act="timer" data-arg="{minutes}"' in html
    assert "Time left" not in projector_html(rooms, room.code, URL, [])
    rooms.start_timer(room.code, minutes)
    html = projector_html(rooms, room.code, URL, [])
    assert "Time left" in html and f"{minutes:02d}:00" in html
