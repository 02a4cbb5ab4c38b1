"""The participant's page in a live room: join with a code, follow the facilitator, answer.

The page knows its participant only by the browser's random token (see ``rapport.serve``), so a
reload or a phone waking up rejoins as the same participant with the same answers. It follows
the facilitator by reading the room from the store about once a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

import ipywidgets as w
from sqlalchemy.exc import SQLAlchemyError

from rapport.codes import CodeError
from rapport.content import load_module
from rapport.rooms import Room, RoomError, Rooms, activity_for, play_run
from rapport.schema import OneWord, OpenText, PairExercise, Poll, Scale
from rapport.tally import MAX_TEXT, MAX_WORD, AnswerRejected
from rapport.widgets._html import inline, style, text
from rapport.widgets.live import Ticker
from rapport.widgets.results import results_html
from rapport.widgets.scenario_player import feedback_html

UNREACHABLE = "The workshop server could not be reached just now; trying again…"
HEARTBEAT_TICKS = 30  # tell the room we are still here about every 30 s
PULSE_TICKS = 5  # and the page that this kernel is alive, about every 5 s (see the template)


def say(kind: str, message: str) -> str:
    css = {"ok": "rp-ok", "error": "rp-error", "note": "rp-note"}[kind]
    role = "alert" if kind == "error" else "status"
    return f'<p class="{css}" role="{role}">{inline(message)}</p>'


def time_left(room: Room, now: datetime) -> str | None:
    """The countdown, as ``mm:ss``, while the room's timer runs."""
    ends = room.state.get("timer")
    if not ends:
        return None
    seconds = max(0, math.ceil((datetime.fromisoformat(ends) - now).total_seconds()))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def timer_html(left: str | None) -> str:
    """The countdown as it shows on the projector and on phones; nothing when no timer runs."""
    if left is None:
        return ""
    if left == "00:00":
        return '<div class="rp-card"><p class="rp-timer" role="timer">Time is up</p></div>'
    return (
        '<div class="rp-card"><p class="rp-meta">Time left</p>'
        f'<p class="rp-timer" role="timer">{left}</p></div>'
    )


class ParticipantApp(w.VBox):
    """Join form, then whatever the facilitator has on screen, updated on its own."""

    def __init__(
        self,
        rooms: Rooms,
        token: str | None,
        code: str = "",
        reflections: Callable[[Room, Callable[[str, str], str]], list[w.Widget]] | None = None,
        every: float = 1.0,
    ):
        self.rooms = rooms
        self.token = token
        self.room: Room | None = None
        self._reflections = reflections
        self._signature: tuple | None = None
        self._ticks = 0
        self.code_input = w.Text(
            value=code,
            description="Room code",
            placeholder="K7Q-4M2",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="360px"),
            continuous_update=False,  # sent whole before Join is pressed (ReflectionBox)
        )
        self.nickname_input = w.Text(
            description="Nickname (optional)",
            placeholder="Leave empty to stay anonymous",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="360px"),
            continuous_update=False,
        )
        self.join_button = w.Button(description="Join", button_style="primary", icon="sign-in")
        self.join_button.on_click(
            lambda _: self.join(self.code_input.value, self.nickname_input.value)
        )
        self.form = w.VBox(
            [
                w.HTML(
                    '<div class="rp-card"><h2>Join the workshop</h2><p>Type the code on the '
                    "screen. A nickname is optional: your answers are anonymous either "
                    "way.</p></div>"
                ),
                self.code_input,
                self.nickname_input,
                self.join_button,
            ],
            layout=w.Layout(width="100%"),
        )
        self.header = w.HTML()
        self.stage = w.VBox(layout=w.Layout(width="100%"))
        self.stage.add_class("rp-stage")
        self.notes = w.VBox(layout=w.Layout(width="100%"))
        self.status = w.HTML()
        self.pulse = w.HTML(layout=w.Layout(display="none"))
        super().__init__(
            [style(), self.form, self.header, self.stage, self.status, self.notes, self.pulse],
            layout=w.Layout(width="100%"),
        )
        self.add_class("rp-box")
        self.ticker = Ticker(self.refresh, every)
        if token is None:
            self._lock_form(
                "This page cannot tell your browser apart from others, so joining is off. "
                "Open the join link the facilitator shows (cookies must be allowed)."
            )
            return
        self._resume(code)

    def __repr__(self) -> str:
        return f"ParticipantApp(room={self.room.code if self.room else None!r})"

    # -- actions ---------------------------------------------------------------------
    def join(self, code: str, nickname: str = "") -> bool:
        if self.token is None:
            return False
        try:
            self.room = self.rooms.join(code, self.token, nickname or None)
        except (RoomError, CodeError) as err:
            self.status.value = say("error", str(err))
            return False
        except SQLAlchemyError:
            self.status.value = say("error", UNREACHABLE)
            return False
        self.status.value = ""
        self.form.layout.display = "none"
        self._show_notes()
        self.refresh()
        self.ticker.start()
        return True

    def answer(self, value: object) -> bool:
        """Send an answer to what is open now; answering again replaces it."""
        room = self.room
        if room is None or room.current is None:
            return False
        try:
            self.rooms.submit(room.code, self.token, room.current, value)
        except (AnswerRejected, RoomError) as err:
            self.answer_status.value = say("error", str(err))
            return False
        except SQLAlchemyError:
            self.answer_status.value = say(
                "error", "Your answer did not reach the room; send it again."
            )
            return False
        self._signature = None  # redraw, with the answer marked as given
        self.refresh()
        return True

    def refresh(self) -> None:
        """Read the room and redraw whatever changed; what the ticker calls every second."""
        if self.room is None:
            return
        self._ticks += 1
        if self._ticks % PULSE_TICKS == 1:  # this kernel is alive (from the first refresh on)
            self.pulse.value = f'<span class="rp-heartbeat">{self._ticks}</span>'
        try:
            room = self.rooms.get(self.room.code)
            if self._ticks % HEARTBEAT_TICKS == 0 and not room.ended:
                self.rooms.join(room.code, self.token)
        except RoomError:
            self.ticker.stop()
            self.header.value = ""
            self.stage.children = [w.HTML(say("note", "This room has been closed. Thank you!"))]
            return
        except SQLAlchemyError:
            self.status.value = say("note", UNREACHABLE)
            return
        self.status.value = ""
        self.room = room
        signature = (room.current, room.phase, room.ended, room.state.get("timer"))
        if signature != self._signature:
            self._signature = signature
            self._draw(room)
        self._tick_timer(room)

    # -- view ------------------------------------------------------------------------
    def _resume(self, code: str) -> None:
        try:
            room = self.rooms.joined(self.token)
        except SQLAlchemyError:
            self.status.value = say("error", UNREACHABLE)
            return
        wanted = code.strip()
        if room is not None and (not wanted or _same_code(wanted, room.code)):
            self.join(room.code)  # a reload: back into the same room as the same person

    def _lock_form(self, message: str) -> None:
        self.join_button.disabled = True
        self.status.value = say("error", message)

    def _show_notes(self) -> None:
        if self._reflections is None or self.room is None:
            return
        boxes = self._reflections(self.room, self._share)
        if boxes:
            self.notes.children = [
                w.HTML(
                    '<div class="rp-card"><h2>Your private notes</h2><p>These stay in your own '
                    "journal. Nothing is sent to the room unless you press “Share "
                    "anonymously”.</p></div>"
                ),
                *boxes,
            ]

    def _share(self, prompt_id: str, value: str) -> str:
        assert self.room is not None
        return self.rooms.share(self.room.code, self.token, prompt_id, value)

    def _draw(self, room: Room) -> None:
        module = load_module(room.module)
        self.header.value = (
            f'<div class="rp-card"><p class="rp-meta">Room <b>{inline(room.code)}</b> · '
            f"{inline(module.label)}</p></div>"
        )
        self.answer_status = w.HTML()
        self.timer_view = None
        if room.ended:
            self.ticker.stop()
            self.stage.children = [
                w.HTML(say("note", "This workshop has ended. Thank you for taking part!"))
            ]
            return
        if room.playing:
            self.stage.children = self._play_view(room)
            return
        if room.current is None:
            self.stage.children = [
                w.HTML(
                    '<div class="rp-card" aria-live="polite"><p>You are in. The next question '
                    "will appear here on its own when the facilitator opens it.</p></div>"
                )
            ]
            return
        activity = activity_for(room, room.current)
        mine = self.rooms.my_answer(room.code, self.token, room.current)
        heading = w.HTML(f'<div class="rp-card" aria-live="polite">{text(activity.prompt)}</div>')
        if room.phase == "revealed":
            result = self.rooms.tally(room.code, room.current)
            low = getattr(activity, "low", "")
            high = getattr(activity, "high", "")
            yours = _yours(activity, mine)
            self.stage.children = [
                heading,
                w.HTML(
                    f'<div class="rp-card">{results_html(result, activity.prompt, low, high)}'
                    f"{yours}</div>"
                ),
            ]
            return
        if room.phase == "closed" and not isinstance(activity, PairExercise):
            self.stage.children = [
                heading,
                w.HTML(say("note", "Answers are closed. Results may follow in a moment.")),
                w.HTML(_yours(activity, mine)),
            ]
            return
        self.stage.children = [heading, *self._inputs(activity, mine), self.answer_status]

    def _inputs(self, activity, mine: str | None) -> list[w.Widget]:
        if isinstance(activity, Poll):
            return [self._option_buttons(activity.options, mine)]
        if isinstance(activity, Scale):
            row = self._option_buttons([str(v) for v in range(1, 6)], mine, offset=1, wide=False)
            legend = w.HTML(
                f'<p class="rp-meta">1 = {inline(activity.low)} · 5 = {inline(activity.high)}</p>'
            )
            return [legend, row]
        if isinstance(activity, PairExercise):
            steps = "".join(f"<li>{inline(s)}</li>" for s in activity.instructions)
            self.timer_view = w.HTML()
            return [
                w.HTML(f'<div class="rp-card"><ol>{steps}</ol></div>'),
                self.timer_view,
            ]
        limit = MAX_WORD if isinstance(activity, OneWord) else MAX_TEXT
        if isinstance(activity, OpenText):
            box = w.Textarea(
                value=mine or "",
                description="Answer to the room",
                placeholder=f"Up to {limit} characters. Anonymous.",
                rows=3,
                style={"description_width": "initial"},
                layout=w.Layout(width="100%"),
                continuous_update=False,  # see ReflectionBox: one message, before Send
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
        counter = w.HTML(f'<p class="rp-note">{len(box.value)} of {limit} characters</p>')
        box.observe(
            lambda change: setattr(
                counter,
                "value",
                f'<p class="rp-note">{len(change["new"])} of {limit} characters</p>',
            ),
            names="value",
        )
        send = w.Button(
            description="Change my answer" if mine else "Send",
            button_style="primary",
            icon="paper-plane",
        )
        send.on_click(lambda _: self.answer(box.value))
        self.answer_box = box
        note = (
            [w.HTML(say("ok", "Your answer is in. You can change it while the question is open."))]
            if mine
            else []
        )
        return [box, counter, send, *note]

    def _option_buttons(
        self, labels: list[str], mine: str | None, offset: int = 0, wide: bool = True
    ) -> w.Box:
        buttons = []
        for i, label in enumerate(labels):
            value = i + offset
            chosen = mine is not None and mine == str(value)
            button = w.Button(
                description=("✓ " if chosen else "") + label,
                tooltip=label,
                button_style="primary" if chosen else "",
                layout=w.Layout(width="100%" if wide else "56px", height="auto"),
            )
            button.add_class("rp-choice")
            button.on_click(lambda _b, v=value: self.answer(v))
            buttons.append(button)
        self.option_buttons = buttons
        box = w.VBox(buttons, layout=w.Layout(width="100%")) if wide else w.HBox(buttons)
        extra = (
            [w.HTML(say("ok", "Your answer is in. You can change it while the question is open."))]
            if mine
            else []
        )
        return w.VBox([box, *extra], layout=w.Layout(width="100%"))

    def _play_view(self, room: Room) -> list[w.Widget]:
        run = play_run(room)
        scenario = run.scenario
        name = inline(scenario.character.name)
        title = w.HTML(
            f'<div class="rp-card"><h2>Role-play together: {inline(scenario.title)}</h2>'
            f'<p class="rp-meta">The room votes at each decision; the facilitator takes a '
            f"choice.</p></div>"
        )
        if room.phase == "open":
            says = w.HTML(
                f'<div class="rp-says" aria-live="polite"><b>{name}:</b> {text(run.says)}</div>'
            )
            mine = self.rooms.my_answer(room.code, self.token, room.current)
            labels = [c.text for c in run.node.choices]
            return [
                title,
                says,
                w.HTML('<p class="rp-meta">What would you say?</p>'),
                self._option_buttons(labels, mine),
                self.answer_status,
            ]
        step = run.last_step
        parts = []
        if step is not None:
            parts.append(
                f'<div class="rp-you"><b>The room said:</b> {inline(step.choice.text)}</div>'
            )
            parts.append(feedback_html(step, {m.id: m.label for m in scenario.meters}))
        parts.append(f'<div class="rp-says"><b>{name}:</b> {text(run.says)}</div>')
        if run.finished:
            debrief = text(run.debrief().debrief)
            parts.append(f'<div class="rp-card rp-debrief"><h3>Debrief</h3>{debrief}</div>')
        else:
            parts.append('<p class="rp-note">The next vote opens in a moment.</p>')
        return [title, w.HTML('<div aria-live="polite">' + "".join(parts) + "</div>")]

    def _tick_timer(self, room: Room) -> None:
        view = getattr(self, "timer_view", None)
        if view is None:
            return
        from rapport.store import utc_now

        view.value = timer_html(time_left(room, utc_now()))


def _same_code(typed: str, code: str) -> bool:
    from rapport.codes import normalise_code

    try:
        return normalise_code(typed) == code
    except CodeError:
        return False


def _yours(activity, mine: str | None) -> str:
    if mine is None:
        return ""
    if isinstance(activity, Poll):
        mine = activity.options[int(mine)]
    return f'<p class="rp-note">Your answer: {inline(mine)}</p>'
