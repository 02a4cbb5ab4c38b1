"""ReflectionBox: answer a reflection prompt in the private journal; edit or delete it later."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from rapport.content.schema import ReflectionPrompt
from rapport.course.journal import MAX_ANSWER_CHARS, as_stored
from rapport.errors import AnswerError, StoreUnavailable
from rapport.render.html import inline, notice, text
from rapport.store.journal import Journal
from rapport.widgets._html import button, html, row, style, text_style, wide

UNAVAILABLE = (
    "The journal could not be reached just now, so nothing changed. "
    "Your text is still in the box; try again in a moment."
)


class ReflectionBox(w.VBox):
    """A prompt, a text area and Save/Delete buttons, backed by the learner's journal."""

    def __init__(
        self,
        module_id: str,
        prompt: ReflectionPrompt,
        journal: Callable[[], Journal],
        share: Callable[[str, str], str] | None = None,
    ):
        self.module_id = module_id
        self._share = share
        self.prompt = prompt
        self._journal_factory = journal
        self._journal: Journal | None = None
        hint = f'<p class="rp-note">{inline(prompt.hint)}</p>' if prompt.hint else ""
        self.prompt_view = html(f'<div class="rp-card">{text(prompt.prompt)}{hint}</div>')
        self.answer = w.Textarea(
            description="Your answer",
            placeholder="Write as much or as little as you like. Only you can see this.",
            rows=5,
            layout=wide(),
            style=text_style(),
            # The text reaches the kernel when the box loses focus (on the way to Save), in one
            # message. Sent keystroke by keystroke, the browser holds back later keystrokes
            # while earlier ones are in flight, so a quick Save could reach the kernel first
            # and save the text without its last words.
            continuous_update=False,
        )
        self.save_button = button("Save", button_style="primary", icon="check")
        self.delete_button = button("Delete saved answer", icon="trash")
        self.confirm_button = button("Yes, delete it", button_style="danger")
        self.cancel_button = button("Keep it")
        self.confirm_row = w.HBox(
            [
                html("Delete your saved answer? This cannot be undone."),
                self.confirm_button,
                self.cancel_button,
            ],
            layout=w.Layout(display="none"),
        )
        self.status = html()
        self.share_button = button(
            "Share anonymously",
            icon="users",
            tooltip="Send this reflection to the room without your name",
            layout=w.Layout(display="inline-flex" if share else "none"),
        )
        self.share_button.on_click(lambda _: self.share())
        self.save_button.on_click(lambda _: self.save())
        self.delete_button.on_click(lambda _: self.ask_delete())
        self.confirm_button.on_click(lambda _: self.delete())
        self.cancel_button.on_click(lambda _: self._hide_confirm())
        self.answer.observe(self._on_edit, names="value")
        super().__init__(
            [
                style(),
                self.prompt_view,
                self.answer,
                row([self.save_button, self.delete_button, self.share_button]),
                self.confirm_row,
                self.status,
                html(
                    '<p class="rp-note">Private to you. Every reflection is optional: '
                    "skip any you would rather not answer."
                    + (
                        " “Share anonymously” sends a copy to the room without your name; "
                        "nothing is shared otherwise."
                        if share
                        else ""
                    )
                    + "</p>"
                ),
            ],
            layout=wide(),
        )
        self.add_class("rp-box")
        self.saved_text: str | None = None
        self._load()

    def __repr__(self) -> str:
        return f"ReflectionBox({self.module_id!r}, {self.prompt.id!r})"

    @property
    def journal(self) -> Journal:
        if self._journal is None:
            self._journal = self._journal_factory()
        return self._journal

    # -- actions ------------------------------------------------------------------
    def save(self) -> bool:
        try:
            entry = self.journal.save(self.module_id, self.prompt.id, self.answer.value)
        except AnswerError as err:
            self._say("error", str(err) + self._kept())
            return False
        except StoreUnavailable:
            self._say("error", UNAVAILABLE)
            return False
        self.saved_text = entry.text
        # The box is left as typed: writing the stored text back could replace words typed
        # since (the stored text only differs by surrounding blanks and line endings).
        self.delete_button.disabled = False
        self._say("ok", f"Saved in your journal at {entry.updated_at.astimezone():%H:%M}.")
        return True

    def share(self) -> bool:
        """Save, then send a copy to the room: only ever on the learner's own request."""
        if self._share is None:
            return False
        if self.answer.value.strip() != (self.saved_text or "") and not self.save():
            return False
        if self.saved_text is None:
            self._say("note", "Write and save a reflection first; then you can share it.")
            return False
        try:
            self._share(self.prompt.id, self.saved_text)
        except StoreUnavailable:
            self._say("error", "The room could not be reached, so nothing was shared.")
            return False
        except ValueError as err:  # RoomError, AnswerRejected: say why, keep the journal
            self._say("error", str(err))
            return False
        self._say("ok", "Shared anonymously with the room. Your journal keeps its own copy.")
        return True

    def ask_delete(self) -> None:
        if self.saved_text is None:
            self._say("note", "There is no saved answer to delete.")
            return
        self.confirm_row.layout.display = "flex"

    def delete(self) -> bool:
        self._hide_confirm()
        try:
            self.journal.delete(self.module_id, self.prompt.id)
        except StoreUnavailable:
            self._say("error", UNAVAILABLE)
            return False
        self.saved_text = None
        self.answer.value = ""
        self.delete_button.disabled = True
        self._say("ok", "Your saved answer was deleted.")
        return True

    # -- view ---------------------------------------------------------------------
    def _load(self) -> None:
        try:
            entry = self.journal.get(self.module_id, self.prompt.id)
        except (StoreUnavailable, ValueError):  # no store, or no identity (NoIdentity)
            self._say("error", "Your journal could not be opened, so saving is off for now.")
            self.save_button.disabled = self.delete_button.disabled = True
            return
        if entry is not None:
            self.saved_text = entry.text
            self.answer.value = entry.text
            self._say("note", f"Your saved answer from {entry.updated_at.astimezone():%d %b %Y}.")
        self.delete_button.disabled = entry is None

    def _on_edit(self, change) -> None:
        if self.saved_text is not None and as_stored(change["new"]) != self.saved_text:
            self._say("note", "You have unsaved changes.")
        elif len(change["new"]) > MAX_ANSWER_CHARS:
            self._say(
                "note",
                f"{len(change['new']):,} of {MAX_ANSWER_CHARS:,} characters: too long to save.",
            )

    def _hide_confirm(self) -> None:
        self.confirm_row.layout.display = "none"

    def _kept(self) -> str:
        return " Your saved answer is unchanged." if self.saved_text is not None else ""

    def _say(self, kind: str, message: str) -> None:
        self.status.value = notice(kind, message)
