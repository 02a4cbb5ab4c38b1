"""A room's printable summary: every activity's results on one self-contained HTML page."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from rapport.content.loading import load_module
from rapport.content.schema import PairExercise
from rapport.errors import RoomError
from rapport.render.html import CSS
from rapport.render.results import results_html
from rapport.room.model import activity_for
from rapport.room.tally import MIN_TO_REVEAL
from rapport.store.rooms import Rooms

if TYPE_CHECKING:  # pandas loads on first use, so kernels start light
    import pandas as pd

EXPORT_KIND = {"vote": "vote", "shared": "shared reflection", "rating": "evaluation"}  # or its kind
EXPORT_COLUMNS = ["room", "module", "activity", "kind", "answer", "hidden", "answered_at"]

PRINT_CSS = """
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2937;
  max-width: 760px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 1.6em; margin-bottom: 0; }
section { break-inside: avoid; margin: 18px 0; }
@media print { body { margin: 0; } a { color: inherit; } }
</style>
"""


def room_summary_html(rooms: Rooms, code: str) -> str:
    """The room's answered activities and shared reflections, anonymous, ready to print."""
    room = rooms.get(code)
    module = load_module(room.module)
    refs = list(rooms.answer_counts(room.code))
    sections = []
    for ref in refs:
        if ref.is_shared:
            continue
        try:
            activity = activity_for(room, ref)
        except (LookupError, RoomError, ValueError):
            continue
        if isinstance(activity, PairExercise):
            continue
        result = rooms.tally(room.code, ref)
        low, high = getattr(activity, "low", ""), getattr(activity, "high", "")
        title = "Role-play vote" if ref.is_vote else activity.prompt
        sections.append(
            f"<section><h2>{escape(title)}</h2>"
            f"{results_html(result, activity.prompt, low, high)}</section>"
        )
    shared = rooms.shared(room.code)
    if len(shared) >= MIN_TO_REVEAL:
        items = "".join(f"<li>{escape(a.value)}</li>" for a in shared)
        sections.append(f"<section><h2>Shared reflections</h2><ul>{items}</ul></section>")
    when = room.created_at.strftime("%d %B %Y")
    body = "".join(sections) or "<p>No answers were given in this room.</p>"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Rapport room {room.code}: {escape(module.label)}</title>"
        f"{CSS}{PRINT_CSS}</head><body>"
        f"<h1>{escape(module.label)}</h1>"
        f'<p class="rp-meta">Room {room.code} · {when} · anonymous answers; results with '
        f"fewer than {MIN_TO_REVEAL} answers are not shown.</p>{body}</body></html>"
    )


def download_links(rooms: Rooms, code: str) -> str:
    """Links that download the room's answers (CSV, no personal data) and its printable
    summary, carried in the page itself: nothing is stored on the server."""
    import base64

    room = rooms.get(code)
    frame = answers_frame(rooms, room.code)
    csv = base64.b64encode(frame.to_csv(index=False).encode("utf-8")).decode("ascii")
    page = base64.b64encode(room_summary_html(rooms, room.code).encode("utf-8")).decode("ascii")
    return (
        f'<p><a download="room-{room.code}.csv" href="data:text/csv;charset=utf-8;base64,'
        f'{csv}">Download the answers (CSV, {len(frame)} rows, no personal data)</a> · '
        f'<a download="room-{room.code}-summary.html" '
        f'href="data:text/html;charset=utf-8;base64,{page}">Download a printable '
        "summary</a></p>"
    )


def answers_frame(rooms: Rooms, code: str) -> pd.DataFrame:
    """One row per answer, with no participant data: what the CSV export holds."""
    import pandas as pd

    room = rooms.get(code)
    records = []
    for answer in rooms.all_answers(room.code):
        try:
            activity = activity_for(room, answer.activity)
        except (LookupError, RoomError, ValueError):
            activity = None  # e.g. an earlier round of a role-play, or content since changed
        kind = EXPORT_KIND.get(answer.activity.kind) or (activity.kind if activity else "")
        value = answer.value
        if activity is not None and activity.kind == "poll":
            value = activity.options[int(value)]
        records.append(
            {
                "room": room.code,
                "module": room.module,
                "activity": str(answer.activity),
                "kind": kind,
                "answer": value,
                "hidden": answer.hidden,
                "answered_at": answer.answered_at.isoformat(timespec="seconds"),
            }
        )
    return pd.DataFrame.from_records(records, columns=EXPORT_COLUMNS)
