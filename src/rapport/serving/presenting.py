"""Presenting from the course: the slides, the presenter view and the projector view, served as
plain tornado handlers beside Voila's (no kernel per viewer).

The presenter (behind the facilitator key) moves through a deck; where it is lives in the
room's state in the store, so the projector, on this machine or another, follows it by asking
a small JSON endpoint twice a second. Reaching an activity's slide opens it on the phones.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

from jupyter_server.utils import url_path_join
from tornado.web import HTTPError, RequestHandler, StaticFileHandler

from rapport import settings
from rapport.content.loading import ContentError
from rapport.errors import RapportError, StoreUnavailable
from rapport.outputs.slides import Deck, Slide, deck_named
from rapport.outputs.slides_html import deck_html
from rapport.outputs.slides_live import presenter_live_html, projector_html, showing
from rapport.outputs.slides_pages import (
    iso,
    key_page,
    pick_room_page,
    presenter_page,
    problem_page,
    projector_page,
)
from rapport.room.model import Room
from rapport.room.tally import MIN_TO_REVEAL
from rapport.store.database import get_store, utc_now
from rapport.store.rooms import KEY_SETTING, Rooms, facilitator_key_ok
from rapport.store.support import parse_services, set_support_services, support_services

STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "rapport_presenter"
COOKIE_DAYS = 1
DECK = r"(\d\d-[a-z0-9][a-z0-9-]*|agenda/[a-z0-9-]+(?:/\d{1,2})?)"
# Only this server: its own scripts, styles and inline SVG, and nothing from any other host.
POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; connect-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'"
)
KEY_NEEDED = "The facilitator key is needed: reload the presenter view and enter it."


def handlers(server_url: str) -> list[tuple]:
    """The presenting routes, for WorkshopVoila.init_handlers."""

    def at(path: str) -> str:
        return url_path_join(server_url, path)

    return [
        (at(rf"/slides/{DECK}/?"), SlidesHandler),
        (at(r"/presenter/?"), PresenterHandler),
        (at(r"/presenter/state"), PresenterStateHandler),
        (at(r"/presenter/act"), PresenterActHandler),
        (at(r"/projector/?"), ProjectorHandler),
        (at(r"/projector/state"), ProjectorStateHandler),
        (at(r"/rapport-static/(.*)"), StaticFileHandler, {"path": str(STATIC)}),
    ]


async def _in_thread(function, *args):
    """Store work off the server's event loop, which also carries every page's kernel."""
    return await asyncio.get_running_loop().run_in_executor(None, partial(function, *args))


class _Presenting(RequestHandler):
    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", POLICY)
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")  # a key in an address stays here
        self.set_header("X-Content-Type-Options", "nosniff")

    @property
    def base(self) -> str:
        return self.settings.get("server_url") or self.settings.get("base_url") or "/"

    @property
    def xsrf(self) -> str:
        """The form token that proves a request came from our own page (sets its cookie)."""
        return self.xsrf_token.decode()

    def problem(self, status: int, title: str, message: str) -> None:
        self.set_status(status)
        self.finish(problem_page(self.base, title, message))

    def reply(self, status: int = 200, **data) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(data))

    def public_url(self) -> str:
        return (
            settings.get(settings.PUBLIC_URL) or f"{self.request.protocol}://{self.request.host}/"
        )

    def facilitator(self) -> bool:
        """Whether this browser gave the facilitator key (remembered in a signed cookie)."""
        remembered = self.get_signed_cookie(COOKIE, max_age_days=COOKIE_DAYS)
        digest = get_store().setting(KEY_SETTING)
        return bool(remembered and digest) and hmac.compare_digest(remembered.decode(), digest)

    def remember(self) -> None:
        digest = get_store().setting(KEY_SETTING) or ""
        self.set_signed_cookie(
            COOKIE, digest, expires_days=COOKIE_DAYS, httponly=True, samesite="Strict",
            path=self.base,
        )  # fmt: skip


class SlidesHandler(_Presenting):
    """``/slides/05-listen``, ``/slides/agenda/taster``: a deck on its own, no room needed."""

    async def get(self, name: str) -> None:
        try:
            deck = await _in_thread(deck_named, name)
        except RapportError as err:
            return self.problem(404, "No such deck", str(err))
        try:
            services = await _in_thread(support_services, get_store())
        except StoreUnavailable:
            services = []
        self.finish(deck_html(deck, services))


def _part(slide: Slide) -> tuple[str, int | None]:
    return slide.module, slide.step


def go(rooms: Rooms, room: Room, deck: Deck, at: int) -> Room:
    """Move the room's deck to slide ``at``. The first time the deck reaches a live slide, its
    activity opens on the phones (or its role-play starts); coming back to it later leaves the
    phones as they are, so a step back never restarts what the room is doing."""
    if not 0 <= at < len(deck):
        raise RapportError(f"{deck.title} has slides 1 to {len(deck)}, not {at + 1}.")
    slide, now = deck.slides[at], utc_now().isoformat()
    before, state = showing(room), room.state.get("slides") or {}
    same_deck = before is not None and before.deck.name == deck.name
    same_part = same_deck and _part(before.slide) == _part(slide)
    opened = list(state.get("opened", [])) if same_deck else []
    live = slide.live if slide.live is not None and slide.module == room.module else None
    first_time = live is not None and str(live) not in opened and not room.ended
    room = rooms.update_state(
        room.code,
        slides={
            "deck": deck.name,
            "at": at,
            "started": state.get("started") if same_deck else now,
            "part_started": state.get("part_started") if same_part else now,
            "opened": [*opened, str(live)] if first_time else opened,
        },
    )
    if first_time and room.activity != live:
        room = open_live(rooms, room, slide)
    return room


def open_live(rooms: Rooms, room: Room, slide: Slide) -> Room:
    if room.ended or slide.live is None or slide.module != room.module:
        raise RapportError("This slide has nothing to open in this room.")
    if slide.live.kind == "play":
        return rooms.start_play(room.code, slide.live.id)
    return rooms.show(room.code, slide.live, "open")


def act(rooms: Rooms, code: str, name: str, at: int, action: str, arg: str) -> Room:
    """One thing the presenter asked for, on the slide ``at`` of deck ``name``."""
    room, deck = rooms.get(code), deck_named(name)
    if action == "support":
        set_support_services(rooms.store, parse_services(arg))
        return room
    if action == "go":
        return go(rooms, room, deck, at)
    if action == "restart-clock":
        now = utc_now().isoformat()
        state = {**(room.state.get("slides") or {}), "started": now, "part_started": now}
        return rooms.update_state(code, slides=state)
    slide = deck.slides[at]
    if action == "open":
        return open_live(rooms, room, slide)
    if action in ("close", "reopen"):
        return rooms.show(code, room.activity, "closed" if action == "close" else "open")
    if action == "reveal":
        count = rooms.answered(code, room.current) if room.current else 0
        if count < MIN_TO_REVEAL:
            raise RapportError(
                f"Only {count} answered; results are shown once at least {MIN_TO_REVEAL} have."
            )
        return rooms.show(code, room.activity, "revealed")
    if action in ("hide", "show"):
        rooms.hide(code, int(arg), hidden=action == "hide")
        return room
    simple = {
        "timer": lambda: rooms.start_timer(code, float(arg or 5)),
        "stop-timer": lambda: rooms.stop_timer(code),
        "take": lambda: rooms.take(code, int(arg)),
        "coach": lambda: rooms.show_coaching(code),
        "next": lambda: rooms.next_decision(code),
    }
    if action not in simple:
        raise RapportError(f"The presenter view has no action {action!r}.")
    return simple[action]()


def _live(rooms: Rooms, code: str) -> dict:
    room = rooms.get(code)
    current = showing(room)
    if current is None:
        return {"deck": None, "at": 0, "live": ""}
    return {
        "deck": current.deck.name,
        "at": current.at,
        "live": presenter_live_html(rooms, room, current.slide),
        "started": iso(current.started),
        "part_started": iso(current.part_started),
        "now": utc_now().isoformat(),
    }


class PresenterHandler(_Presenting):
    """``/presenter?code=K7Q-4M2[&deck=agenda/taster]``: the facilitator's view of a deck."""

    async def get(self) -> None:
        code, deck_name = self.get_query_argument("code", ""), self.get_query_argument("deck", "")
        key = self.get_query_argument("key", "")
        store = get_store()
        if key:
            if not await _in_thread(facilitator_key_ok, store, key):
                self.set_status(403)
                return self.finish(key_page(self.base, self.xsrf, code, deck_name, True))
            self.remember()  # then the same address without the key, so it is seen no more
            query = urlencode({k: v for k, v in (("code", code), ("deck", deck_name)) if v})
            return self.redirect(f"{self.base}presenter" + (f"?{query}" if query else ""))
        if not await _in_thread(self.facilitator):
            return self.finish(key_page(self.base, self.xsrf, code, deck_name, False))
        rooms = Rooms(store)
        if not code:
            listed = await _in_thread(rooms.list)
            return self.finish(pick_room_page(self.base, [r for r in listed if not r.ended]))
        try:
            page = await _in_thread(self._page, rooms, code, deck_name)
        except (RapportError, ContentError) as err:
            return self.problem(404, "Nothing to present", str(err))
        self.finish(page)

    def _page(self, rooms: Rooms, code: str, deck_name: str) -> str:
        room = rooms.get(code)
        deck = deck_named(deck_name or room.module)
        current = showing(room)
        if current is None or current.deck.name != deck.name:
            room = go(rooms, room, deck, 0)
            current = showing(room)
        times = {
            "started": iso(current.started),
            "part_started": iso(current.part_started),
            "now": utc_now().isoformat(),
        }
        live = presenter_live_html(rooms, room, current.slide)
        services = support_services(rooms.store)
        return presenter_page(deck, room, current.at, services, self.base, self.xsrf, times, live)

    async def post(self) -> None:
        """The key form."""
        self.check_xsrf_cookie()
        code, deck_name = self.get_body_argument("code", ""), self.get_body_argument("deck", "")
        if not await _in_thread(facilitator_key_ok, get_store(), self.get_body_argument("key", "")):
            self.set_status(403)
            return self.finish(key_page(self.base, self.xsrf, code, deck_name, True))
        self.remember()
        query = urlencode({k: v for k, v in (("code", code), ("deck", deck_name)) if v})
        self.redirect(f"{self.base}presenter" + (f"?{query}" if query else ""), status=303)


class PresenterStateHandler(_Presenting):
    """The room's panel for the presenter, read once a second."""

    async def get(self) -> None:
        if not await _in_thread(self.facilitator):
            return self.reply(403, error=KEY_NEEDED)
        try:
            data = await _in_thread(_live, Rooms(get_store()), self.get_query_argument("code", ""))
        except StoreUnavailable:
            return self.reply(503, error="The store could not be reached; trying again.")
        except RapportError as err:
            return self.reply(404, error=str(err))
        self.reply(**data)


class PresenterActHandler(_Presenting):
    """What the presenter does: move to a slide, reveal, take the room's choice, and so on."""

    async def post(self) -> None:
        self.check_xsrf_cookie()
        if not await _in_thread(self.facilitator):
            return self.reply(403, error=KEY_NEEDED)
        try:
            asked = json.loads(self.request.body or b"{}")
            code, name, action = str(asked["code"]), str(asked["deck"]), str(asked["action"])
            at, arg = int(asked.get("at", 0)), str(asked.get("arg", ""))
        except (ValueError, KeyError, TypeError):
            raise HTTPError(400, "expected JSON with a code, a deck and an action") from None
        rooms = Rooms(get_store())
        try:
            await _in_thread(act, rooms, code, name, at, action, arg)
            data = await _in_thread(_live, rooms, code)
        except StoreUnavailable:
            return self.reply(503, error="The store could not be reached; try again.")
        except (RapportError, ContentError, ValueError, LookupError) as err:
            return self.reply(400, error=str(err))
        self.reply(ok=True, **data)


class ProjectorHandler(_Presenting):
    """``/projector?code=K7Q-4M2``: what the room sees, and nothing else. No key needed."""

    async def get(self) -> None:
        code = self.get_query_argument("code", "")
        if not code.strip():
            return self.problem(
                400,
                "Which room?",
                "Add the room's code to the address, for example /projector?code=K7Q-4M2; "
                "the dashboard's Open the projector view button does it for you.",
            )
        try:
            html = await _in_thread(self._html, code)
        except RapportError as err:
            return self.problem(404, "No such room", str(err))
        self.finish(projector_page(code.strip().upper(), html, self.base))

    def _html(self, code: str) -> str:
        rooms = Rooms(get_store())
        return projector_html(rooms, code, self.public_url(), support_services(rooms.store))


class ProjectorStateHandler(ProjectorHandler):
    """The projector's slide now, read twice a second."""

    async def get(self) -> None:
        try:
            html = await _in_thread(self._html, self.get_query_argument("code", ""))
        except StoreUnavailable:
            return self.reply(503, error="The store could not be reached; trying again.")
        except RapportError as err:
            return self.reply(404, error=str(err))
        self.reply(html=html)
