"""Answers to group activities: the rules for one answer, and the room's tally with pandas."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapport.content.schema import OneWord, OpenText, PairExercise, Poll, Scale
from rapport.errors import AnswerRejected

if TYPE_CHECKING:  # pandas loads on first use, so kernels start light
    import pandas as pd

MAX_TEXT = 280
MAX_WORD = 30
MIN_TO_REVEAL = 3  # fewer answers than this, and one person's answer could be singled out

Activity = Poll | Scale | OneWord | OpenText | PairExercise


def visible_text(text: str, keep_newlines: bool) -> str:
    """Text without control characters (bidi marks and emoji are kept)."""
    allowed = {"\n"} if keep_newlines else set()
    cleaned = "".join(
        ch if ch in allowed or unicodedata.category(ch) != "Cc" else " " for ch in text
    )
    return cleaned.strip()


def clean_answer(activity: Activity, raw: object) -> str:
    """The answer as stored (always text), or AnswerRejected with a clear reason."""
    if isinstance(activity, PairExercise):
        raise AnswerRejected("This is a pair exercise: talk with your partner, nothing to send.")
    if isinstance(activity, Poll):
        try:
            index = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise AnswerRejected("Pick one of the options.") from None
        if not 0 <= index < len(activity.options):
            raise AnswerRejected("Pick one of the options.")
        return str(index)
    if isinstance(activity, Scale):
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise AnswerRejected("Choose a number from 1 to 5.") from None
        if not 1 <= value <= 5:
            raise AnswerRejected("Choose a number from 1 to 5.")
        return str(value)
    text = visible_text(str(raw or ""), keep_newlines=isinstance(activity, OpenText))
    if not text:
        raise AnswerRejected("Write something first: an empty answer is not sent.")
    if isinstance(activity, OneWord):
        text = " ".join(text.split())
        if len(text) > MAX_WORD:
            raise AnswerRejected(
                f"One word, please: up to {MAX_WORD} characters (that was {len(text)})."
            )
        return text
    if len(text) > MAX_TEXT:
        raise AnswerRejected(f"Keep it to {MAX_TEXT} characters; that answer has {len(text)}.")
    return text


def fold_word(word: str) -> str:
    """One-word answers are counted together whatever their case and spacing."""
    return re.sub(r"\s+", " ", word).strip().casefold()


@dataclass(frozen=True)
class Tally:
    """The room's answers to one activity, ready to show once enough people answered."""

    kind: str
    count: int
    table: pd.DataFrame = field(repr=False)
    mean: float | None = None
    texts: tuple[str, ...] = ()

    @property
    def revealable(self) -> bool:
        return self.count >= MIN_TO_REVEAL


def tally(activity: Activity, answers: list[str]) -> Tally:
    """Count stored answers (hidden ones already left out) for one activity."""
    import pandas as pd

    if isinstance(activity, Poll):
        votes = pd.Series([int(a) for a in answers], dtype="int64").value_counts()
        table = pd.DataFrame(
            {
                "option": activity.options,
                "votes": [int(votes.get(i, 0)) for i in range(len(activity.options))],
            }
        )
        return Tally("poll", len(answers), table)
    if isinstance(activity, Scale):
        values = pd.Series([int(a) for a in answers], dtype="int64")
        table = pd.DataFrame(
            {"value": range(1, 6), "count": [int((values == v).sum()) for v in range(1, 6)]}
        )
        mean = float(values.mean()) if len(values) else None
        return Tally("scale", len(answers), table, mean=mean)
    if isinstance(activity, OneWord):
        words = pd.Series([fold_word(a) for a in answers], dtype="object")
        counts = words.value_counts().rename_axis("word").reset_index(name="count")
        counts = counts.sort_values(["count", "word"], ascending=[False, True], ignore_index=True)
        return Tally("word", len(answers), counts)
    return Tally("text", len(answers), pd.DataFrame({"text": answers}), texts=tuple(answers))
