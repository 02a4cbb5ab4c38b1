"""The facilitator's dashboard: create or continue a room, drive it, see its answers live.

Behind the key gate (:mod:`rapport.widgets.key_gate`), the facilitator creates a room (code and
QR code on screen), steps through the module's group activities and role-plays, and watches
answers arrive about once a second. The room's state is kept in traits (what is on screen, the
phase, who is present, how many answered, the countdown, the agenda position); the view is
drawn from them. The dashboard reads rooms and answers only, never anyone's journal.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w
from traitlets import Instance, Int, observe

from rapport.content.loading import load_facilitator_notes, load_manifest, load_module
from rapport.content.schema import PairExercise
from rapport.errors import RoomError, StoreUnavailable
from rapport.outputs.report import download_links
from rapport.render.html import inline, short
from rapport.render.live import join_card_html
from rapport.render.results import KIND_NAME
from rapport.room.model import Room, activity_for, time_left
from rapport.room.refs import ActivityRef
from rapport.room.tally import MIN_TO_REVEAL
from rapport.store.database import utc_now
from rapport.store.rooms import Rooms
from rapport.widgets._html import style
from rapport.widgets.evaluation import EvaluationPanel
from rapport.widgets.live import LiveRoomView, Ticker
from rapport.widgets.live_results import LiveResults

KINDS = ("ok", "note", "error")


class FacilitatorDashboard(LiveRoomView):
    """Create or continue a room, drive it, and see the room's answers live."""

    UNREACHABLE = "The store is busy or unreachable; retrying…"

    on_screen = Instance(
        ActivityRef, allow_none=True, help="The group activity or role-play on screen, if any."
    )
    present = Int(0, help="Participants seen in the last two minutes.")
    answered = Int(0, help="Participants who answered what is open now.")
    agenda_position = Int(0, help="The agenda item the room is at (0 is the first).")

    def __init__(self, rooms: Rooms, public_url: str, every: float = 1.0):
        self.rooms = rooms
        self.public_url = public_url.rstrip("/") + "/"
        self.room: Room | None = None
        self.ticker = Ticker(self.refresh, every)
        self._agenda: list[str] = []
        pick = {"style": {"description_width": "initial"}}
        self.module_picker = w.Dropdown(
            options=[(load_module(m).label, m) for m in load_manifest().modules],
            description="Module",
            layout=w.Layout(width="100%", max_width="520px"),
            **pick,
        )
        self.create_button = w.Button(description="Create a room", button_style="primary")
        self.create_button.on_click(lambda _: self.create(self.module_picker.value))
        self.resume_picker = w.Dropdown(
            description="Or continue", layout=w.Layout(width="100%", max_width="520px"), **pick
        )
        self.resume_button = w.Button(description="Continue this room")
        self.resume_button.on_click(lambda _: self.resume(self.resume_picker.value))
        self.setup = w.VBox(
            [
                w.HTML('<div class="rp-card"><h2>Start a live room</h2></div>'),
                self.module_picker,
                self.create_button,
                self.resume_picker,
                self.resume_button,
            ]
        )
        self.status = w.HTML()
        self.room_view = w.VBox(layout=w.Layout(width="100%"))
        super().__init__(
            [style(), self.setup, self.room_view, self.status], layout=w.Layout(width="100%")
        )
        self.add_class("rp-box")
        self._list_rooms()

    def __repr__(self) -> str:
        return f"FacilitatorDashboard(room={self.code or None!r})"

    # -- rooms -----------------------------------------------------------------------
    def create(self, module_id: str) -> Room:
        return self._open(self.rooms.create(module_id))

    def resume(self, code: str | None) -> Room | None:
        if not code:
            self._say("note", "There is no open room to continue.")
            return None
        return self._open(self.rooms.get(code))

    def _open(self, room: Room) -> Room:
        self.room = room
        self.setup.layout.display = "none"
        self._build(room)
        self.refresh()
        self.ticker.start()
        return room

    def _list_rooms(self) -> None:
        try:
            open_rooms = [r for r in self.rooms.list() if not r.ended]
        except StoreUnavailable:
            open_rooms = []
        self.resume_picker.options = [
            (f"{r.code} · {load_module(r.module).label} · {r.created_at:%d %b %H:%M}", r.code)
            for r in reversed(open_rooms)
        ]
        self.resume_picker.value = open_rooms[-1].code if open_rooms else None
        self.resume_button.disabled = self.resume_picker.disabled = not open_rooms

    # -- facilitator actions (what the buttons call) -------------------------------------
    def put_on_screen(self, choice: ActivityRef | str | None) -> None:
        """Open a group activity for answers, or start a role-play; None shows nothing."""
        ref = None if choice is None else ActivityRef.of(choice)
        if ref is not None and ref.kind == "play":
            self._act(lambda code: self.rooms.start_play(code, ref.id))
        elif ref is not None:
            self._act(lambda code: self.rooms.show(code, ref, "open"))
        else:
            self._act(lambda code: self.rooms.show(code, None, "closed"))

    def close(self) -> None:
        self._act(lambda code: self.rooms.show(code, self.on_screen, "closed"))

    def reopen(self) -> None:
        self._act(lambda code: self.rooms.show(code, self.on_screen, "open"))

    def reveal(self) -> bool:
        if self.room is None or self.current is None:
            return False
        count = self.rooms.answered(self.code, self.current)
        if count < MIN_TO_REVEAL:
            self._say(
                "note",
                f"Only {count} answered; results are shown once at least {MIN_TO_REVEAL} have.",
            )
            return False
        self._act(lambda code: self.rooms.show(code, self.on_screen, "revealed"))
        return True

    def start_timer(self, minutes: float | None = None) -> None:
        if minutes is None:
            activity = self._activity_on_screen()
            minutes = activity.minutes if isinstance(activity, PairExercise) else 5
        self._act(lambda code: self.rooms.start_timer(code, minutes))

    def stop_timer(self) -> None:
        self._act(self.rooms.stop_timer)

    def take(self, index: int) -> None:
        self._act(lambda code: self.rooms.take(code, index))

    def next_decision(self) -> None:
        self._act(self.rooms.next_decision)

    def show_coaching(self) -> None:
        """Show the room (projector and phones) the coaching on its last choice."""
        self._act(self.rooms.show_coaching)

    def hide(self, answer_id: int, hidden: bool = True) -> None:
        self._act(lambda code: self.rooms.hide(code, answer_id, hidden) or self.rooms.get(code))
        self.live.forget()

    def agenda_step(self, delta: int) -> None:
        last = max(len(self._agenda) - 1, 0)
        position = min(max(self.agenda_position + delta, 0), last)
        self._act(lambda code: self.rooms.update_state(code, agenda=position))

    def end(self) -> None:
        self._act(self.rooms.end)
        self.ticker.stop()
        self._list_rooms()

    def prepare_downloads(self) -> None:
        if self.room is not None:
            self.downloads.value = download_links(self.rooms, self.code)

    def _act(self, action: Callable[[str], Room]) -> None:
        if self.room is None:
            return
        try:
            self.room = action(self.code)
        except StoreUnavailable:
            self._say("error", "The store could not be reached; try again.")
            return
        except (RoomError, ValueError, LookupError) as err:
            self._say("error", str(err))
            return
        self._say("note", "")
        self.refresh()

    def _activity_on_screen(self):
        room = self.room
        if room is None or self.on_screen is None or self.on_screen.kind != "activity":
            return None
        return activity_for(room, self.on_screen)

    # -- building the room view ----------------------------------------------------------
    def _build(self, room: Room) -> None:
        module = load_module(room.module)
        self.join_view = w.HTML(join_card_html(self.public_url, room.code))
        # The projector and presenter views are served beside the dashboard (relative to it).
        views = f"../../../projector?code={room.code}", f"../../../presenter?code={room.code}"
        self.screens = w.HTML(
            f'<p class="rp-meta"><a href="{views[0]}" target="_blank" rel="noopener">Open the '
            f'projector view</a> · <a href="{views[1]}" target="_blank" rel="noopener">Present '
            "the slides</a></p>"
        )
        self.presence = w.HTML()
        notes = load_facilitator_notes(room.module)
        self._agenda = [f"{t.minutes} min · {t.what}" for t in notes.timing] if notes else []
        self.agenda_view = w.HTML()
        prev_button = w.Button(description="Previous", icon="arrow-left")
        next_button = w.Button(description="Next agenda item", icon="arrow-right")
        prev_button.on_click(lambda _: self.agenda_step(-1))
        next_button.on_click(lambda _: self.agenda_step(1))
        self.timer_view = w.HTML()
        self.live = LiveResults(
            self.rooms,
            take=self.take,
            next_decision=self.next_decision,
            hide=self.hide,
            coach=self.show_coaching,
        )
        self.evaluation = EvaluationPanel(self.rooms, self._act)  # the room's own evaluation
        self.room_view.children = [
            self.join_view,
            self.screens,
            self.presence,
            w.HTML(f'<div class="rp-card"><h2>Agenda: {inline(module.label)}</h2></div>'),
            self.agenda_view,
            w.HBox([prev_button, next_button], layout=w.Layout(flex_flow="row wrap")),
            self._screen_controls(module),
            self.timer_view,
            self.live,
            self.evaluation,
            *self._room_controls(),
        ]

    def _screen_controls(self, module) -> w.VBox:
        """What goes on screen next, and the buttons that run it."""
        options: list[tuple[str, ActivityRef | None]] = [("Nothing: a waiting screen", None)]
        options += [
            (f"{KIND_NAME[a.kind]}: {short(a.prompt)}", ActivityRef.activity(a.id))
            for a in module.activities
        ]
        options += [(f"Role-play: {s.title}", ActivityRef.play(s.id)) for s in module.scenarios]
        self.step_picker = w.Dropdown(
            options=options,
            description="On screen next",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="620px"),
        )
        show_button = w.Button(description="Put on screen", button_style="primary", icon="play")
        show_button.on_click(lambda _: self.put_on_screen(self.step_picker.value))
        self.close_button = w.Button(description="Close answers", icon="pause")
        self.reopen_button = w.Button(description="Reopen answers", icon="play")
        self.reveal_button = w.Button(description="Reveal results", icon="eye", button_style="info")
        self.timer_button = w.Button(description="Start timer", icon="clock-o")
        self.stop_timer_button = w.Button(description="Stop timer", icon="stop")
        buttons = {
            self.close_button: self.close,
            self.reopen_button: self.reopen,
            self.reveal_button: self.reveal,
            self.timer_button: self.start_timer,
            self.stop_timer_button: self.stop_timer,
        }
        for button, action in buttons.items():
            button.on_click(lambda _b, act=action: act())
        wrap = w.Layout(flex_flow="row wrap")
        self.controls = w.HBox(list(buttons), layout=wrap)
        return w.VBox([w.HBox([self.step_picker, show_button], layout=wrap), self.controls])

    def _room_controls(self) -> list[w.Widget]:
        """Downloads and ending the room (with a confirmation)."""
        self.downloads = w.HTML()
        export_button = w.Button(description="Prepare downloads (CSV, summary)", icon="download")
        export_button.on_click(lambda _: self.prepare_downloads())
        self.end_button = w.Button(description="End the room", icon="sign-out")
        self.confirm_end = w.Button(description="Yes, end it now", button_style="danger")
        self.confirm_end.layout.display = "none"
        self.end_button.on_click(lambda _: setattr(self.confirm_end.layout, "display", "flex"))
        self.confirm_end.on_click(lambda _: self.end())
        row = w.HBox(
            [export_button, self.end_button, self.confirm_end],
            layout=w.Layout(flex_flow="row wrap"),
        )
        return [row, self.downloads]

    # -- live refresh --------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the room and its answers into the state; what the ticker calls."""
        if self.room is None:
            return
        try:
            room = self.room = self.rooms.get(self.code or self.room.code)
            present = self.rooms.present(room.code)
            answered = self.rooms.answered(room.code, room.current) if room.current else 0
            self.live.show(room)
            self.evaluation.show(room)
        except StoreUnavailable:
            self.reachable = False
            return
        except RoomError as err:
            self.ticker.stop()
            self._say("error", str(err))
            return
        with self.hold_trait_notifications():
            self.reachable = True
            self.code, self.module_id = room.code, room.module
            self.on_screen, self.current = room.activity, room.current
            self.phase, self.ended = room.phase, room.ended
            self.present, self.answered = present, answered
            self.timer = time_left(room, utc_now())
            self.agenda_position = room.state.get("agenda", 0)
        self._buttons()

    @observe("present", "answered", "ended")
    def _show_presence(self, _change=None) -> None:
        ended = " · this room has ended" if self.ended else ""
        self.presence.value = (
            f'<p class="rp-meta" role="status"><b>{self.present}</b> present · '
            f"<b>{self.answered}</b> answered{ended}</p>"
        )

    @observe("agenda_position", "code")
    def _show_agenda(self, _change=None) -> None:
        items = "".join(
            f'<li class="rp-now" aria-current="step">{inline(item)} (now)</li>'
            if i == self.agenda_position
            else f"<li>{inline(item)}</li>"
            for i, item in enumerate(self._agenda)
        )
        self.agenda_view.value = f'<ol class="rp-agenda">{items}</ol>' if items else ""

    def _buttons(self) -> None:
        pair = isinstance(self._activity_on_screen(), PairExercise)
        playing = self.on_screen is not None and self.on_screen.kind == "play"
        nothing = self.current is None
        self.close_button.disabled = self.ended or self.phase != "open" or nothing or pair
        self.reopen_button.disabled = (
            self.ended or self.phase == "open" or self.on_screen is None or playing or pair
        )
        self.reveal_button.disabled = (
            self.ended
            or self.phase == "revealed"
            or nothing
            or pair
            or playing
            or self.answered < MIN_TO_REVEAL
            or (self.on_screen is not None and self.on_screen.is_rating)  # never revealed
        )
        self.stop_timer_button.disabled = self.timer is None
        self.timer_button.disabled = self.ended
