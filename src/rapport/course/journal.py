"""The journal's rules: what an answer may be, how entries read, and how the journal exports.

Saving goes through :class:`rapport.store.journal.Journal`, the one way a journal is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rapport.course.records import Entry
from rapport.errors import AnswerError

MAX_ANSWER_CHARS = 4000

__all__ = ["MAX_ANSWER_CHARS", "AnswerError", "as_stored", "clean_answer"]


def as_stored(text: str) -> str:
    """An answer's text as the journal keeps it: line endings and surrounding blanks."""
    return text.replace("\r\n", "\n").strip()


def clean_answer(text: str) -> str:
    """The answer as it will be stored, or AnswerError saying why it cannot be."""
    cleaned = as_stored(text)
    if not cleaned:
        raise AnswerError("Write something first: an empty answer is not saved.")
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise AnswerError(
            f"This answer is {len(cleaned):,} characters; the limit is {MAX_ANSWER_CHARS:,}. "
            "Shorten it and save again."
        )
    return cleaned


# -- reading the whole journal: browse, search, export ------------------------------------
CHECK_IN = "check-in"  # the prompt id under which a challenge check-in note is kept
PRACTICE = "practice-"  # + scenario id: what a learner wrote in their own words in a role-play
DEBRIEF = "debrief-"  # + scenario id + "-" + number: an answer to a role-play's question
DRILL = "drill-"  # + drill id: the learner's own version in a module's drill


def practice_prompt(scenario_id: str) -> str:
    return f"{PRACTICE}{scenario_id}"


def debrief_prompt(scenario_id: str, number: int) -> str:
    return f"{DEBRIEF}{scenario_id}-{number}"


def drill_prompt(drill_id: str) -> str:
    return f"{DRILL}{drill_id}"


def practice_text(debrief) -> str:
    """What a learner wrote in their own words during a role-play, with what they answered and
    what they then chose, for the journal (marked as practice)."""
    blocks = []
    for step in debrief.steps:
        if step.words:
            blocks.append(
                f"They said: {' '.join(step.said.split())}\nYou wrote: {step.words}\n"
                f"Closest option you chose: {step.choice.text}"
            )
    return "\n\n".join(blocks)


@dataclass(frozen=True)
class JournalItem:
    """One journal entry with the words of its prompt, ready to show or export."""

    module: str
    module_label: str
    prompt: str
    prompt_text: str
    text: str
    updated_at: datetime


def _prompt_text(module_id: str, prompt_id: str) -> tuple[str, str]:
    from rapport.content.loading import ContentError, load_module

    try:
        module = load_module(module_id)
    except (ContentError, OSError):
        return module_id, prompt_id
    if prompt_id == CHECK_IN and module.challenge:
        return module.label, f"Practice check-in: {module.challenge.title}"
    for reflection in module.reflections:
        if reflection.id == prompt_id:
            return module.label, reflection.prompt
    if module.drill and prompt_id == drill_prompt(module.drill.id):
        return module.label, f"Drill (practice): {module.drill.title}"
    for scenario in module.scenarios:
        if prompt_id == practice_prompt(scenario.id):
            return module.label, f"In your own words (practice): {scenario.title}"
        for n, question in enumerate(scenario.debrief.questions, start=1):
            if prompt_id == debrief_prompt(scenario.id, n):
                return module.label, f"{scenario.title}: {question}"
    return module.label, prompt_id


def journal_items(entries: list[Entry], search: str = "") -> list[JournalItem]:
    """The entries with their prompts, newest first; ``search`` keeps those holding every word
    given (in the answer, its prompt or its module)."""
    words = [w.casefold() for w in search.split()]
    items = []
    for entry in entries:
        label, prompt_text = _prompt_text(entry.module, entry.prompt)
        haystack = f"{entry.text}\n{prompt_text}\n{label}".casefold()
        if all(word in haystack for word in words):
            items.append(
                JournalItem(
                    entry.module, label, entry.prompt, prompt_text, entry.text, entry.updated_at
                )
            )
    return sorted(items, key=lambda i: i.updated_at, reverse=True)


def export_markdown(items: list[JournalItem]) -> str:
    """The journal as Markdown, in course order, each entry under its prompt."""
    lines = ["# My Rapport journal", ""]
    if not items:
        lines.append("*The journal is empty.*")
    current = None
    for item in sorted(items, key=lambda i: (i.module, i.updated_at)):
        if item.module != current:
            current = item.module
            lines += [f"## {item.module_label}", ""]
        prompt = " ".join(item.prompt_text.split())
        lines += [f"**{prompt}**", "", f"*{item.updated_at.astimezone():%d %B %Y, %H:%M}*", ""]
        lines += ["> " + line if line else ">" for line in item.text.splitlines()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def export_html(items: list[JournalItem]) -> str:
    """The journal as a self-contained HTML page; every word escaped."""
    from html import escape

    sections = []
    current = None
    for item in sorted(items, key=lambda i: (i.module, i.updated_at)):
        if item.module != current:
            current = item.module
            sections.append(f"<h2>{escape(item.module_label)}</h2>")
        paragraphs = "".join(
            f"<p>{escape(p).replace(chr(10), '<br>')}</p>"
            for p in item.text.split("\n\n")
            if p.strip()
        )
        sections.append(
            f"<section><h3>{escape(item.prompt_text)}</h3>"
            f'<p class="when">{item.updated_at.astimezone():%d %B %Y, %H:%M}</p>'
            f"<blockquote>{paragraphs}</blockquote></section>"
        )
    body = "".join(sections) or "<p>The journal is empty.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>My Rapport journal</title><style>"
        "body{font-family:system-ui,sans-serif;color:#1f2937;max-width:760px;margin:24px auto;"
        "padding:0 16px;line-height:1.5}h2{border-bottom:1px solid #d1d5db;margin-top:28px}"
        "h3{font-size:1em;margin-bottom:2px}.when{color:#4b5563;font-size:.9em;margin:0}"
        "blockquote{margin:6px 0 14px 0;padding-left:12px;border-left:3px solid #4338ca}"
        "section{break-inside:avoid}</style></head><body><h1>My Rapport journal</h1>"
        f"{body}</body></html>"
    )
