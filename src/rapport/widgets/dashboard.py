"""The facilitator's dashboard: the projector view of a live room.

Behind a key gate, the facilitator creates a room (code and QR code on screen), steps through
the module's group activities and role-plays, and watches answers arrive about once a second.
The dashboard reads rooms and answers only, never anyone's journal.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import ipywidgets as w
from sqlalchemy.exc import SQLAlchemyError

from rapport.content import load_facilitator_notes, load_manifest, load_module
from rapport.rooms import Room, RoomError, Rooms, activity_for, play_run
from rapport.schema import OpenText, PairExercise
from rapport.store import utc_now
from rapport.tally import MIN_TO_REVEAL
from rapport.widgets._html import inline, short, style, text
from rapport.widgets.results import results_html, waiting_html
from rapport.widgets.room import say, time_left, timer_html
from rapport.widgets.scenario_player import feedback_html

KIND = {
    "poll": "Poll",
    "scale": "Scale",
    "word": "One word",
    "text": "Open question",
    "pair": "Pair",
}


class KeyGate(w.VBox):
    """Shows nothing of any room until the facilitator key is given (from the URL or typed)."""

    def __init__(self, check: Callable[[str], bool], unlock: Callable[[], w.Widget], key: str = ""):
        self._check = check
        self._unlock = unlock
        self.key_input = w.Password(
            description="Facilitator key",
            placeholder="printed by rapport serve",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="420px"),
            continuous_update=False,  # sent whole before the button is pressed
        )
        self.open_button = w.Button(description="Open the dashboard", button_style="primary")
        self.open_button.on_click(lambda _: self.try_key(self.key_input.value))
        self.status = w.HTML()
        self.unlocked: w.Widget | None = None
        super().__init__(
            [
                style(),
                w.HTML(
                    '<div class="rp-card"><h2>Facilitator dashboard</h2><p>Enter the facilitator '
                    "key. It is printed in the terminal where <code>rapport serve</code> was "
                    "started, and it changes every time the server starts.</p></div>"
                ),
                self.key_input,
                self.open_button,
                self.status,
            ],
            layout=w.Layout(width="100%"),
        )
        self.add_class("rp-box")
        if key:
            self.try_key(key)

    def try_key(self, key: str) -> bool:
        try:
            ok = self._check(key)
        except SQLAlchemyError:
            self.status.value = say("error", "The store could not be reached; try again.")
            return False
        if not ok:
            self.status.value = say(
                "error",
                "That key does not match. Copy it again from the terminal running rapport serve.",
            )
            return False
        self.unlocked = self._unlock()
        self.children = [style(), self.unlocked]
        return True


class FacilitatorDashboard(w.VBox):
    """Create or continue a room, drive it, and see the room's answers live."""

    def __init__(self, rooms: Rooms, public_url: str, every: float = 1.0):
        from rapport.widgets.live import Ticker

        self.rooms = rooms
        self.public_url = public_url.rstrip("/") + "/"
        self.room: Room | None = None
        self.ticker = Ticker(self.refresh, every)
        self._signature: tuple | None = None
        self._answers_seen: tuple | None = None
        manifest = load_manifest()
        self.module_picker = w.Dropdown(
            options=[(load_module(m).label, m) for m in manifest.modules],
            description="Module",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="520px"),
        )
        self.create_button = w.Button(description="Create a room", button_style="primary")
        self.create_button.on_click(lambda _: self.create(self.module_picker.value))
        self.resume_picker = w.Dropdown(
            description="Or continue",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="520px"),
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
        return f"FacilitatorDashboard(room={self.room.code if self.room else None!r})"

    # -- rooms -----------------------------------------------------------------------
    def create(self, module_id: str) -> Room:
        return self._open(self.rooms.create(module_id))

    def resume(self, code: str | None) -> Room | None:
        if not code:
            self.status.value = say("note", "There is no open room to continue.")
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
        except SQLAlchemyError:
            open_rooms = []
        self.resume_picker.options = [
            (f"{r.code} · {load_module(r.module).label} · {r.created_at:%d %b %H:%M}", r.code)
            for r in reversed(open_rooms)
        ]
        self.resume_picker.value = open_rooms[-1].code if open_rooms else None
        self.resume_button.disabled = not open_rooms
        self.resume_picker.disabled = not open_rooms

    # -- facilitator actions (what the buttons call) -------------------------------------
    def put_on_screen(self, choice: str) -> None:
        """``activity:ID`` opens a group activity for answers; ``play:ID`` starts a role-play."""
        kind, _, item = choice.partition(":")
        if kind == "play":
            self._act(lambda code: self.rooms.start_play(code, item))
        elif kind == "activity":
            self._act(lambda code: self.rooms.show(code, item, "open"))
        else:
            self._act(lambda code: self.rooms.show(code, None, "closed"))

    def close(self) -> None:
        self._act(lambda code: self.rooms.show(code, self.room.activity, "closed"))

    def reopen(self) -> None:
        self._act(lambda code: self.rooms.show(code, self.room.activity, "open"))

    def reveal(self) -> bool:
        room = self.room
        if room is None or room.current is None:
            return False
        count = self.rooms.answered(room.code, room.current)
        if count < MIN_TO_REVEAL:
            self.status.value = say(
                "note",
                f"Only {count} answered; results are shown once at least {MIN_TO_REVEAL} have.",
            )
            return False
        self._act(lambda code: self.rooms.show(code, room.activity, "revealed"))
        return True

    def start_timer(self, minutes: float | None = None) -> None:
        room = self.room
        if minutes is None:
            activity = activity_for(room, room.activity) if room and room.activity else None
            minutes = activity.minutes if isinstance(activity, PairExercise) else 5
        self._act(lambda code: self.rooms.start_timer(code, minutes))

    def stop_timer(self) -> None:
        self._act(self.rooms.stop_timer)

    def take(self, index: int) -> None:
        self._act(lambda code: self.rooms.take(code, index))

    def next_decision(self) -> None:
        self._act(self.rooms.next_decision)

    def hide(self, answer_id: int, hidden: bool = True) -> None:
        self._act(lambda code: self.rooms.hide(code, answer_id, hidden) or self.rooms.get(code))
        self._answers_seen = None

    def agenda_step(self, delta: int) -> None:
        room = self.room
        items = len(self._agenda)
        position = min(max(room.state.get("agenda", 0) + delta, 0), max(items - 1, 0))
        self._act(lambda code: self.rooms.update_state(code, agenda=position))

    def end(self) -> None:
        self._act(self.rooms.end)
        self.ticker.stop()
        self._list_rooms()

    def _act(self, action: Callable[[str], Room]) -> None:
        if self.room is None:
            return
        try:
            self.room = action(self.room.code)
        except (RoomError, ValueError, LookupError) as err:
            self.status.value = say("error", str(err))
            return
        except SQLAlchemyError:
            self.status.value = say("error", "The store could not be reached; try again.")
            return
        self.status.value = ""
        self.refresh()

    # -- building the room view ----------------------------------------------------------
    def _build(self, room: Room) -> None:
        module = load_module(room.module)
        join_url = f"{self.public_url}join?code={room.code}"
        self.join_view = w.HTML(
            '<div class="rp-card" role="region" aria-label="How to join">'
            '<div style="display:flex;flex-wrap:wrap;gap:24px;align-items:center">'
            f'<div class="rp-qr" role="img" aria-label="QR code for {inline(join_url)}">'
            f'{qr_svg(join_url)}</div><div><p class="rp-meta">Join at</p>'
            f'<p><b>{inline(self.public_url)}join</b></p><p class="rp-meta">with the code</p>'
            f'<p class="rp-code">{inline(room.code)}</p></div></div></div>'
        )
        self.presence = w.HTML()
        notes = load_facilitator_notes(room.module)
        self._agenda = [f"{t.minutes} min · {t.what}" for t in notes.timing] if notes else []
        self.agenda_view = w.HTML()
        prev_button = w.Button(description="Previous", icon="arrow-left")
        next_button = w.Button(description="Next agenda item", icon="arrow-right")
        prev_button.on_click(lambda _: self.agenda_step(-1))
        next_button.on_click(lambda _: self.agenda_step(1))
        options = [("Nothing: a waiting screen", "none:")]
        options += [
            (f"{KIND[a.kind]}: {short(a.prompt)}", f"activity:{a.id}") for a in module.activities
        ]
        options += [(f"Role-play: {s.title}", f"play:{s.id}") for s in module.scenarios]
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
        self.close_button.on_click(lambda _: self.close())
        self.reopen_button.on_click(lambda _: self.reopen())
        self.reveal_button.on_click(lambda _: self.reveal())
        self.timer_button.on_click(lambda _: self.start_timer())
        self.stop_timer_button.on_click(lambda _: self.stop_timer())
        self.controls = w.HBox(
            [
                self.close_button,
                self.reopen_button,
                self.reveal_button,
                self.timer_button,
                self.stop_timer_button,
            ],
            layout=w.Layout(flex_flow="row wrap"),
        )
        self.screen = w.HTML()
        self.timer_view = w.HTML()
        self.results = w.HTML()
        self.moderation = w.VBox(layout=w.Layout(width="100%"))
        self.play_controls = w.VBox(layout=w.Layout(width="100%"))
        self.shared_view = w.HTML()
        self.downloads = w.HTML()
        export_button = w.Button(description="Prepare downloads (CSV, summary)", icon="download")
        export_button.on_click(lambda _: self.prepare_downloads())
        self.end_button = w.Button(description="End the room", icon="sign-out")
        self.confirm_end = w.Button(description="Yes, end it now", button_style="danger")
        self.confirm_end.layout.display = "none"
        self.end_button.on_click(lambda _: setattr(self.confirm_end.layout, "display", "flex"))
        self.confirm_end.on_click(lambda _: self.end())
        self.room_view.children = [
            self.join_view,
            self.presence,
            w.HTML(f'<div class="rp-card"><h2>Agenda: {inline(module.label)}</h2></div>'),
            self.agenda_view,
            w.HBox([prev_button, next_button], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.step_picker, show_button], layout=w.Layout(flex_flow="row wrap")),
            self.controls,
            self.screen,
            self.timer_view,
            self.results,
            self.moderation,
            self.play_controls,
            self.shared_view,
            w.HBox(
                [export_button, self.end_button, self.confirm_end],
                layout=w.Layout(flex_flow="row wrap"),
            ),
            self.downloads,
        ]

    # -- live refresh --------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the room and its answers and update the view: what the ticker calls."""
        if self.room is None:
            return
        try:
            room = self.room = self.rooms.get(self.room.code)
            present = self.rooms.present(room.code)
            answered = self.rooms.answered(room.code, room.current) if room.current else 0
        except RoomError as err:
            self.ticker.stop()
            self.status.value = say("error", str(err))
            return
        except SQLAlchemyError:
            self.status.value = say("note", "The store is busy or unreachable; retrying…")
            return
        if self.status.value.startswith('<p class="rp-note">The store'):
            self.status.value = ""
        ended = " · this room has ended" if room.ended else ""
        self.presence.value = (
            f'<p class="rp-meta" role="status"><b>{present}</b> present · '
            f"<b>{answered}</b> answered{ended}</p>"
        )
        self._agenda_html(room)
        self._timer_html(room)
        signature = (room.current, room.phase, room.ended)
        if signature != self._signature:
            self._signature = signature
            self._answers_seen = None
            self._screen_html(room)
        self._results(room)
        self._shared(room)
        self._buttons(room, answered)

    def _buttons(self, room: Room, answered: int) -> None:
        activity = None
        if room.activity and not room.playing:
            activity = activity_for(room, room.activity)
        pair = isinstance(activity, PairExercise)
        self.close_button.disabled = room.phase != "open" or room.current is None or pair
        self.reopen_button.disabled = room.phase == "open" or activity is None or pair
        self.reveal_button.disabled = (
            room.phase == "revealed" or room.current is None or pair or room.playing is not None
        )
        if not self.reveal_button.disabled and answered < MIN_TO_REVEAL:
            self.reveal_button.disabled = True
        self.stop_timer_button.disabled = "timer" not in room.state
        for button in (self.close_button, self.reopen_button, self.reveal_button):
            button.disabled = button.disabled or room.ended
        self.timer_button.disabled = room.ended

    def _agenda_html(self, room: Room) -> None:
        now = room.state.get("agenda", 0)
        items = "".join(
            f'<li class="rp-now" aria-current="step">{inline(item)} (now)</li>'
            if i == now
            else f"<li>{inline(item)}</li>"
            for i, item in enumerate(self._agenda)
        )
        self.agenda_view.value = f'<ol class="rp-agenda">{items}</ol>' if items else ""

    def _timer_html(self, room: Room) -> None:
        self.timer_view.value = timer_html(time_left(room, utc_now()))

    def _screen_html(self, room: Room) -> None:
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
        phase = {"open": "open for answers", "closed": "answers closed", "revealed": "revealed"}
        extra = ""
        if isinstance(activity, PairExercise):
            steps = "".join(f"<li>{inline(s)}</li>" for s in activity.instructions)
            extra = f'<ol>{steps}</ol><p class="rp-meta">{activity.minutes} minutes.</p>'
        self.screen.value = (
            f'<div class="rp-card"><p class="rp-meta">{KIND[activity.kind]} · '
            f"{phase[room.phase]}</p>{text(activity.prompt)}{extra}</div>"
        )

    def _results(self, room: Room) -> None:
        if room.current is None or (not room.playing and room.activity is None):
            self.results.value = ""
            self.moderation.children = ()
            return
        activity = activity_for(room, room.current)
        if isinstance(activity, PairExercise):
            self.results.value = ""
            return
        answers = self.rooms.answers(room.code, room.current, include_hidden=True)
        seen = (room.current, room.phase, tuple((a.id, a.value, a.hidden) for a in answers))
        if seen == self._answers_seen:
            return
        self._answers_seen = seen
        if room.playing:
            self._play(room)
            return
        result = self.rooms.tally(room.code, room.current)
        low, high = getattr(activity, "low", ""), getattr(activity, "high", "")
        if isinstance(activity, OpenText):
            # Hiding an answer does not make the others less anonymous: count everyone.
            enough = len(answers) >= MIN_TO_REVEAL
            self.results.value = "" if enough else waiting_html(len(answers))
            self.moderation.children = self._text_rows(answers) if enough else ()
            return
        self.moderation.children = ()
        self.results.value = (
            f'<div class="rp-card">{results_html(result, activity.prompt, low, high)}</div>'
        )

    def _text_rows(self, answers) -> list[w.Widget]:
        rows = [w.HTML('<p class="rp-meta">Anonymous answers (hide any that should not show)</p>')]
        for answer in answers:
            label = "Show again" if answer.hidden else "Hide"
            button = w.Button(description=label, layout=w.Layout(width="110px", min_width="110px"))
            button.on_click(lambda _b, a=answer: self.hide(a.id, not a.hidden))
            body = "<i>(hidden)</i>" if answer.hidden else text(answer.value)
            row = w.HBox(
                [
                    w.HTML(f'<div class="rp-text-row">{body}</div>', layout=w.Layout(flex="1")),
                    button,
                ],
                layout=w.Layout(width="100%", border_bottom="1px solid #e5e7eb"),
            )
            rows.append(row)
        return rows

    def _play(self, room: Room) -> None:
        run = play_run(room)
        scenario = run.scenario
        name = inline(scenario.character.name)
        labels = {m.id: m.label for m in scenario.meters}
        result = self.rooms.tally(room.code, room.current)
        votes = result.table["votes"].tolist()
        head = f'<div class="rp-card"><h2>Role-play: {inline(scenario.title)}</h2>'
        if room.phase == "open":
            rows = "".join(
                f"<li>{inline(c.text)}: <b>{n}</b> vote{'s' if n != 1 else ''}</li>"
                for c, n in zip(run.node.choices, votes, strict=True)
            )
            self.results.value = (
                f'{head}<div class="rp-says"><b>{name}:</b> {text(run.says)}</div>'
                f'<p class="rp-meta">The room votes ({result.count} so far):</p>'
                f"<ol>{rows}</ol></div>"
            )
            top = max(range(len(votes)), key=votes.__getitem__) if result.count else None
            buttons = []
            for i, choice in enumerate(run.node.choices):
                button = w.Button(
                    description=f"Take {i + 1}" + (" (room's choice)" if i == top else ""),
                    tooltip=choice.text,
                    button_style="primary" if i == top else "",
                )
                button.on_click(lambda _b, i=i: self.take(i))
                buttons.append(button)
            self.play_controls.children = [w.HBox(buttons, layout=w.Layout(flex_flow="row wrap"))]
            return
        step = run.last_step
        parts = [head]
        if step is not None:
            parts.append(
                f'<div class="rp-you"><b>The room said:</b> {inline(step.choice.text)}</div>'
            )
            parts.append(feedback_html(step, labels))
        parts.append(f'<div class="rp-says"><b>{name}:</b> {text(run.says)}</div>')
        if run.finished:
            parts.append(
                f'<div class="rp-debrief"><h3>Debrief</h3>{text(run.debrief().debrief)}</div>'
            )
            self.play_controls.children = ()
        else:
            next_button = w.Button(
                description="Next decision", button_style="primary", icon="forward"
            )
            next_button.on_click(lambda _: self.next_decision())
            self.play_controls.children = [next_button]
        self.results.value = "".join(parts) + "</div>"

    def _shared(self, room: Room) -> None:
        shared = self.rooms.shared(room.code)
        if not shared:
            self.shared_view.value = ""
            return
        if len(shared) < MIN_TO_REVEAL:
            self.shared_view.value = (
                f'<p class="rp-note">{len(shared)} reflection{"s" if len(shared) != 1 else ""} '
                f"shared so far; they show once {MIN_TO_REVEAL} are in.</p>"
            )
            return
        items = "".join(f"<li>{text(a.value)}</li>" for a in shared)
        self.shared_view.value = (
            '<div class="rp-card"><h2>Shared reflections</h2>'
            f'<ul class="rp-texts">{items}</ul></div>'
        )

    # -- export ------------------------------------------------------------------------
    def prepare_downloads(self) -> None:
        from rapport.report import room_summary_html

        room = self.room
        if room is None:
            return
        frame = self.rooms.export(room.code)
        csv = base64.b64encode(frame.to_csv(index=False).encode("utf-8")).decode("ascii")
        html = base64.b64encode(room_summary_html(self.rooms, room.code).encode("utf-8")).decode(
            "ascii"
        )
        self.downloads.value = (
            f'<p><a download="room-{room.code}.csv" href="data:text/csv;charset=utf-8;base64,'
            f'{csv}">Download the answers (CSV, {len(frame)} rows, no personal data)</a> · '
            f'<a download="room-{room.code}-summary.html" '
            f'href="data:text/html;charset=utf-8;base64,{html}">Download a printable '
            "summary</a></p>"
        )


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code (no external service, nothing leaves the machine)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=6, dark="#111827", light="#ffffff")
