"""The inputs a participant answers the room with: option buttons, a one-word or short-text box
with its character count. Shared by the join page's activities and the room role-play."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from rapport.content.schema import OneWord, OpenText
from rapport.render.html import notice
from rapport.room.tally import MAX_TEXT, MAX_WORD

ANSWER_IN = "Your answer is in. You can change it while the question is open."


def answer_in(mine: str | None) -> list[w.Widget]:
    """The note that an answer is in, when there is one."""
    return [w.HTML(notice("ok", ANSWER_IN))] if mine else []


def option_buttons(
    labels: list[str],
    mine: str | None,
    pick: Callable[[int], object],
    offset: int = 0,
    wide: bool = True,
    values: list[int] | None = None,
) -> tuple[w.Box, list[w.Button]]:
    """One button per option (full width, or small squares for a scale); the one chosen is
    ticked. Each sends its position plus ``offset``, or its own value from ``values`` (options
    shown in another order than they are stored). Returns the box to show and its buttons."""
    buttons = []
    for i, label in enumerate(labels):
        value = values[i] if values is not None else i + offset
        chosen = mine is not None and mine == str(value)
        button = w.Button(
            description=("✓ " if chosen else "") + label,
            tooltip=label,
            button_style="primary" if chosen else "",
            layout=w.Layout(width="100%" if wide else "56px", height="auto"),
        )
        button.add_class("rp-choice")
        button.on_click(lambda _b, v=value: pick(v))
        buttons.append(button)
    box = w.VBox(buttons, layout=w.Layout(width="100%")) if wide else w.HBox(buttons)
    return w.VBox([box, *answer_in(mine)], layout=w.Layout(width="100%")), buttons


def text_box(activity: OneWord | OpenText, mine: str | None) -> tuple[w.Widget, w.HTML]:
    """A box for a one-word or short text answer, and its live character count."""
    limit = MAX_WORD if isinstance(activity, OneWord) else MAX_TEXT
    if isinstance(activity, OpenText):
        box = w.Textarea(
            value=mine or "",
            description="Answer to the room",
            placeholder=f"Up to {limit} characters. Anonymous.",
            rows=3,
            style={"description_width": "initial"},
            layout=w.Layout(width="100%"),
            continuous_update=False,  # one message, before Send (see ReflectionBox)
        )
    else:
        box = w.Text(
            value=mine or "",
            description="One word",
            placeholder=f"Up to {limit} characters",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="360px"),
            continuous_update=False,
        )

    def count(value: str) -> str:
        return f'<p class="rp-note">{len(value)} of {limit} characters</p>'

    counter = w.HTML(count(box.value))
    box.observe(lambda change: setattr(counter, "value", count(change["new"])), names="value")
    return box, counter
