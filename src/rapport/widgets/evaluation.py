"""EvaluationPanel: the room's own evaluation on the facilitator's dashboard.

Buttons open the self-rating at the start and at the end of a session (looking back too, if
asked) and the one-minute reaction form on the phones. Below them, the room's change per
statement: the mean change, its 95% interval and Hedges' g once five people or more rated
it both times, and until then how many more are needed. The report for whoever paid for the
workshop is prepared here too. The panel reads the room's ratings only, never anyone's name.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w
from traitlets import Bool, Dict, Int

from rapport.outputs.evaluation_report import report_links
from rapport.outputs.slides_live import showing
from rapport.render.evaluation import evaluation_html
from rapport.room.evaluation import MIN_PAIRS
from rapport.room.model import Room
from rapport.room.rating import changes, rating_set, reactions
from rapport.room.refs import ActivityRef
from rapport.store.ratings import RoomRatings
from rapport.store.rooms import Rooms

INTRO = (
    '<div class="rp-card"><h2>The room\u2019s own evaluation</h2><p>Open a short anonymous '
    "self-rating on the phones when the session starts and again before it ends; the change "
    f"per statement shows here once {MIN_PAIRS} people have answered both. The reaction form "
    "asks in a minute whether it was useful, what people will try, and one word.</p></div>"
)


def session_modules(room: Room) -> list[str]:
    """The modules of the session the room runs: those of the deck it presents (an agenda
    has several), else the room's own module."""
    current = showing(room)
    if current is None:
        return [room.module]
    modules = list(dict.fromkeys(s.module for s in current.deck.slides if s.module))
    return modules or [room.module]


class EvaluationPanel(w.VBox):
    """The dashboard's evaluation: open the ratings, see the change, prepare the report."""

    pairs = Int(0, help="The most people who rated one statement both at the start and the end.")
    needed = Int(MIN_PAIRS, help="More such people needed before any change shows (0: it shows).")
    shown = Bool(False, help="Whether a change shows (a statement has five pairs or more).")
    counts = Dict(help="People who answered each rating: start, end and reaction.")

    def __init__(self, rooms: Rooms, act: Callable[[Callable[[str], Room]], None]):
        self.rooms = rooms
        self.ratings = RoomRatings(rooms)
        self._act = act
        self.room: Room | None = None
        self._seen: tuple | None = None
        fit = {"layout": w.Layout(width="auto")}  # the whole label, never cut short
        self.start_button = w.Button(description="Open the start rating", icon="play", **fit)
        self.end_button = w.Button(description="Open the end rating", icon="flag-checkered", **fit)
        self.looking_back = w.Checkbox(
            value=True,
            description="At the end, ask \u201clooking back\u201d too",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.reaction_button = w.Button(description="Open the reaction form", icon="comment", **fit)
        self.start_button.on_click(lambda _: self.open_rating("start"))
        self.end_button.on_click(lambda _: self.open_rating("end"))
        self.reaction_button.on_click(lambda _: self.open_rating("reaction"))
        self.view = w.HTML()
        self.report = w.HTML()
        self.report_button = w.Button(
            description="Prepare the evaluation report (HTML, PDF, CSV)", icon="download", **fit
        )
        self.report_button.on_click(lambda _: self.prepare_report())
        wrap = w.Layout(flex_flow="row wrap", align_items="center")
        super().__init__(
            [
                w.HTML(INTRO),
                w.HBox(
                    [self.start_button, self.end_button, self.looking_back, self.reaction_button],
                    layout=wrap,
                ),
                self.view,
                self.report_button,
                self.report,
            ],
            layout=w.Layout(width="100%"),
        )
        self.add_class("rp-evaluation")

    def open_rating(self, which: str) -> None:
        """Put the start or end self-rating, or the reaction form, on the phones."""
        if self.room is None:
            return
        modules = session_modules(self.room)
        back = self.looking_back.value
        self._act(lambda code: self.ratings.open(code, which, modules, looking_back=back))

    def prepare_report(self) -> None:
        """Links that download the evaluation report (HTML, PDF if it prints, and CSV)."""
        if self.room is not None:
            self.report.value = report_links(self.rooms, self.room.code)

    def show(self, room: Room) -> None:
        """Bring the view up to date with the room's ratings (redrawn only when they change)."""
        self.room = room
        for button in (self.start_button, self.end_button, self.reaction_button):
            button.disabled = room.ended
        ratings = self.ratings.ratings(room.code)
        seen = (tuple(ratings), room.state.get("rating"))
        if seen == self._seen:
            return
        self._seen = seen
        items = rating_set(ActivityRef.rating("start"), room.state).items
        found = changes(ratings, items)
        people = {m: {r.who for r in ratings if r.ref.id == m} for m in ("start", "end")}
        people["reaction"] = {r.who for r in ratings if r.ref.id == "reaction"}
        best = max((c.change.pairs for c in found), default=0)
        with self.hold_trait_notifications():
            self.counts = {moment: len(who) for moment, who in people.items()}
            self.pairs, self.needed = best, max(0, MIN_PAIRS - best)
            self.shown = any(c.change.enough for c in found)
        looking_back = any(c.looked_back is not None for c in found)
        asked = {m: n for m, n in self.counts.items() if n}
        shown = found if (self.counts.get("start") or self.counts.get("end")) else []
        self.view.value = evaluation_html(shown, reactions(ratings), asked, looking_back)
