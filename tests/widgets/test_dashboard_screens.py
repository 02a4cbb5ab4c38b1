"""The dashboard opens the projector view (and the presenter view) of its room in a new window."""

from rapport.store.rooms import Rooms
from rapport.widgets.dashboard import FacilitatorDashboard


def test_the_dashboard_links_to_the_projector_and_presenter_views_of_its_room(store):
    board = FacilitatorDashboard(Rooms(store), "http://192.168.1.20:8866/", every=60)
    room = board.create("05-listen")
    links = board.screens.value
    assert f'href="../../../projector?code={room.code}" target="_blank"' in links
    assert f'href="../../../presenter?code={room.code}" target="_blank"' in links
    assert "key" not in links  # the projector needs no key, and the presenter asks for it
    assert board.screens in board.room_view.children
    board.ticker.stop()
