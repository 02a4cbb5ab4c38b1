"""A room's printable summary: every activity's results on one self-contained HTML page."""

from __future__ import annotations

from html import escape

from rapport.content import load_module
from rapport.rooms import RoomError, Rooms, activity_for
from rapport.schema import PairExercise
from rapport.widgets._html import CSS
from rapport.widgets.results import results_html

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
    ids = list(rooms.answer_counts(room.code))
    sections = []
    for activity_id in ids:
        if activity_id.startswith("shared:"):
            continue
        try:
            activity = activity_for(room, activity_id)
        except (LookupError, RoomError, ValueError):
            continue
        if isinstance(activity, PairExercise):
            continue
        result = rooms.tally(room.code, activity_id)
        low, high = getattr(activity, "low", ""), getattr(activity, "high", "")
        title = "Role-play vote" if activity_id.startswith("vote:") else activity.prompt
        sections.append(
            f"<section><h2>{escape(title)}</h2>"
            f"{results_html(result, activity.prompt, low, high)}</section>"
        )
    shared = rooms.shared(room.code)
    if len(shared) >= 3:
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
        f"fewer than three answers are not shown.</p>{body}</body></html>"
    )
