"""The participant's page in a live room: join with a code, follow the facilitator, answer.

The page knows its participant only by the browser's random token (see ``rapport serve``), so a
reload or a phone waking up rejoins as the same participant with the same answers. It follows
the facilitator by reading the room from the store about once a second. What it shows is kept
in traits (the room, what is open, the phase, the countdown, the message); the view is drawn
from them.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w
from traitlets import Bool, Int, Unicode, observe

from rapport.content.loading import load_module
from rapport.content.schema import PairExercise, Poll, Scale
from rapport.errors import AnswerRejected, CodeError, RoomError, StoreUnavailable
from rapport.render.html import inline, notice, text
from rapport.render.results import results_html
from rapport.render.scenario import room_play_html
from rapport.room.codes import normalise_code
from rapport.room.model import Room, activity_for, coached, play_run, time_left
from rapport.store.database import utc_now
from rapport.store.ratings import RoomRatings
from rapport.store.rooms import Rooms
from rapport.widgets._html import style
from rapport.widgets.answering import answer_in, option_buttons, text_box
from rapport.widgets.live import LiveRoomView, Ticker
from rapport.widgets.rating_form import RatingForm, rating_form

UNREACHABLE = "The workshop server could not be reached just now; trying again…"
HEARTBEAT_TICKS = 30  # tell the room we are still here about every 30 s
PULSE_TICKS = 5  # and the page that this kernel is alive, about every 5 s (see the template)
KINDS = ("ok", "note", "error")


class ParticipantApp(LiveRoomView):
    """Join form, then whatever the facilitator has on screen, updated on its own."""

    UNREACHABLE = UNREACHABLE

    gone = Bool(False, help="Whether the room was deleted while the page was open.")
    coached = Bool(False, help="Whether the room is shown the coaching on its last choice.")
    my_answer = Unicode(None, allow_none=True, help="This participant's answer to what is open.")
    answer_message = Unicode("", help="What became of the last answer sent, if it was refused.")
    ticks = Int(0, help="Readings of the room since joining (the page's pulse counts them).")

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
        initial = {"description_width": "initial"}
        self.code_input = w.Text(
            value=code,
            description="Room code",
            placeholder="K7Q-4M2",
            style=initial,
            layout=w.Layout(width="100%", max_width="360px"),
            continuous_update=False,  # sent whole before Join is pressed (see ReflectionBox)
        )
        self.nickname_input = w.Text(
            description="Nickname (optional)",
            placeholder="Leave empty to stay anonymous",
            style=initial,
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
        # The parts of the stage that outlive a redraw.
        self.answer_status = w.HTML()
        self.timer_view = w.HTML()
        self.send_button = w.Button(button_style="primary", icon="paper-plane")
        self.send_button.on_click(lambda _: self.answer(self.answer_box.value))
        self.answer_box: w.Text | w.Textarea | None = None
        self.option_buttons: list[w.Button] = []
        self.rating_form: RatingForm | None = None  # the room's own evaluation, when it asks
        self._batch = self._stale = False  # while reading the room: draw once, at the end
        super().__init__(
            [style(), self.form, self.header, self.stage, self.status, self.notes, self.pulse],
            layout=w.Layout(width="100%"),
        )
        self.add_class("rp-box")
        self.ticker = Ticker(self.refresh, every)
        if token is None:
            self.join_button.disabled = True
            self._say(
                "error",
                "This page cannot tell your browser apart from others, so joining is off. "
                "Open the join link the facilitator shows (cookies must be allowed).",
            )
            return
        self._resume(code)

    def __repr__(self) -> str:
        return f"ParticipantApp(room={self.code or None!r})"

    # -- actions ---------------------------------------------------------------------
    def join(self, code: str, nickname: str = "") -> bool:
        if self.token is None:
            return False
        try:
            room = self.rooms.join(code, self.token, nickname or None)
        except StoreUnavailable:
            self._say("error", UNREACHABLE)
            return False
        except RoomError as err:  # CodeError included
            self._say("error", str(err))
            return False
        self._say("note", "")
        self.form.layout.display = "none"
        self.room = room
        self.refresh()
        self._show_notes()
        self.ticker.start()
        return True

    def answer(self, value: object) -> bool:
        """Send an answer to what is open now; answering again replaces it."""
        if self.room is None or self.current is None:
            return False
        try:
            self.rooms.submit(self.code, self.token, self.current, value)
        except StoreUnavailable:
            self.answer_message = "Your answer did not reach the room; send it again."
            return False
        except (AnswerRejected, RoomError) as err:
            self.answer_message = str(err)
            return False
        self.answer_message = ""
        self.refresh()
        return True

    def refresh(self) -> None:
        """Read the room and update the state; what the ticker calls every second."""
        if self.room is None:
            return
        self.ticks += 1
        try:
            room = self.rooms.get(self.room.code)
            if self.ticks % HEARTBEAT_TICKS == 0 and not room.ended:
                self.rooms.join(room.code, self.token)
        except StoreUnavailable:
            self.reachable = False
            return
        except RoomError:
            self.ticker.stop()
            self.gone = True
            return
        self.reachable = True
        self._read(room)

    # -- state -----------------------------------------------------------------------
    def _read(self, room: Room) -> None:
        """Take the room's state into the traits; the view follows them."""
        self.room = room
        mine = None
        if room.current is not None:
            mine = self.rooms.my_answer(room.code, self.token, room.current)
        self._batch = True
        try:
            with self.hold_trait_notifications():
                self.code, self.module_id = room.code, room.module
                self.current, self.phase, self.ended = room.current, room.phase, room.ended
                self.my_answer = mine
                self.coached = coached(room)
                self.timer = time_left(room, utc_now())
        finally:
            self._batch = False
        if self._stale:
            self._draw()
        if room.ended:
            self.ticker.stop()

    @observe("ticks")
    def _beat(self, change) -> None:
        if change["new"] % PULSE_TICKS == 1:  # this kernel is alive (from the first reading on)
            self.pulse.value = f'<span class="rp-heartbeat">{change["new"]}</span>'

    @observe("code", "current", "phase", "ended", "my_answer", "gone", "coached")
    def _redraw(self, _change=None) -> None:
        if self._batch:
            self._stale = True
        elif self.room is not None or self.gone:
            self._draw()

    @observe("answer_message")
    def _show_answer_status(self, change) -> None:
        self.answer_status.value = notice("error", change["new"]) if change["new"] else ""

    # -- view ------------------------------------------------------------------------
    def _resume(self, code: str) -> None:
        try:
            room = self.rooms.joined(self.token)
        except StoreUnavailable:
            self._say("error", UNREACHABLE)
            return
        wanted = code.strip()
        if room is not None and (not wanted or _same_code(wanted, room.code)):
            self.join(room.code)  # a reload: back into the same room as the same person

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
        return self.rooms.share(self.code, self.token, prompt_id, value)

    def _draw(self) -> None:
        self._stale = False
        if self.gone:
            self.header.value = ""
            self.stage.children = [w.HTML(notice("note", "This room has been closed. Thank you!"))]
            return
        room = self.room
        module = load_module(self.module_id)
        self.header.value = (
            f'<div class="rp-card"><p class="rp-meta">Room <b>{inline(self.code)}</b> · '
            f"{inline(module.label)}</p></div>"
        )
        self.option_buttons = []
        if self.ended:
            message = "This workshop has ended. Thank you for taking part!"
            self.stage.children = [w.HTML(notice("note", message))]
            return
        if room.playing:
            self.stage.children = self._play_view(room)
            return
        if self.current is None:
            self.stage.children = [
                w.HTML(
                    '<div class="rp-card" aria-live="polite"><p>You are in. The next question '
                    "will appear here on its own when the facilitator opens it.</p></div>"
                )
            ]
            return
        if self.current.is_rating:
            form = rating_form(self.rating_form, RoomRatings(self.rooms), room, self.token)
            self.rating_form, self.stage.children = form, [form]
            return
        activity = activity_for(room, self.current)
        heading = w.HTML(f'<div class="rp-card" aria-live="polite">{text(activity.prompt)}</div>')
        if self.phase == "revealed":
            result = self.rooms.tally(self.code, self.current)
            low, high = getattr(activity, "low", ""), getattr(activity, "high", "")
            shown = results_html(result, activity.prompt, low, high)
            self.stage.children = [
                heading,
                w.HTML(f'<div class="rp-card">{shown}{_yours(activity, self.my_answer)}</div>'),
            ]
            return
        if self.phase == "closed" and not isinstance(activity, PairExercise):
            self.stage.children = [
                heading,
                w.HTML(notice("note", "Answers are closed. Results may follow in a moment.")),
                w.HTML(_yours(activity, self.my_answer)),
            ]
            return
        self.stage.children = [heading, *self._inputs(activity), self.answer_status]

    def _inputs(self, activity) -> list[w.Widget]:
        mine = self.my_answer
        if isinstance(activity, Poll):
            return [self._options(activity.options)]
        if isinstance(activity, Scale):
            row = self._options([str(v) for v in range(1, 6)], offset=1, wide=False)
            legend = w.HTML(
                f'<p class="rp-meta">1 = {inline(activity.low)} · 5 = {inline(activity.high)}</p>'
            )
            return [legend, row]
        if isinstance(activity, PairExercise):
            steps = "".join(f"<li>{inline(s)}</li>" for s in activity.instructions)
            return [w.HTML(f'<div class="rp-card"><ol>{steps}</ol></div>'), self.timer_view]
        self.answer_box, counter = text_box(activity, mine)
        self.send_button.description = "Change my answer" if mine else "Send"
        return [self.answer_box, counter, self.send_button, *answer_in(mine)]

    def _options(self, labels: list[str], offset: int = 0, wide: bool = True) -> w.Box:
        box, self.option_buttons = option_buttons(labels, self.my_answer, self.answer, offset, wide)
        return box

    def _play_view(self, room: Room) -> list[w.Widget]:
        run = play_run(room)
        title = w.HTML(
            f'<div class="rp-card"><h2>Role-play together: {inline(run.scenario.title)}</h2>'
            f'<p class="rp-meta">The room votes at each decision; the facilitator takes a '
            f"choice.</p></div>"
        )
        if self.phase == "open":
            shown = run.options
            box, self.option_buttons = option_buttons(
                [choice.text for _, choice in shown],
                self.my_answer,
                self.answer,
                values=[index for index, _ in shown],
            )
            return [
                title,
                w.HTML(room_play_html(run, voting=True)),
                w.HTML('<p class="rp-meta">What would you say?</p>'),
                box,
                self.answer_status,
            ]
        return [title, w.HTML(room_play_html(run, False, coached(room)))]


def _same_code(typed: str, code: str) -> bool:
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
