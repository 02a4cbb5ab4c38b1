"""The live room's two pages, as one call each from a notebook.

``join_page()`` is the participant's page (``notebooks/join.ipynb``), ``dashboard()`` the
facilitator's (``facilitator/dashboard.ipynb``). Both read what Voila passes to the kernel:
the query string (``?code=`` or ``?key=``) and the browser's token.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from rapport import settings
from rapport.content.loading import load_module
from rapport.course.learner import browser_token
from rapport.store.database import get_store
from rapport.store.rooms import Room, Rooms, facilitator_key_ok


def query_param(name: str) -> str:
    """One value from the page's query string (Voila's ``QUERY_STRING``), or ``""``."""
    values = parse_qs(settings.get(settings.QUERY_STRING)).get(name)
    return values[0].strip() if values else ""


def public_url() -> str:
    """Where participants reach this server: as ``rapport serve`` announced it, or as asked."""
    if url := settings.get(settings.PUBLIC_URL):
        return url
    host, port = settings.get(settings.SERVER_NAME), settings.get(settings.SERVER_PORT)
    if host:
        return f"http://{host}:{port}/" if port else f"http://{host}/"
    return "http://127.0.0.1:8866/"


def join_page():
    """The participant's page: join with the room code and follow the facilitator.

    Everything the page needs is loaded, and the store opened, before the visitor is known:
    a kernel from ``rapport serve --pool`` has done all that before anyone asked for it, and
    waits in ``wait_for_visitor()`` for the query string and the browser's token. What is
    left once they arrive is the page's own few widgets.
    """
    from rapport.pages.waiting import wait_for_visitor
    from rapport.widgets.room import ParticipantApp

    rooms = Rooms(get_store())
    wait_for_visitor()

    def reflections(room: Room, share) -> list:
        from rapport.pages.lesson import Lesson
        from rapport.widgets.reflection import ReflectionBox

        lesson = Lesson(load_module(room.module))
        return [
            ReflectionBox(room.module, prompt, lesson.journal, share=share)
            for prompt in lesson.module.reflections
        ]

    return ParticipantApp(rooms, browser_token(), code=query_param("code"), reflections=reflections)


def dashboard():
    """The facilitator's projector view, behind the facilitator key."""
    from rapport.widgets.dashboard import FacilitatorDashboard
    from rapport.widgets.key_gate import KeyGate

    store = get_store()
    rooms = Rooms(store)
    return KeyGate(
        lambda key: facilitator_key_ok(store, key),
        lambda: FacilitatorDashboard(rooms, public_url()),
        key=query_param("key"),
    )
