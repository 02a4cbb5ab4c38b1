"""Score the self-assessment per principle, reverse-keyed items included."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rapport.content.schema import Assessment, AssessmentItem

if TYPE_CHECKING:  # pandas loads on first use, so kernels start light
    import pandas as pd

LOW, HIGH = 1, 5


class IncompleteAnswers(ValueError):
    """Some statements have no answer yet; ``missing`` lists their numbers (1-based)."""

    def __init__(self, missing: list[int]):
        self.missing = missing
        numbers = ", ".join(str(n) for n in missing)
        plural = "s" if len(missing) != 1 else ""
        super().__init__(f"{len(missing)} statement{plural} still need an answer: {numbers}.")


def item_score(item: AssessmentItem, answer: int) -> int:
    """The score an answer gives: 1-5, flipped for reverse-keyed statements."""
    if not LOW <= answer <= HIGH:
        raise ValueError(f"answers run from {LOW} to {HIGH}, not {answer}")
    return LOW + HIGH - answer if item.reverse else answer


def check_complete(assessment: Assessment, answers: Mapping[str, int]) -> None:
    missing = [i + 1 for i, item in enumerate(assessment.items) if answers.get(item.id) is None]
    if missing:
        raise IncompleteAnswers(missing)


def principle_scores(assessment: Assessment, answers: Mapping[str, int]) -> pd.Series:
    """Mean score (1-5) per module id, over the items answered, in the items' order."""
    import pandas as pd

    rows = [
        (item.module, item_score(item, answers[item.id]))
        for item in assessment.items
        if answers.get(item.id) is not None
    ]
    if not rows:
        return pd.Series(dtype=float, name="score")
    frame = pd.DataFrame(rows, columns=["module", "score"])
    order = list(dict.fromkeys(item.module for item in assessment.items))
    scores = frame.groupby("module", sort=False)["score"].mean()
    return scores.reindex([m for m in order if m in scores.index]).rename("score")


def compare(
    assessment: Assessment, baseline: Mapping[str, int], follow_up: Mapping[str, int]
) -> pd.DataFrame:
    """Baseline, follow-up and change per module id (NaN where a side is missing)."""
    import pandas as pd

    table = pd.DataFrame(
        {
            "baseline": principle_scores(assessment, baseline),
            "follow_up": principle_scores(assessment, follow_up),
        }
    )
    order = list(dict.fromkeys(item.module for item in assessment.items))
    table = table.reindex([m for m in order if m in table.index])
    table["change"] = table["follow_up"] - table["baseline"]
    return table
