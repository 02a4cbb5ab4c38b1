"""The presenter's moves on the store: reaching a live slide opens it on the phones, the clock
keeps to the deck and the part, and refusals say why."""

from __future__ import annotations

import secrets

import pytest

from rapport.errors import RapportError
from rapport.outputs.slides import module_deck
from rapport.outputs.slides_live import showing
from rapport.room.refs import ActivityRef
from rapport.serving.presenting import act, go, handlers
from rapport.store.rooms import Rooms
from rapport.store.support import SupportError, support_services

from ..conftest import ROOT

DECK = module_deck("05-listen", root=ROOT)


def spot(live_id: str) -> int:
    return next(n for n, s in enumerate(DECK.slides) if s.live and s.live.id == live_id)


@pytest.fixture
def rooms(store):
    return Rooms(store)


def test_reaching_an_activity_slide_opens_it_and_leaving_keeps_it(rooms):
    room = rooms.create("05-listen")
    room = go(rooms, room, DECK, 1)
    assert room.activity is None and showing(room).at == 1
    room = go(rooms, room, DECK, spot("how-hard"))
    assert room.activity == ActivityRef.activity("how-hard") and room.phase == "open"
    for _ in range(3):
        token = secrets.token_urlsafe(16)
        rooms.join(room.code, token)
        rooms.submit(room.code, token, "how-hard", 3)
    room = act(rooms, room.code, DECK.name, spot("how-hard"), "reveal", "")
    assert room.phase == "revealed"
    room = go(rooms, room, DECK, 1)  # back to the questions: the results stay on the phones
    room = go(rooms, room, DECK, spot("how-hard"))  # and coming back does not reopen them
    assert room.phase == "revealed"
    room = go(rooms, room, DECK, spot("listening-trap"))  # the next activity opens at once
    assert room.activity == ActivityRef.activity("listening-trap") and room.phase == "open"
    room = go(rooms, room, DECK, spot("how-hard"))  # back: only the presenter reopens it
    assert room.activity == ActivityRef.activity("listening-trap")


def test_reaching_a_role_play_starts_it_once(rooms):
    room = rooms.create("05-listen")
    room = go(rooms, room, DECK, spot("the-mixer"))
    assert room.playing == "the-mixer" and room.state["play"]["round"] == 1
    room = act(rooms, room.code, DECK.name, spot("the-mixer"), "take", "0")
    room = go(rooms, room, DECK, 1)  # a step back, and forward again: the play goes on
    room = go(rooms, room, DECK, spot("the-mixer"))
    assert room.playing == "the-mixer"
    assert room.state["play"]["round"] == 1 and room.state["play"]["path"] == [0]
    room = act(rooms, room.code, DECK.name, spot("the-mixer"), "coach", "")
    assert room.state["play"]["coached"]
    room = act(rooms, room.code, DECK.name, spot("the-mixer"), "open", "")  # play it again
    assert room.state["play"]["round"] == 2


def test_the_clock_runs_for_the_deck_and_restarts_with_each_part(rooms):
    room = go(rooms, rooms.create("05-listen"), DECK, 0)
    first = room.state["slides"]
    same_part = next(n for n, s in enumerate(DECK.slides) if n and s.step == DECK.slides[0].step)
    room = go(rooms, room, DECK, same_part)
    assert room.state["slides"]["started"] == first["started"]
    assert room.state["slides"]["part_started"] == first["part_started"]
    other = next(n for n, s in enumerate(DECK.slides) if s.step != DECK.slides[0].step)
    room = go(rooms, room, DECK, other)
    assert room.state["slides"]["started"] == first["started"]
    assert room.state["slides"]["part_started"] != first["part_started"]
    room = act(rooms, room.code, DECK.name, other, "restart-clock", "")
    assert room.state["slides"]["started"] != first["started"]
    assert room.state["slides"]["at"] == other


def test_refusals_say_why(rooms):
    room = rooms.create("05-listen")
    go(rooms, room, DECK, spot("how-hard"))
    with pytest.raises(RapportError, match="Only 0 answered; results are shown once at least 3"):
        act(rooms, room.code, DECK.name, spot("how-hard"), "reveal", "")
    with pytest.raises(RapportError, match=f"has slides 1 to {len(DECK)}, not {len(DECK) + 1}"):
        act(rooms, room.code, DECK.name, len(DECK), "go", "")
    with pytest.raises(RapportError, match="no action 'dance'"):
        act(rooms, room.code, DECK.name, 0, "dance", "")
    with pytest.raises(RapportError, match="No room has the code QQQ-QQQ"):
        act(rooms, "QQQ-QQQ", DECK.name, 0, "go", "")


def test_support_services_are_set_from_the_presenter(rooms):
    room = rooms.create("05-listen")
    act(rooms, room.code, DECK.name, 0, "support", "Samaritans: call 116 123")
    assert [s.name for s in support_services(rooms.store)] == ["Samaritans"]
    with pytest.raises(SupportError, match="Line 1"):
        act(rooms, room.code, DECK.name, 0, "support", "no colon")
    assert [s.name for s in support_services(rooms.store)] == ["Samaritans"]


def test_the_routes_sit_under_the_server_url():
    patterns = [route[0] for route in handlers("/base/")]
    assert "/base/slides/(\\d\\d-[a-z0-9][a-z0-9-]*|agenda/[a-z0-9-]+(?:/\\d{1,2})?)/?" in patterns
    assert {"/base/presenter/?", "/base/projector/?", "/base/projector/state"} <= set(patterns)
