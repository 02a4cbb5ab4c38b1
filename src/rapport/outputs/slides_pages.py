"""The pages around a deck: the presenter view (current and next slide, the notes for this
part, the clock, the room), the projector view, and the short pages for a key, a room to pick
or a problem. All text is escaped; the presenter's data travels as JSON inside the page."""

from __future__ import annotations

import json
from datetime import datetime

from rapport.content.agenda import clock
from rapport.content.loading import load_module
from rapport.outputs.slides import Deck, Slide, part_notes
from rapport.outputs.slides_html import asset, page_html, slides_html
from rapport.render.html import inline, notice
from rapport.room.model import Room
from rapport.store.support import EXAMPLE, Service

KEYS = "→, Space or Page Down: next · ← or Page Up: back · Home, End · a number then Enter"


def _head(base: str) -> str:
    return f'<link rel="stylesheet" href="{inline(base)}rapport-static/presenting.css">\n'


def _data(element_id: str, value: dict) -> str:
    # "</" never closes the script element early, whatever the data holds.
    payload = json.dumps(value).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{payload}</script>'


def notes_html(slide: Slide) -> str:
    """The notes for the part of the plan ``slide`` belongs to, and its own background."""
    notes = part_notes(slide)
    parts = []
    if notes.what:
        where = f"Part {notes.step + 1} of {notes.steps}" if notes.step is not None else "Now"
        planned = (
            f" · {notes.minutes} minutes planned, from {clock(notes.planned_before)}"
            if notes.minutes
            else ""
        )
        parts.append(f"<h2>{where}{planned}</h2><p>{inline(notes.what)}</p>")
    sections = (
        ("Debrief questions", notes.debrief),
        ("About this slide", notes.more),
        ("Care", notes.care),
        ("Talking points", notes.talking_points),
    )
    for heading, items in sections:
        if items:
            rows = "".join(f"<li>{inline(item)}</li>" for item in items)
            parts.append(f"<h3>{heading}</h3><ul>{rows}</ul>")
    return "".join(parts) or '<p class="meta">No notes for this slide.</p>'


def _support_form(deck: Deck, services: list[Service]) -> str:
    lines = "\n".join(service.line() for service in services)
    form = (
        '<form class="support-form">'
        '<label for="support-text">One service a line: its name, a colon, and how to reach '
        f"it (for example “{inline(EXAMPLE)}”)</label>"
        f'<textarea id="support-text" rows="4">{inline(lines)}</textarea>'
        '<button type="submit">Save the services</button>'
        '<p class="support-status" role="status"></p></form>'
    )
    if services:
        return (
            f'<details class="support"><summary>Local support services ({len(services)})'
            f"</summary>{form}</details>"
        )
    needed = any(slide.kind == "support" for slide in deck.slides)
    if not needed:
        return f'<details class="support"><summary>Local support services</summary>{form}</details>'
    return (
        '<section class="reminder" aria-labelledby="reminder-title">'
        '<h2 id="reminder-title">Add your local support services</h2>'
        "<p>This deck has a support slide, and no local help services are set, so it shows "
        "general advice only. Add a helpline, a counselling service and the emergency number "
        "for where you are running the session, here or with "
        "<kbd>rapport support --set FILE</kbd>.</p>"
        f"{form}</section>"
    )


def presenter_page(
    deck: Deck,
    room: Room,
    at: int,
    services: list[Service],
    base: str,
    xsrf: str,
    times: dict,
    live: str,
) -> str:
    """The presenter view of ``deck`` for ``room``: ``times`` holds the ISO times ``started``,
    ``part_started`` and ``now``; ``live`` is the room's panel for the slide at ``at``."""
    blocks: dict[str, int] = {}
    per_slide = []
    for slide in deck.slides:
        per_slide.append(blocks.setdefault(notes_html(slide), len(blocks)))
    notes = "".join(
        f'<div class="notes-block" data-block="{n}" hidden>{html}</div>'
        for html, n in blocks.items()
    )
    minutes = [part_notes(slide).minutes for slide in deck.slides]
    listing = "".join(
        f'<li><button type="button" data-go="{n}">{inline(slide.title)}</button></li>'
        for n, slide in enumerate(deck.slides)
    )
    label = load_module(room.module).label
    data = {
        "code": room.code,
        "deck": deck.name,
        "at": at,
        "base": base,
        "xsrf": xsrf,
        "blocks": per_slide,
        "minutes": minutes,
        **times,
    }
    projector = f"{base}projector?code={room.code}"
    body = (
        '<header class="pbar"><h1>Presenter · '
        f"{inline(deck.title)}</h1>"
        f"<p>Room <b>{inline(room.code)}</b> ({inline(label)}) · "
        f'<a href="{inline(projector)}" target="_blank" rel="noopener">Open the projector '
        "view</a></p>"
        '<p class="clocks"><span>Session <b class="session-clock" role="timer">0:00</b></span> '
        '<span>This part <b class="part-clock" role="timer">0:00</b>'
        '<span class="part-planned"></span></span> '
        '<button type="button" data-act="restart-clock">Restart the clock</button></p></header>'
        '<main class="presenter">'
        '<section class="now" aria-label="Current slide"><div class="frame">'
        f'<div class="deck-stage">{slides_html(deck, services, level=2)}</div></div>'
        f'<p class="where"><span class="deck-where" role="status">{at + 1} / {len(deck)}</span>'
        ' <button type="button" class="deck-prev" aria-label="Previous slide">‹</button>'
        ' <button type="button" class="deck-next" aria-label="Next slide">›</button></p>'
        f'<p class="meta">{inline(KEYS)}</p></section>'
        '<section class="next" aria-label="Next slide"><h2>Next</h2>'
        '<div class="frame small" aria-hidden="true"><div class="deck-stage next-stage">'
        "</div></div></section>"
        '<section class="room" aria-labelledby="room-title"><h2 id="room-title">The room</h2>'
        f'<div class="live-panel" aria-live="polite">{live}</div>'
        '<p class="act-status" role="status"></p></section>'
        f'<section class="notes" aria-label="Notes for this part">{notes}</section>'
        f"{_support_form(deck, services)}"
        f'<details class="all-slides"><summary>All slides</summary><ol>{listing}</ol></details>'
        "</main>"
        f"{_data('presenter-data', data)}<script>{asset('deck.js')}</script>"
        f'<script src="{inline(base)}rapport-static/presenter.js"></script>'
    )
    return page_html(f"Presenter · {deck.title}", body, _head(base), "presenter-page")


def projector_page(code: str, html: str, base: str) -> str:
    """The projector's page: one slide-sized stage that follows the room."""
    body = (
        '<main class="deck-window projector" aria-label="What the room sees">'
        f'<div class="deck-stage" id="stage" aria-live="polite">{html}</div></main>'
        f"{_data('projector-data', {'code': code, 'base': base})}"
        f'<script src="{inline(base)}rapport-static/projector.js"></script>'
    )
    return page_html(f"Rapport · room {code}", body, _head(base), "deck-page")


def key_page(base: str, xsrf: str, code: str, deck: str, wrong: bool) -> str:
    """The facilitator key, asked for once: a signed cookie remembers it for the day."""
    error = (
        notice("error", "That key does not match. Copy it again from the terminal running "
               "rapport serve.")
        if wrong
        else ""
    )  # fmt: skip
    body = (
        '<main class="problem"><h1>Presenter view</h1><p>Enter the facilitator key. It is '
        "printed in the terminal where <kbd>rapport serve</kbd> was started.</p>"
        f'<form method="post" action="{inline(base)}presenter">'
        f'<input type="hidden" name="_xsrf" value="{inline(xsrf)}">'
        f'<input type="hidden" name="code" value="{inline(code)}">'
        f'<input type="hidden" name="deck" value="{inline(deck)}">'
        '<label for="key">Facilitator key</label> '
        '<input id="key" name="key" type="password" autocomplete="off" required> '
        f'<button type="submit">Open the presenter view</button></form>{error}</main>'
    )
    return page_html("Presenter view", body, _head(base), "plain-page")


def pick_room_page(base: str, rooms: list[Room]) -> str:
    """No room named: the open rooms to present in, or how to make one."""
    items = "".join(
        f'<li><a href="{inline(base)}presenter?code={inline(r.code)}">{inline(r.code)} · '
        f"{inline(load_module(r.module).label)}</a></li>"
        for r in rooms
    )
    listing = (
        f"<ul>{items}</ul>"
        if items
        else "<p>There is no open room yet. Create one on the facilitator dashboard.</p>"
    )
    body = (
        '<main class="problem"><h1>Presenter view</h1><p>The presenter view runs a room: pick '
        "the room to present in. Add <kbd>&amp;deck=agenda/half-day</kbd> to the address to "
        f"present an agenda instead of the room's module.</p>{listing}</main>"
    )
    return page_html("Presenter view", body, _head(base), "plain-page")


def problem_page(base: str, title: str, message: str) -> str:
    """A short page saying what went wrong and what to do."""
    body = f'<main class="problem"><h1>{inline(title)}</h1><p>{inline(message)}</p></main>'
    return page_html(title, body, _head(base), "plain-page")


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
