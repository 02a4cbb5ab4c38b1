"""LiveResults: the dashboard's view of what is on participants' screens and what they answered.

It shows the activity on screen, its live results (or the room role-play's votes, with the
buttons that take a choice), anonymous text answers with Hide/Show, and reflections the room
shared. It redraws only when the room or its answers changed.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w
from traitlets import Bool, Int, List

from rapport.content.schema import OpenText, PairExercise
from rapport.render.html import inline, text
from rapport.render.results import KIND_NAME, results_html, waiting_html
from rapport.render.scenario import room_play_html
from rapport.room.model import Answer, Room, activity_for, coached, play_run
from rapport.room.tally import MIN_TO_REVEAL
from rapport.store.rooms import Rooms

PHASE = {"open": "open for answers", "closed": "answers closed", "revealed": "revealed"}


class LiveResults(w.VBox):
    """What participants see and answer, as the facilitator follows it."""

    votes = List(Int(), help="The room's votes per choice (as written) at the open decision.")
    coached = Bool(False, help="Whether the coaching on the room's last choice is shown.")
    counts = List(Int(), help="The tally on screen: votes per poll option, or per scale point.")
    shared_count = Int(0, help="Reflections shared with the room (hidden ones left out).")

    def __init__(
        self,
        rooms: Rooms,
        take: Callable[[int], None],
        next_decision: Callable[[], None],
        hide: Callable[[int, bool], None],
        coach: Callable[[], None],
    ):
        self.rooms = rooms
        self._take, self._next, self._hide, self._coach = take, next_decision, hide, coach
        self.screen = w.HTML()
        self.results = w.HTML()
        self.moderation = w.VBox(layout=w.Layout(width="100%"))
        self.play_controls = w.VBox(layout=w.Layout(width="100%"))
        self.shared_view = w.HTML()
        self._screen_seen: tuple | None = None
        self._answers_seen: tuple | None = None
        super().__init__(
            [self.screen, self.results, self.moderation, self.play_controls, self.shared_view],
            layout=w.Layout(width="100%"),
        )

    def forget(self) -> None:
        """Redraw the answers at the next reading (after one was hidden or shown)."""
        self._answers_seen = None

    def show(self, room: Room) -> None:
        """Bring the view up to date with ``room`` and its answers."""
        seen = (room.current, room.phase, room.ended)
        if seen != self._screen_seen:
            self._screen_seen = seen
            self._answers_seen = None
            self._screen(room)
        self._results(room)
        self._shared(room)

    def _screen(self, room: Room) -> None:
        self.play_controls.children = ()
        if room.current is None:
            self.screen.value = (
                '<div class="rp-card"><p class="rp-note">Nothing is on participants\' screens; '
                "they see a waiting message.</p></div>"
            )
            return
        if room.playing:
            self.screen.value = ""
            return
        activity = activity_for(room, room.current)
        extra = ""
        if isinstance(activity, PairExercise):
            steps = "".join(f"<li>{inline(s)}</li>" for s in activity.instructions)
            extra = f'<ol>{steps}</ol><p class="rp-meta">{activity.minutes} minutes.</p>'
        self.screen.value = (
            f'<div class="rp-card"><p class="rp-meta">{KIND_NAME[activity.kind]} · '
            f"{PHASE[room.phase]}</p>{text(activity.prompt)}{extra}</div>"
        )

    def _results(self, room: Room) -> None:
        if room.current is None:
            self.results.value = ""
            self.moderation.children = ()
            return
        activity = activity_for(room, room.current)
        if isinstance(activity, PairExercise) or room.current.is_rating:
            self.results.value = ""  # self-ratings show as change, in the evaluation panel
            return
        answers = self.rooms.answers(room.code, room.current, include_hidden=True)
        answered = tuple((a.id, a.value, a.hidden) for a in answers)
        seen = (room.current, room.phase, coached(room), answered)
        if seen == self._answers_seen:
            return
        self._answers_seen = seen
        if room.playing:
            self._play(room)
            return
        if isinstance(activity, OpenText):
            # Hiding an answer does not make the others less anonymous: count everyone.
            enough = len(answers) >= MIN_TO_REVEAL
            self.results.value = "" if enough else waiting_html(len(answers))
            self.moderation.children = self._text_rows(answers) if enough else ()
            return
        self.moderation.children = ()
        result = self.rooms.tally(room.code, room.current)
        column = {"poll": "votes", "scale": "count"}.get(result.kind)
        self.counts = result.table[column].tolist() if column else []
        low, high = getattr(activity, "low", ""), getattr(activity, "high", "")
        self.results.value = (
            f'<div class="rp-card">{results_html(result, activity.prompt, low, high)}</div>'
        )

    def _text_rows(self, answers: list[Answer]) -> list[w.Widget]:
        rows = [w.HTML('<p class="rp-meta">Anonymous answers (hide any that should not show)</p>')]
        for answer in answers:
            label = "Show again" if answer.hidden else "Hide"
            button = w.Button(description=label, layout=w.Layout(width="110px", min_width="110px"))
            button.on_click(lambda _b, a=answer: self._hide(a.id, not a.hidden))
            body = "<i>(hidden)</i>" if answer.hidden else text(answer.value)
            cell = w.HTML(f'<div class="rp-text-row">{body}</div>', layout=w.Layout(flex="1"))
            rows.append(
                w.HBox(
                    [cell, button],
                    layout=w.Layout(width="100%", border_bottom="1px solid #e5e7eb"),
                )
            )
        return rows

    def _play(self, room: Room) -> None:
        run = play_run(room)
        head = f'<div class="rp-card"><h2>Role-play: {inline(run.scenario.title)}</h2>'
        self.coached = coached(room)
        if room.phase == "open":
            result = self.rooms.tally(room.code, room.current)
            self.votes = result.table["votes"].tolist()  # per option, as written
            shown = run.options  # in the order the room sees them
            rows = "".join(
                f"<li>{inline(c.text)}: <b>{self.votes[i]}</b> "
                f"vote{'s' if self.votes[i] != 1 else ''}</li>"
                for i, c in shown
            )
            self.results.value = (
                f"{head}{room_play_html(run, voting=True)}"
                f'<p class="rp-meta">The room votes ({result.count} so far):</p>'
                f"<ol>{rows}</ol></div>"
            )
            top = max(range(len(self.votes)), key=self.votes.__getitem__) if result.count else None
            buttons = []
            for n, (i, choice) in enumerate(shown, start=1):
                button = w.Button(
                    description=f"Take {n}" + (" (room's choice)" if i == top else ""),
                    tooltip=choice.text,
                    button_style="primary" if i == top else "",
                )
                button.on_click(lambda _b, i=i: self._take(i))
                buttons.append(button)
            self.play_controls.children = [w.HBox(buttons, layout=w.Layout(flex_flow="row wrap"))]
            return
        self.votes = []
        self.results.value = head + room_play_html(run, False, self.coached) + "</div>"
        controls = []
        if not run.finished and not self.coached and run.scenario.coaching != "at-end":
            why = w.Button(description="Show the coaching", icon="question-circle")
            why.on_click(lambda _: self._coach())
            controls.append(why)
        if not run.finished:
            next_button = w.Button(
                description="Next decision", button_style="primary", icon="forward"
            )
            next_button.on_click(lambda _: self._next())
            controls.append(next_button)
        row = w.HBox(controls, layout=w.Layout(flex_flow="row wrap"))
        self.play_controls.children = [row] if controls else []

    def _shared(self, room: Room) -> None:
        shared = self.rooms.shared(room.code)
        self.shared_count = len(shared)
        if not shared:
            self.shared_view.value = ""
        elif len(shared) < MIN_TO_REVEAL:
            self.shared_view.value = (
                f'<p class="rp-note">{len(shared)} reflection{"s" if len(shared) != 1 else ""} '
                f"shared so far; they show once {MIN_TO_REVEAL} are in.</p>"
            )
        else:
            items = "".join(f"<li>{text(a.value)}</li>" for a in shared)
            self.shared_view.value = (
                '<div class="rp-card"><h2>Shared reflections</h2>'
                f'<ul class="rp-texts">{items}</ul></div>'
            )
