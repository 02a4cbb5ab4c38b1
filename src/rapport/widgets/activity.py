"""ActivityCard: how a group activity looks to someone studying alone (the room runs it live)."""

from __future__ import annotations

import ipywidgets as w

from rapport.content.schema import OneWord, OpenText, PairExercise, Poll, Scale
from rapport.render.html import inline, short, text
from rapport.widgets._html import html, style, wide

KIND_LABEL = {
    "poll": "Poll",
    "scale": "Scale from 1 to 5",
    "word": "One word",
    "text": "Short anonymous answer",
    "pair": "Pair exercise",
}


class ActivityCard(w.VBox):
    """The activity's prompt and shape, with a note on how a facilitated room runs it."""

    def __init__(self, activity: Poll | Scale | OneWord | OpenText | PairExercise):
        self.activity = activity
        self.card = html(_card_html(activity))
        super().__init__([style(), self.card], layout=wide())
        self.add_class("rp-box")

    def __repr__(self) -> str:
        return f"ActivityCard({self.activity.id!r})"


def _card_html(activity) -> str:
    body = text(activity.prompt)
    if isinstance(activity, Poll):
        body += "<ul>" + "".join(f"<li>{inline(o)}</li>" for o in activity.options) + "</ul>"
    elif isinstance(activity, Scale):
        body += f'<p class="rp-meta">1 = {inline(activity.low)} · 5 = {inline(activity.high)}</p>'
    elif isinstance(activity, PairExercise):
        body += "<ol>" + "".join(f"<li>{inline(s)}</li>" for s in activity.instructions) + "</ol>"
        body += f'<p class="rp-meta">Time box: {activity.minutes} minutes.</p>'
    if isinstance(activity, PairExercise) and activity.solo:
        solo = f"<b>On your own:</b> {inline(activity.solo)}"
    elif isinstance(activity, PairExercise):
        solo = (
            "On your own: find a friend to try it with, or write your partner's side as you "
            "imagine it."
        )
    else:
        solo = "On your own: note your answer, then ask yourself why you chose it."
    return (
        # A module has several group activities: each region's name is its own (axe-core
        # "landmark-unique"), so a screen reader's list of landmarks tells them apart.
        f'<div class="rp-card" role="region" '
        f'aria-label="Group activity: {inline(short(activity.prompt))}">'
        f'<p class="rp-meta"><b>Group activity · {KIND_LABEL[activity.kind]}</b></p>{body}'
        f'<p class="rp-note">In a workshop, the facilitator opens this for the room and everyone '
        f"answers anonymously from their own device. {solo}</p></div>"
    )
