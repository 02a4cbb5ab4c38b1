"""JournalView: every journal entry in one place, to browse, search, edit, delete and export."""

from __future__ import annotations

import base64
from collections.abc import Callable

import ipywidgets as w

from rapport.content.loading import load_manifest, load_module
from rapport.course.journal import JournalItem, export_html, export_markdown
from rapport.errors import AnswerError, StoreUnavailable
from rapport.render.html import inline, notice, text
from rapport.store.journal import Journal
from rapport.widgets._html import style

UNAVAILABLE = "Your journal could not be reached just now, so nothing changed. Try again."


class JournalView(w.VBox):
    """Every journal entry in one place: filter, search, edit, delete, export, delete all."""

    def __init__(self, journal: Callable[[], Journal]):
        self._journal = journal
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
            self.items = self._journal().items(
                module=self.module_filter.value or None, search=self.search.value
            )
        except (StoreUnavailable, ValueError):
            self.status.value = notice("error", "Your journal could not be opened just now.")
            return
        n = len(self.items)
        filtered = bool(self.module_filter.value or self.search.value.strip())
        if n == 0:
            self.count.value = notice(
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
            self._journal().save(item.module, item.prompt, new_text)
        except AnswerError as err:
            if message is not None:
                message.value = notice("error", f"{err} The saved entry is unchanged.")
            return False
        except StoreUnavailable:
            if message is not None:
                message.value = notice("error", UNAVAILABLE)
            return False
        self.refresh()
        self.status.value = notice("ok", "Entry saved.")
        return True

    def delete(self, item: JournalItem, message: w.HTML | None = None) -> bool:
        try:
            self._journal().delete(item.module, item.prompt)
        except StoreUnavailable:
            if message is not None:
                message.value = notice("error", UNAVAILABLE)
            return False
        self.refresh()
        self.status.value = notice("ok", "Entry deleted.")
        return True

    def delete_all(self) -> int:
        self.confirm_row.layout.display = "none"
        try:
            gone = self._journal().delete_all()
        except StoreUnavailable:
            self.status.value = notice("error", UNAVAILABLE)
            return 0
        self.downloads.value = ""
        self.refresh()
        self.status.value = notice("ok", "All your data was deleted. Nothing of it is left.")
        return gone

    def prepare_export(self) -> None:
        try:
            items = self._journal().items()
        except (StoreUnavailable, ValueError):
            self.status.value = notice("error", UNAVAILABLE)
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
