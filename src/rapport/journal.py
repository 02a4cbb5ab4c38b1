"""A learner's private journal: the rules for an answer, and saving it through the store."""

from __future__ import annotations

from rapport.store import Entry, Store, get_store

MAX_ANSWER_CHARS = 4000


class AnswerError(ValueError):
    """An answer that cannot be saved; the message tells the learner what to do."""


def clean_answer(text: str) -> str:
    """The answer as it will be stored, or AnswerError saying why it cannot be."""
    cleaned = text.replace("\r\n", "\n").strip()
    if not cleaned:
        raise AnswerError("Write something first: an empty answer is not saved.")
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise AnswerError(
            f"This answer is {len(cleaned):,} characters; the limit is {MAX_ANSWER_CHARS:,}. "
            "Shorten it and save again."
        )
    return cleaned


class Journal:
    """One learner's journal entries, one per module and prompt."""

    def __init__(self, learner: str, store: Store | None = None):
        self.learner = learner
        self.store = store or get_store()

    def save(self, module: str, prompt: str, text: str) -> Entry:
        return self.store.save_entry(self.learner, module, prompt, clean_answer(text))

    def get(self, module: str, prompt: str) -> Entry | None:
        return self.store.entry(self.learner, module, prompt)

    def delete(self, module: str, prompt: str) -> bool:
        return self.store.delete_entry(self.learner, module, prompt)

    def entries(self, module: str | None = None) -> list[Entry]:
        return self.store.entries(self.learner, module)
