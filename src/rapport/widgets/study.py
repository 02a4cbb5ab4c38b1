"""Self-paced study: the practice challenge, course progress and the journal, as widgets.

Everything here reads and writes the learner's own store only.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from html import escape

import ipywidgets as w
from sqlalchemy.exc import SQLAlchemyError

from rapport.content import load_manifest, load_module
from rapport.journal import (
    CHECK_IN,
    AnswerError,
    JournalItem,
    clean_answer,
    export_html,
    export_markdown,
    journal_items,
)
from rapport.progress import continue_with as pick_next
from rapport.progress import course_progress
from rapport.schema import Module
from rapport.store import Store, utc_now
from rapport.widgets._html import button, html, inline, style, text, text_style, wide
from rapport.widgets.room import say

UNAVAILABLE = "Your journal could not be reached just now, so nothing changed. Try again."
CHECK_INS = [("I did it", "did"), ("Partly", "partly"), ("Not yet", "not-yet")]
CHECKED_LABELS = ("did it", "partly", "not yet", "accepted")
CHECKED = {"did": "you did it", "partly": "you partly did it", "not-yet": "not yet"}


def _day(moment: datetime) -> str:
    return f"{moment.astimezone():%d %b %Y}"


class ChallengeCard(w.VBox):
    """Accept the module's practice challenge; on a later visit, say how it went."""

    def __init__(self, module: Module, store: Callable[[], Store], learner: Callable[[], str]):
        if module.challenge is None:
            raise ValueError(f"module {module.id!r} has no practice challenge")
        self.module = module
        self._store = store
        self._learner = learner
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
            options=CHECK_INS,
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
            self._store().accept_challenge(self._learner(), self.module.id)
        except (SQLAlchemyError, OSError, ValueError):
            self.status.value = say("error", UNAVAILABLE)
            return False
        self._render()
        self.status.value = say(
            "ok", "Accepted. Next time you open this module, you will be asked how it went."
        )
        return True

    def check_in(self, status: str | None, note: str = "") -> bool:
        if status is None:
            self.status.value = say("error", "Choose how it went first: did it, partly or not yet.")
            return False
        try:
            cleaned = clean_answer(note) if note.strip() else None
        except AnswerError as err:
            self.status.value = say("error", str(err))
            return False
        try:
            store, learner = self._store(), self._learner()
            store.check_in(learner, self.module.id, status)
            if cleaned:
                label = dict((v, k) for k, v in CHECK_INS)[status]
                store.save_entry(learner, self.module.id, CHECK_IN, f"{label}. {cleaned}")
        except (SQLAlchemyError, OSError):
            self.status.value = say("error", UNAVAILABLE)
            return False
        self.note.value = ""
        self._render()
        self.status.value = say("ok", "Check-in saved. Well done for coming back to it.")
        return True

    def _show_form(self, show: bool) -> None:
        self.form.layout.display = "flex" if show else "none"
        self.check_in_now.layout.display = "none" if show else "inline-flex"

    def _render(self) -> None:
        try:
            found = self._store().challenge(self._learner(), self.module.id)
        except (SQLAlchemyError, OSError, ValueError):
            self.summary.value = say("error", "Your journal could not be opened just now.")
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


class ProgressView(w.VBox):
    """Where the learner is in the course: a table, a bar per module and where to continue."""

    def __init__(self, store: Callable[[], Store], learner: Callable[[], str]):
        self._store = store
        self._learner = learner
        self.view = html()
        self.refresh_button = button("Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__([style(), self.view, self.refresh_button], layout=wide())
        self.add_class("rp-box")
        self.refresh()

    def __repr__(self) -> str:
        return "ProgressView()"

    def refresh(self) -> None:
        try:
            rows = course_progress(self._store(), self._learner())
        except (SQLAlchemyError, OSError, ValueError):
            self.view.value = say("error", "Your progress could not be read just now.")
            return
        done = sum(r.state == "done" for r in rows)
        body = "".join(
            "<tr>"
            f'<th scope="row">{inline(r["module"])}</th>'
            f"<td>{r['role-plays']}</td><td>{r['reflections']}</td>"
            f"<td>{inline(r['challenge'])}</td>"
            f'<td><span class="rp-bar" aria-hidden="true"><span class="rp-bar-fill rp-bar-1" '
            f'style="width:{_share(row)}%"></span></span> {r["state"]}</td>'
            "</tr>"
            for r, row in ((row.cells(), row) for row in rows)
        )
        nxt = pick_next(rows)
        where = (
            f'<p><b>Continue where you left off:</b> <a href="{escape(nxt.module)}.ipynb">'
            f"{inline(nxt.label)}</a></p>"
            if nxt
            else "<p><b>You have been through every module.</b> Come back to any of them.</p>"
        )
        tried = [r for r in rows if r.challenge]
        counts = {label: sum(r.challenge == label for r in tried) for label in CHECKED_LABELS}
        challenges = (
            f"<p>Practice challenges taken on: <b>{len(tried)}</b> (did it: {counts['did it']}, "
            f"partly: {counts['partly']}, not yet: {counts['not yet']}, no check-in yet: "
            f"{counts['accepted']}).</p>"
            if tried
            else "<p>No practice challenges taken on yet.</p>"
        )
        self.view.value = (
            f'<div class="rp-card">{where}{challenges}<table class="rp-scores">'
            f"<caption>Your progress: {done} of {len(rows)} modules done</caption>"
            "<thead><tr><th>Module</th><th>Role-plays</th><th>Reflections</th>"
            "<th>Challenge</th><th>Progress</th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
            '<p class="rp-note">A module is done when its role-plays are played through and its '
            "challenge is accepted. Reflections are always optional.</p></div>"
        )


def _share(row) -> int:
    if row.state == "done":
        return 100
    parts = row.scenarios + 1
    got = row.scenarios_done + (1 if row.challenge else 0)
    if row.module in ("00-welcome", "13-be-open"):
        return 50 if row.state == "started" else 0
    return round(100 * got / parts)


class JournalView(w.VBox):
    """Every journal entry in one place: filter, search, edit, delete, export, delete all."""

    def __init__(self, store: Callable[[], Store], learner: Callable[[], str]):
        self._store = store
        self._learner = learner
        modules = load_manifest().modules
        self.module_filter = w.Dropdown(
            options=[("All modules", "")] + [(load_module(m).label, m) for m in modules],
            value="",
            description="Module",
            style={"description_width": "initial"},
        )
        self.search = w.Text(
            description="Search",
            placeholder="words in your entries",
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.module_filter.observe(lambda _: self.refresh(), names="value")
        self.search.observe(lambda _: self.refresh(), names="value")
        self.count = w.HTML()
        self.entries = w.VBox(layout=w.Layout(width="100%"))
        self.export_button = w.Button(description="Prepare export", icon="download")
        self.export_button.on_click(lambda _: self.prepare_export())
        self.downloads = w.HTML()
        self.delete_all_button = w.Button(description="Delete all my data", icon="trash")
        self.confirm_all = w.Button(description="Yes, delete everything", button_style="danger")
        self.cancel_all = w.Button(description="Keep my data")
        self.confirm_row = w.HBox(
            [
                w.HTML(
                    "This deletes every journal entry, role-play result, self-assessment "
                    "answer and challenge of yours, for good."
                ),
                self.confirm_all,
                self.cancel_all,
            ],
            layout=w.Layout(display="none", flex_flow="row wrap"),
        )
        self.delete_all_button.on_click(
            lambda _: setattr(self.confirm_row.layout, "display", "flex")
        )
        self.cancel_all.on_click(lambda _: setattr(self.confirm_row.layout, "display", "none"))
        self.confirm_all.on_click(lambda _: self.delete_all())
        self.status = w.HTML()
        super().__init__(
            [
                style(),
                w.HBox([self.module_filter, self.search], layout=w.Layout(flex_flow="row wrap")),
                self.count,
                self.entries,
                w.HBox(
                    [self.export_button, self.delete_all_button],
                    layout=w.Layout(flex_flow="row wrap"),
                ),
                self.downloads,
                self.confirm_row,
                self.status,
            ],
            layout=w.Layout(width="100%"),
        )
        self.add_class("rp-box")
        self.items: list[JournalItem] = []
        self.refresh()

    def __repr__(self) -> str:
        return "JournalView()"

    def refresh(self) -> None:
        try:
            self.items = journal_items(
                self._store(),
                self._learner(),
                module=self.module_filter.value or None,
                search=self.search.value,
            )
        except (SQLAlchemyError, OSError, ValueError):
            self.status.value = say("error", "Your journal could not be opened just now.")
            return
        n = len(self.items)
        filtered = bool(self.module_filter.value or self.search.value.strip())
        if n == 0:
            self.count.value = say(
                "note",
                "Nothing matches."
                if filtered
                else "Your journal is empty. Reflections you save in the modules appear here.",
            )
        else:
            self.count.value = (
                f'<p class="rp-meta">{n} entr{"y" if n == 1 else "ies"}, newest first</p>'
            )
        self.entries.children = [self._entry(item) for item in self.items]

    def _entry(self, item: JournalItem) -> w.VBox:
        view = w.HTML(
            f'<div class="rp-card"><p class="rp-meta">{inline(item.module_label)} · '
            f"{item.updated_at.astimezone():%d %b %Y, %H:%M}</p>"
            f"<p><b>{inline(item.prompt_text)}</b></p>{text(item.text)}</div>"
        )
        editor = w.Textarea(
            value=item.text,
            description="Edit",
            rows=4,
            layout=w.Layout(width="100%", display="none"),
            style={"description_width": "initial"},
            continuous_update=False,
        )
        edit = w.Button(description="Edit", icon="pencil")
        save = w.Button(description="Save", button_style="primary", layout=w.Layout(display="none"))
        delete = w.Button(description="Delete", icon="trash")
        confirm = w.Button(
            description="Yes, delete this entry",
            button_style="danger",
            layout=w.Layout(display="none"),
        )
        message = w.HTML()

        def start_edit(_):
            editor.layout.display = "flex"
            save.layout.display = "inline-flex"

        edit.on_click(start_edit)
        save.on_click(lambda _: self.edit(item, editor.value, message))
        delete.on_click(lambda _: setattr(confirm.layout, "display", "inline-flex"))
        confirm.on_click(lambda _: self.delete(item, message))
        box = w.VBox(
            [
                view,
                editor,
                w.HBox([edit, save, delete, confirm], layout=w.Layout(flex_flow="row wrap")),
                message,
            ],
            layout=w.Layout(width="100%"),
        )
        box.item = item
        return box

    def edit(self, item: JournalItem, new_text: str, message: w.HTML | None = None) -> bool:
        try:
            self._store().save_entry(
                self._learner(), item.module, item.prompt, clean_answer(new_text)
            )
        except AnswerError as err:
            if message is not None:
                message.value = say("error", f"{err} The saved entry is unchanged.")
            return False
        except (SQLAlchemyError, OSError):
            if message is not None:
                message.value = say("error", UNAVAILABLE)
            return False
        self.refresh()
        self.status.value = say("ok", "Entry saved.")
        return True

    def delete(self, item: JournalItem, message: w.HTML | None = None) -> bool:
        try:
            self._store().delete_entry(self._learner(), item.module, item.prompt)
        except (SQLAlchemyError, OSError):
            if message is not None:
                message.value = say("error", UNAVAILABLE)
            return False
        self.refresh()
        self.status.value = say("ok", "Entry deleted.")
        return True

    def delete_all(self) -> int:
        self.confirm_row.layout.display = "none"
        try:
            gone = self._store().delete_learner(self._learner())
        except (SQLAlchemyError, OSError):
            self.status.value = say("error", UNAVAILABLE)
            return 0
        self.downloads.value = ""
        self.refresh()
        self.status.value = say("ok", "All your data was deleted. Nothing of it is left.")
        return gone

    def prepare_export(self) -> None:
        try:
            items = journal_items(self._store(), self._learner())
        except (SQLAlchemyError, OSError, ValueError):
            self.status.value = say("error", UNAVAILABLE)
            return
        md = base64.b64encode(export_markdown(items).encode("utf-8")).decode("ascii")
        html = base64.b64encode(export_html(items).encode("utf-8")).decode("ascii")
        self.downloads.value = (
            f'<p><a download="rapport-journal.md" href="data:text/markdown;charset=utf-8;base64,'
            f'{md}">Download as Markdown</a> · <a download="rapport-journal.html" '
            f'href="data:text/html;charset=utf-8;base64,{html}">Download as a web page</a> '
            f'<span class="rp-note">({len(items)} entries; the file stays on your device)'
            "</span></p>"
        )
