"""ChallengeCard: take on a module's practice challenge, and say later how it went."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import ipywidgets as w

from rapport.content.schema import Module
from rapport.errors import AnswerError, StoreUnavailable
from rapport.render.html import inline, notice
from rapport.store.database import utc_now
from rapport.store.journal import CHECK_IN_WORDS, Journal
from rapport.widgets._html import button, html, style, text_style, wide

UNAVAILABLE = "Your journal could not be reached just now, so nothing changed. Try again."
CHECKED = {"did": "you did it", "partly": "you partly did it", "not-yet": "not yet"}


def _day(moment: datetime) -> str:
    return f"{moment.astimezone():%d %b %Y}"


class ChallengeCard(w.VBox):
    """Accept the module's practice challenge; on a later visit, say how it went."""

    def __init__(self, module: Module, journal: Callable[[], Journal]):
        if module.challenge is None:
            raise ValueError(f"module {module.id!r} has no practice challenge")
        self.module = module
        self._journal = journal
        self.opened_at = utc_now()
        self.summary = html()
        # The accept and check-in buttons and the form are shown and hidden: their layouts
        # are their own. The rest share theirs (see rapport.widgets._html).
        self.accept_button = button(
            "Accept this challenge",
            button_style="primary",
            icon="check",
            layout=w.Layout(),
        )
        self.accept_button.on_click(lambda _: self.accept())
        self.how = w.ToggleButtons(
            options=[(words, status) for status, words in CHECK_IN_WORDS.items()],
            value=None,
            description="How did it go?",
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.note = w.Textarea(
            description="A note for your journal (optional)",
            placeholder="What happened? What would you keep or change?",
            rows=3,
            layout=wide(),
            style=text_style(),
            continuous_update=False,  # sent whole before Save (see ReflectionBox)
        )
        self.save_button = button("Save check-in", button_style="primary")
        self.save_button.on_click(lambda _: self.check_in(self.how.value, self.note.value))
        self.check_in_now = button("Check in now", layout=w.Layout())
        self.check_in_now.on_click(lambda _: self._show_form(True))
        self.form = w.VBox([self.how, self.note, self.save_button], layout=w.Layout(width="100%"))
        self.status = html()
        super().__init__(
            [style(), self.summary, self.accept_button, self.check_in_now, self.form, self.status],
            layout=wide(),
        )
        self.add_class("rp-box")
        self._render()

    def __repr__(self) -> str:
        return f"ChallengeCard({self.module.id!r})"

    def accept(self) -> bool:
        try:
            self._journal().accept_challenge(self.module.id)
        except (StoreUnavailable, ValueError):
            self.status.value = notice("error", UNAVAILABLE)
            return False
        self._render()
        self.status.value = notice(
            "ok", "Accepted. Next time you open this module, you will be asked how it went."
        )
        return True

    def check_in(self, status: str | None, note: str = "") -> bool:
        if status is None:
            self.status.value = notice(
                "error", "Choose how it went first: did it, partly or not yet."
            )
            return False
        try:
            self._journal().check_in(self.module.id, status, note)
        except AnswerError as err:
            self.status.value = notice("error", str(err))
            return False
        except StoreUnavailable:
            self.status.value = notice("error", UNAVAILABLE)
            return False
        self.note.value = ""
        self._render()
        self.status.value = notice("ok", "Check-in saved. Well done for coming back to it.")
        return True

    def _show_form(self, show: bool) -> None:
        self.form.layout.display = "flex" if show else "none"
        self.check_in_now.layout.display = "none" if show else "inline-flex"

    def _render(self) -> None:
        try:
            found = self._journal().challenge(self.module.id)
        except (StoreUnavailable, ValueError):
            self.summary.value = notice("error", "Your journal could not be opened just now.")
            self.accept_button.disabled = True
            self._show_form(False)
            self.check_in_now.layout.display = "none"
            return
        title = inline(self.module.challenge.title)
        if found is None:
            self.summary.value = (
                f'<p class="rp-meta">Practice challenge: <b>{title}</b>. Accept it to get a '
                "check-in next time you come back.</p>"
            )
            self.accept_button.layout.display = "inline-flex"
            self.check_in_now.layout.display = "none"
            self.form.layout.display = "none"
            return
        self.accept_button.layout.display = "none"
        if found.status:
            self.summary.value = (
                f'<p class="rp-meta">You took on <b>{title}</b> on {_day(found.accepted_at)}. '
                f"Last check-in ({_day(found.checked_at)}): {CHECKED[found.status]}. You can "
                "check in again any time.</p>"
            )
        else:
            self.summary.value = (
                f'<p class="rp-meta">You took on <b>{title}</b> on {_day(found.accepted_at)}.</p>'
            )
        later_visit = found.accepted_at < self.opened_at
        self._show_form(later_visit)
