"""RatingForm: the participant's side of the room's own evaluation, on the join page.

Statements from the self-assessment rated 1 to 5 (at the end, if the facilitator asked, once
more looking back), or the one-minute reaction form. Every answer goes with one press of Send,
in one transaction; sending again replaces them while the rating is open. Nobody sees one
person's answers: the dashboard shows only how the room's ratings changed.
"""

from __future__ import annotations

import ipywidgets as w
from traitlets import Bool, Unicode, observe

from rapport.errors import AnswerRejected, RoomError, StoreUnavailable
from rapport.render.evaluation import form_intro_html
from rapport.render.html import inline, notice
from rapport.room.model import Room, activity_for
from rapport.room.rating import REACTION, TRY, USEFUL, WORD, RatingSet
from rapport.room.refs import ActivityRef
from rapport.room.tally import MAX_TEXT, MAX_WORD
from rapport.store.ratings import RoomRatings

NOT_SENT = "Your answers did not reach the room; they are still filled in. Send them again."
SENT = "Thank you: your answers are in. You can change them while this rating is open."


class RatingForm(w.VBox):
    """One rating set as a form: a 1-5 choice per statement (or the reaction's questions)."""

    sent = Bool(False, help="Whether this participant's answers to the set are in the room.")
    message = Unicode("", help="Why the last send was refused or failed (empty: it was not).")

    def __init__(
        self, ratings: RoomRatings, code: str, token: str, rating: RatingSet, is_open: bool
    ):
        self._ratings, self.code, self.token = ratings, code, token
        self.rating, self.is_open = rating, is_open
        self.inputs: dict[ActivityRef, w.Widget] = {}
        self.status = w.HTML()
        self.send_button = w.Button(
            description="Send my answers",
            button_style="primary",
            icon="paper-plane",
            layout=w.Layout(width="auto"),  # the whole label, never cut short
        )
        self.send_button.on_click(lambda _: self.send())
        intro = w.HTML(form_intro_html(rating))
        if not is_open:
            closed = notice("note", "This rating is closed now. Thank you for taking part!")
            super().__init__([intro, w.HTML(closed)], layout=w.Layout(width="100%"))
            return
        rows = self._reaction() if rating.which == "reaction" else self._statements()
        super().__init__(
            [intro, *rows, self.send_button, self.status], layout=w.Layout(width="100%")
        )
        self.add_class("rp-rating")
        self._fill()

    def __repr__(self) -> str:
        return f"RatingForm({self.rating.which!r}, open={self.is_open})"

    @property
    def answers(self) -> dict[ActivityRef, object]:
        """What the form holds now, per answer (None or empty where nothing was given)."""
        return {ref: box.value for ref, box in self.inputs.items()}

    def send(self) -> bool:
        """Send every answer at once; a refusal says what to fix, and nothing is lost."""
        try:
            self._ratings.submit(self.code, self.token, self.rating.ref, self.answers)
        except StoreUnavailable:
            self.message = NOT_SENT
            return False
        except (AnswerRejected, RoomError) as err:
            self.message = str(err)
            return False
        with self.hold_trait_notifications():
            self.message, self.sent = "", True
        return True

    @observe("sent", "message")
    def _show_status(self, _change=None) -> None:
        if self.message:
            self.status.value = notice("error", self.message)
        else:
            self.status.value = notice("ok", SENT) if self.sent else ""
        self.send_button.description = "Change my answers" if self.sent else "Send my answers"

    # -- the questions ----------------------------------------------------------------------
    def _statements(self) -> list[w.Widget]:
        rows: list[w.Widget] = []
        labels = [(label, n) for n, label in enumerate(self.rating.scale, start=1)]
        for number, item in enumerate(self.rating.items, start=1):
            rows.append(w.HTML(f'<p class="rp-item"><b>{number}.</b> {inline(item.text)}</p>'))
            now = ActivityRef.rating(self.rating.which, item.id)
            self.inputs[now] = _choice(labels, "Now" if self.rating.looking_back else "")
            rows.append(self.inputs[now])
            if self.rating.looking_back:
                back = ActivityRef.rating("back", item.id)
                self.inputs[back] = _choice(labels, "Before today")
                rows.append(self.inputs[back])
        return rows

    def _reaction(self) -> list[w.Widget]:
        useful, tried, word = (ActivityRef.rating("reaction", q.id) for q in REACTION)
        ends = {1: f" · {USEFUL.low}", 5: f" · {USEFUL.high}"}
        self.inputs[useful] = _choice([(f"{n}{ends.get(n, '')}", n) for n in range(1, 6)], "")
        self.inputs[tried] = w.Textarea(
            description=TRY.prompt,
            placeholder=f"Up to {MAX_TEXT} characters. Anonymous.",
            rows=3,
            style={"description_width": "initial"},
            layout=w.Layout(width="100%"),
            continuous_update=False,  # sent whole before Send is pressed (see ReflectionBox)
        )
        self.inputs[word] = w.Text(
            description=WORD.prompt,
            placeholder=f"Up to {MAX_WORD} characters",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="420px"),
            continuous_update=False,
        )
        return [
            w.HTML(f'<p class="rp-item">{inline(USEFUL.prompt)}</p>'),
            self.inputs[useful],
            self.inputs[tried],
            self.inputs[word],
        ]

    def _fill(self) -> None:
        """Show this participant's earlier answers again (after a reload, say)."""
        try:
            mine = self._ratings.mine(self.code, self.token)
        except StoreUnavailable:
            return  # the form starts empty; sending still works once the store answers
        for ref, box in self.inputs.items():
            if ref in mine:
                box.value = int(mine[ref]) if isinstance(box, w.RadioButtons) else mine[ref]
        self.sent = any(ref in mine for ref in self.inputs)


def _choice(labels: list[tuple[str, int]], description: str) -> w.RadioButtons:
    return w.RadioButtons(
        options=labels,
        value=None,
        description=description,
        style={"description_width": "initial"},
        layout=w.Layout(width="100%"),
    )


def rating_form(shown: RatingForm | None, ratings: RoomRatings, room: Room, token: str):
    """The form for the rating on ``room``'s screen: ``shown`` while it still asks the same in
    the same phase (so what was chosen stays chosen), else a new one."""
    rating = activity_for(room, room.current)
    is_open = room.phase == "open"
    if shown is not None and (shown.code, shown.rating, shown.is_open) == (
        room.code,
        rating,
        is_open,
    ):
        return shown
    return RatingForm(ratings, room.code, token, rating, is_open)
