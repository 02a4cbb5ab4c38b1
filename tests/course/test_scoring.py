"""Scoring the self-assessment: reverse keys, means per principle, comparison."""

import math

import pytest

from rapport.content.schema import Assessment
from rapport.course.scoring import (
    IncompleteAnswers,
    check_complete,
    compare,
    item_score,
    principle_scores,
)

ASSESSMENT = Assessment.model_validate(
    {
        "note": "A reflection aid.",
        "scale": ["1", "2", "3", "4", "5"],
        "items": [
            {"id": "a1", "module": "01-a", "text": "A, straight."},
            {"id": "a2", "module": "01-a", "text": "A, reversed.", "reverse": True},
            {"id": "b1", "module": "02-b", "text": "B, straight."},
            {"id": "b2", "module": "02-b", "text": "B, reversed.", "reverse": True},
        ],
    }
)


@pytest.mark.parametrize(
    ("answer", "straight", "reversed_"), [(1, 1, 5), (2, 2, 4), (3, 3, 3), (5, 5, 1)]
)
def test_reverse_keyed_items_are_flipped(answer, straight, reversed_):
    assert item_score(ASSESSMENT.items[0], answer) == straight
    assert item_score(ASSESSMENT.items[1], answer) == reversed_


def test_answers_outside_the_scale_are_refused():
    with pytest.raises(ValueError, match="from 1 to 5"):
        item_score(ASSESSMENT.items[0], 6)


def test_scores_are_means_per_principle_in_item_order():
    scores = principle_scores(ASSESSMENT, {"a1": 5, "a2": 1, "b1": 2, "b2": 4})
    assert scores.to_dict() == {"01-a": 5.0, "02-b": 2.0}
    assert list(scores.index) == ["01-a", "02-b"]


def test_missing_answers_are_listed_by_number():
    with pytest.raises(IncompleteAnswers, match=r"2 statements still need an answer: 2, 4\."):
        check_complete(ASSESSMENT, {"a1": 3, "b1": 3})


def test_compare_shows_change_per_principle():
    table = compare(
        ASSESSMENT, {"a1": 2, "a2": 4, "b1": 3, "b2": 3}, {"a1": 4, "a2": 2, "b1": 3, "b2": 3}
    )
    assert table.loc["01-a"].tolist() == [2.0, 4.0, 2.0]
    assert table.loc["02-b", "change"] == 0.0


def test_compare_leaves_a_gap_where_one_side_is_missing():
    table = compare(ASSESSMENT, {"a1": 2, "a2": 4}, {"a1": 4, "a2": 2, "b1": 5, "b2": 1})
    assert math.isnan(table.loc["02-b", "baseline"])
    assert math.isnan(table.loc["02-b", "change"])
