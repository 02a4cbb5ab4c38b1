"""A self-rating on the phones, as the projector and the presenter's panel show it: what it
is and how many answered, never anyone's answers."""

import secrets

from rapport.outputs.slides import module_deck
from rapport.outputs.slides_live import presenter_live_html, projector_html
from rapport.room.rating import statements_for
from rapport.store.ratings import RoomRatings
from rapport.store.rooms import Rooms

from ..conftest import ROOT

URL = "http://192.168.1.20:8866/"
FIRST = statements_for(["05-listen"])[0]


def test_the_projector_and_presenter_show_an_open_rating_and_its_count_only(store):
    rooms = Rooms(store)
    ratings = RoomRatings(rooms)
    room = ratings.open(rooms.create("05-listen").code, "start")
    for value in (1, 5):
        answer = {f"rating:start:{FIRST.id}": value}
        ratings.submit(room.code, secrets.token_urlsafe(16), room.current, answer)
    wall = projector_html(rooms, room.code, URL, [])
    assert "Self-rating at the start" in wall and "<b>2</b> answers so far" in wall
    assert FIRST.text not in wall  # the statements stay on the phones
    title = module_deck("05-listen", root=ROOT).slides[0]
    panel = presenter_live_html(rooms, rooms.get(room.code), title)
    assert "Still on the phones: Evaluation" in panel and "open for answers" in panel
